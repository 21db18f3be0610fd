"""Planning: one typed plan per page, each naming the articles whose content it shows, decided from
records alone; and kept by the site's shape."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from sitegen.cache.plans import plan_site, shape_key
from sitegen.model.records import ArticleRecord, record_article
from sitegen.model.types import Article, Comment, DateView, Moment, SiteConfig, Thread
from sitegen.render import plans
from sitegen.write.paths import output_path

CONFIG = SiteConfig("Digest", "https://example.org/d/", "/d/", per_page=2)
NO_DATE = datetime(2023, 11, 14, tzinfo=timezone.utc)


def record(key: str, day: int, tags=(), comments: int = 0, draft: bool = False) -> ArticleRecord:
    date = Moment(datetime(2021, 5, day, 12, tzinfo=timezone.utc), True)
    thread = Thread(tuple(Comment(f"c{n}", None, "text", author=f"reader{n}", date=date) for n in range(comments)))
    article = Article(key=key, path=f"content/{key}", slug=key.removesuffix(".md"), title=key.upper(), date=date,
                      body="Body.", body_line=3, tags=tuple(tags), draft=draft, thread=thread)
    return record_article(article, CONFIG, f"digest-{key}", "<p>Body.</p>", "Body.", (),
                          DateView(date.value.isoformat(), "a date"))


RECORDS = [record("a.md", 1, ["NATO"], comments=2), record("b.md", 2, ["NATO", "France"]),
           record("c.md", 3), record("d.md", 4, draft=True)]


def planned_by_path():
    planned = plan_site("key", "settings", CONFIG, False, NO_DATE, RECORDS)
    assert planned.diagnostics == []
    return {page.path: planned.plan(page.path) for page in planned.pages}, planned


def test_the_record_decides_the_url():
    assert RECORDS[0].url_path == "2021/05/a/"
    assert [c.author for c in RECORDS[0].comments] == ["reader0", "reader1"]


def test_every_page_has_a_typed_plan_naming_what_it_shows():
    by_path, planned = planned_by_path()
    article = by_path["2021/05/a/index.html"]
    assert isinstance(article, plans.ArticlePage) and article.articles == ("a.md",)
    assert article.newer.url == "/d/2021/05/b/" and article.older is None
    assert isinstance(by_path["2021/05/a/comments.xml"], plans.CommentsFeed)
    assert isinstance(by_path["feed.xml"], plans.ArticlesFeed)
    assert by_path["feed.xml"].articles == ("c.md", "b.md", "a.md"), "newest first, drafts left out"
    assert by_path["tags/nato/feed.xml"].articles == ("b.md", "a.md")
    recent = by_path["comments/index.html"]
    assert isinstance(recent, plans.CommentsPage) and recent.articles == ()
    assert recent.comments == (("a.md", "c0"), ("a.md", "c1")), "it shows those comments, not the article"
    assert {page.path: page.comments for page in planned.pages}["comments/index.html"] == (("a.md", 0), ("a.md", 1))
    home, second = by_path["index.html"], by_path["page/2/index.html"]
    assert isinstance(home, plans.TemplatePage) and home.articles == ()
    assert [e.title for e in home.view["entries"]] == ["C.MD", "B.MD"]
    assert [e.title for e in second.view["entries"]] == ["A.MD"]
    assert isinstance(by_path["sitemap.xml"], plans.Sitemap)
    assert {e.url for e in by_path["sitemap.xml"].entries} >= {"https://example.org/d/2021/05/a/"}
    assert not any("2021/05/d/" in path for path in by_path), "a draft has no pages"
    assert planned.articles == 3 and planned.comments == 2
    assert all(output_path(plan.url_path) == path for path, plan in by_path.items())
    assert {page.articles for page in planned.pages} >= {("a.md",), ("c.md", "b.md", "a.md")}


def test_plans_come_from_records_alone_and_are_kept_by_shape():
    same = [record("a.md", 1, ["NATO"], comments=2)]
    assert same[0].shape == RECORDS[0].shape
    retitled = record("a.md", 1, ["NATO", "Energy"], comments=2)
    assert retitled.shape != RECORDS[0].shape
    shapes = [r.shape for r in RECORDS]
    assert shape_key("settings", shapes) == shape_key("settings", list(shapes))
    assert shape_key("settings", shapes) != shape_key("other settings", shapes)
    assert shape_key("settings", shapes) != shape_key("settings", [retitled.shape, *shapes[1:]])


def test_a_new_title_plans_again_only_the_parts_that_read_it():
    first = plan_site("key", "settings", CONFIG, False, NO_DATE, RECORDS)
    retitled = replace(RECORDS[2], title="Renamed", shape="another shape")  # c.md: the newest, with no tags
    second = plan_site("other key", "settings", CONFIG, False, NO_DATE, [*RECORDS[:2], retitled, RECORDS[3]],
                       previous=first)
    kept = {name for name, part in second.parts.items() if part is first.parts.get(name)}
    assert {"article a.md", "tag nato page 1", "tag nato feed", "home page 2", "tags", "archive"} <= kept
    again = set(second.parts) - kept
    assert {"article c.md", "article b.md", "home page 1", "site files"} <= again, "b.md links to c.md as newer"
    assert second.planned == len(again) < first.planned
    assert second.plan("index.html").view["entries"][0].title == "Renamed"
    everything = plan_site("other key", "settings", CONFIG, False, NO_DATE, [*RECORDS[:2], retitled, RECORDS[3]])
    assert second.pages == everything.pages, "the same plans as planning everything"
    with_other_settings = plan_site("key", "other settings", CONFIG, False, NO_DATE, RECORDS, previous=first)
    assert with_other_settings.planned == first.planned


def test_two_articles_with_one_url_are_an_error_and_plan_nothing():
    twin = record("a.md", 1)
    clash = record_article(Article(key="x/a.md", path="content/x/a.md", slug="a", title="X", date=twin.date,
                                   body="", body_line=1), CONFIG, "d", "", "", (), twin.date_view)
    planned = plan_site("key", "settings", CONFIG, False, NO_DATE, [twin, clash])
    assert [str(d) for d in planned.diagnostics] == [
        "content/x/a.md: has the same URL /2021/05/a/ as content/a.md (give one of them another slug: in its front matter)"]


def test_the_sitemap_is_the_xml_elementtree_would_write():
    """Written as text for speed: the same bytes as ElementTree's, escapes and all."""
    import xml.etree.ElementTree as ET

    from sitegen.render.sitemap import SITEMAP_NS, sitemap_xml

    def by_elementtree(pages):
        ET.register_namespace("", SITEMAP_NS)
        root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
        for url, lastmod in pages:
            entry = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
            ET.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = url
            ET.SubElement(entry, f"{{{SITEMAP_NS}}}lastmod").text = lastmod
        ET.indent(root)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"

    for pages in [(), (("https://e.org/a&b<c>/\"'ü/", "2020-01-01T00:00:00+00:00"),),
                  tuple((f"https://e.org/{n}/", "2021-05-0{n}") for n in range(1, 4))]:
        assert sitemap_xml(pages) == by_elementtree(pages)
