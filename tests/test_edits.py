"""Each kind of edit an editor makes, built on the last build's cache, gives the bytes a cold build
gives, and plans again only the parts of the site it touches (cache/plans.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import tree_bytes
from generated_site import generate_site
from sitegen.build import BuildOptions, build_site, disk_cache
from sitegen.cache import BuildCache


def build(site: Path, out: Path, cache: BuildCache):
    result = build_site(BuildOptions(source=site), cache, out)
    assert result.ok, [str(d) for d in result.diagnostics]
    return result.stats


def article_file(site: Path, number: int) -> Path:
    slug = f"article-{number:04d}"
    return next(p for p in (site / "content").rglob("*.md") if slug in (p.stem, p.parent.name))


def thread_file(article: Path) -> Path:
    return article.parent / "comments.yaml" if article.name == "index.md" else article.with_suffix(".comments.yaml")


def with_thread(site: Path, start: int = 0) -> Path:
    """The first article from `start` on that has a thread."""
    return next(article_file(site, n) for n in range(start, 60) if thread_file(article_file(site, n)).exists())


def edit_front(path: Path, **changes) -> None:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    fields = {**yaml.safe_load(front), **changes}
    path.write_text("---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---\n" + body,
                    encoding="utf-8")


def edit_thread(article: Path, change) -> None:
    path = thread_file(article)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    comments = data["comments"] if isinstance(data, dict) else data
    change(comments)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def new_comment(author: str, date: str):
    return lambda comments: comments.append({"author": author, "date": date, "body": "A new comment."})


def rename_commenter(comments: list) -> None:
    comments[0]["author"] = "newcomer"


def new_article(site: Path) -> None:
    (site / "content" / "2031").mkdir()
    (site / "content" / "2031" / "brand-new.md").write_text(
        "---\ntitle: Brand new\ndate: 2031-03-04 10:00\ntags: [Brand new tag, NATO]\n---\nIts body.\n",
        encoding="utf-8")


def delete_article(site: Path) -> None:
    article = with_thread(site, 20)
    thread_file(article).unlink()
    article.unlink()


EDITS = {
    "a new comment": lambda site: edit_thread(with_thread(site, 10), new_comment("reader3", "2030-01-01 12:00")),
    "an old comment": lambda site: edit_thread(with_thread(site, 12), new_comment("reader4", "2001-01-01 12:00")),
    "a new commenter": lambda site: edit_thread(with_thread(site, 14), new_comment("first-timer", "2026-01-01 09:00")),
    "a commenter renamed": lambda site: edit_thread(with_thread(site, 16), rename_commenter),
    "a new title": lambda site: edit_front(article_file(site, 11), title="Renamed eleven"),
    "a new date": lambda site: edit_front(article_file(site, 13), date="2012-05-06 07:08"),
    "a new tag": lambda site: edit_front(article_file(site, 15), tags=["A tag of its own", "Russia"]),
    "a new summary": lambda site: edit_front(article_file(site, 17), summary="Said in one line."),
    "a new note": lambda site: edit_front(with_thread(site, 18), annotations=[{"comment": "c1", "note": "Noted."}]),
    "a draft": lambda site: edit_front(article_file(site, 19), draft=True),
    "a new article": new_article,
    "a deleted article": delete_article,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return generate_site(tmp_path_factory.mktemp("edits") / "site", 60, per_page=5)


def test_every_kind_of_edit_builds_what_a_cold_build_builds(site, tmp_path):
    """One site, edited again and again as an editor would; after each edit, the warm build's output
    is byte for byte a cold build's, and only some parts of the site were planned again."""
    out = tmp_path / "out"
    cold = build(site, out, disk_cache(site))
    parts = cold.parts_planned
    assert parts > 60, "each article's pages are a part, and each list's"
    for name, edit in EDITS.items():
        edit(site)
        stats = build(site, out, disk_cache(site))
        assert stats.planned_anew, name
        assert 0 < stats.parts_planned < parts // 2, f"{name}: {stats.parts_planned} of about {parts} parts planned"
        build(site, tmp_path / "cold", BuildCache())
        warm, cold_files = tree_bytes(out), tree_bytes(tmp_path / "cold")
        differ = sorted(path for path in warm.keys() | cold_files.keys() if warm.get(path) != cold_files.get(path))
        assert not differ, f"{name}: the warm build differs from a cold one in {differ}"


def test_a_clash_with_a_static_file_is_told_as_a_cold_build_tells_it(tmp_path):
    """The claims a warm build keeps were taken in an earlier build's order of pages; a clash is
    told from this build's, as a cold build tells it."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "sitegen.yaml").write_text("title: C\nbase_url: https://e.org/\nsearch: false\n")
    (site / "content" / "a.md").write_text("---\ntitle: A\ndate: 2020-01-01\ntags: [NATO]\n---\nA.\n")
    build(site, tmp_path / "out", disk_cache(site))
    (site / "content" / "b.md").write_text("---\ntitle: B\ndate: 2020-01-02\ntags: [Aardvark]\n---\nB.\n")
    (site / "layouts" / "static").mkdir(parents=True)
    (site / "layouts" / "static" / "tags").write_text("a file where tags/ is a folder\n")
    warm = build_site(BuildOptions(source=site), disk_cache(site), tmp_path / "out")
    cold = build_site(BuildOptions(source=site), BuildCache(), None)
    assert not warm.ok and "inside tags" in str(warm.diagnostics[0])
    assert [str(d) for d in warm.diagnostics] == [str(d) for d in cold.diagnostics]
