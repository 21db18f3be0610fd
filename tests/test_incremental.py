"""Cold, warm, serial and parallel builds make the same bytes, and a warm build makes
only what changed (asserted on the build's own record of what it made, never on timings)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_sitegen, tree_bytes, tree_stats
from generated_site import generate_site
from sitegen.build import BuildOptions, build_site, disk_cache
from sitegen.cache import CACHE_DIR, BuildCache


def build(site: Path, out: Path, jobs: int = 1, cache: BuildCache | None = None):
    result = build_site(BuildOptions(source=site, jobs=jobs), cache or disk_cache(site), out)
    assert result.ok, [str(d) for d in result.diagnostics]
    return result.stats


@pytest.fixture
def site(tmp_path) -> Path:
    return generate_site(tmp_path / "site", 60, per_page=5)


def test_serial_parallel_cold_and_warm_builds_are_byte_identical(site, tmp_path):
    build(site, tmp_path / "serial", jobs=1, cache=BuildCache())
    shutil.rmtree(site / CACHE_DIR, ignore_errors=True)
    parallel = build(site, tmp_path / "parallel", jobs=2)
    assert parallel.articles_processed == 60
    warm = build(site, tmp_path / "warm", jobs=2)
    assert warm.articles_processed == 0
    memory = build_site(BuildOptions(source=site), BuildCache())
    serial_files = tree_bytes(tmp_path / "serial")
    assert tree_bytes(tmp_path / "parallel") == serial_files
    assert tree_bytes(tmp_path / "warm") == serial_files
    assert {path: (content if isinstance(content, bytes) else content.read_bytes())
            for path, content in memory.files.items()} == serial_files


def test_a_second_build_makes_nothing_and_touches_nothing(site, tmp_path):
    out = tmp_path / "out"
    first = build(site, out)
    assert first.pages_made == first.pages and first.articles_processed == 60
    before = tree_stats(out)
    second = build(site, out)
    assert second.articles_processed == 0 and second.pages_made == 0 and second.made == []
    assert not second.planned_anew and second.parts_planned == 0, "the first build's planning is not this one's"
    assert second.pages_unchanged == second.pages
    assert tree_stats(out) == before, "unchanged files keep their bytes, times and inodes"


def test_touching_a_file_without_changing_it_makes_nothing(site, tmp_path):
    out = tmp_path / "out"
    build(site, out)
    path = next((site / "content").rglob("*.md"))
    os.utime(path, ns=(1, 1))
    stats = build(site, out)
    assert stats.articles_processed == 0 and stats.made == []


def article_file(site: Path, slug: str) -> Path:
    """The Markdown file of a generated article, single file or bundle."""
    return next(p for p in (site / "content").rglob("*.md") if slug in (p.stem, p.parent.name))


def pages_showing(out: Path, url: str) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*.html") if f'href="{url}"' in p.read_text()}


def test_an_edit_to_a_body_remakes_its_page_and_the_feeds_that_carry_it(site, tmp_path):
    out = tmp_path / "out"
    build(site, out)
    source = article_file(site, "article-0007")
    page = next(out.rglob("article-0007/index.html")).relative_to(out).parent.as_posix() + "/"
    feeds_with_it = {p.relative_to(out).as_posix() for p in out.rglob("feed.xml")
                     if f"/digest/{page}</id>" in p.read_text()}
    before = tree_stats(out)
    source.write_text(source.read_text() + "\nA last paragraph, added.\n")
    stats = build(site, out)
    assert stats.articles_processed == 1
    assert not stats.planned_anew, "the article kept its shape: the last build's plans serve"
    annotations = {page + "annotations.jsonld"} if (out / page / "annotations.jsonld").exists() else set()
    shard = "pagefind/0/pagefind-entry.json"  # the search index's one shard, which holds its words
    assert set(stats.made) == {page + "index.html", page + "comments.xml", shard} | annotations | feeds_with_it
    after = tree_stats(out)
    changed = {path for path in after if after[path] != before.get(path)}
    # comments.xml and annotations.jsonld come out byte for byte the same, so they are not rewritten;
    # of the index, the article's document and what lists its words change.
    index = {path for path in changed if path.startswith("pagefind/")}
    assert changed - index == {page + "index.html"} | feeds_with_it
    assert len([path for path in index if "/fragment/" in path]) == 1 and shard in index
    assert not any(path.endswith((".js", ".pagefind")) for path in index)
    build(site, tmp_path / "cold", cache=BuildCache())
    assert tree_bytes(out) == tree_bytes(tmp_path / "cold")


def test_a_new_title_remakes_every_page_that_shows_it(site, tmp_path):
    out = tmp_path / "out"
    build(site, out)
    source = article_file(site, "article-0011")
    page_dir = next(out.rglob("article-0011/index.html")).relative_to(out).parent.as_posix() + "/"
    showing = pages_showing(out, f"/digest/{page_dir}")
    text = source.read_text()
    source.write_text(text.replace("title: 'Article 11:", "title: 'Renamed 11:", 1))
    assert source.read_text() != text
    stats = build(site, out)
    assert stats.planned_anew
    made = set(stats.made)
    assert showing - {page_dir + "index.html"} <= made, "every list and neighbour that links it shows the new title"
    assert "notes/index.html" in made or "notes/index.html" not in showing
    assert "sitemap.xml" not in made, "no lastmod changed"
    untouched = {p.relative_to(out).as_posix() for p in out.rglob("*.html")} - showing - made
    assert untouched and all("Renamed 11" not in (out / p).read_text() for p in untouched)


def test_deleting_the_cache_changes_nothing_but_time(site, tmp_path):
    out = tmp_path / "out"
    build(site, out)
    before, times = tree_bytes(out), tree_stats(out)
    shutil.rmtree(site / CACHE_DIR)
    stats = build(site, out, jobs=2)
    assert stats.articles_processed == 60
    assert tree_bytes(out) == before
    assert tree_stats(out) == times, "a file made again with the same bytes keeps its time and inode"


def test_deleting_an_article_removes_its_pages(site, tmp_path):
    out = tmp_path / "out"
    build(site, out)
    victim = sorted((site / "content").rglob("article-0012*"))
    page = next(out.rglob("article-0012/index.html")).parent
    for path in victim:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    build(site, out)
    assert not page.exists()
    assert "article-0012" not in (out / "index.html").read_text()
    fresh = tmp_path / "fresh"
    build(site, fresh, cache=BuildCache())
    assert tree_bytes(out) == tree_bytes(fresh)


def test_a_template_change_remakes_the_pages_that_use_it(site, tmp_path):
    out = tmp_path / "out"
    build(site, out)
    (site / "layouts").mkdir()
    (site / "layouts/tags.html").write_text('{% extends "theme/tags.html" %}{% block main %}TAGS{% endblock %}')
    stats = build(site, out)
    assert "tags/index.html" in stats.made
    assert (out / "tags/index.html").read_text().count("TAGS") == 1


def test_the_example_digest_builds_the_same_with_and_without_its_cache(tmp_path):
    cold = build_site(BuildOptions(source=REPO), BuildCache())
    warm_cache = BuildCache()
    build_site(BuildOptions(source=REPO), warm_cache)
    warm = build_site(BuildOptions(source=REPO), warm_cache)
    assert warm.stats.made == [] and warm.stats.articles_processed == 0
    assert cold.files == warm.files


def test_files_copied_as_they_are_are_copied_once_however_the_site_is_named(site, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = build(site, out)
    assert first.files_copied > 0
    monkeypatch.chdir(site.parent)
    article = article_file(site, "article-0003")
    article.write_text(article.read_text() + "\nMore.\n")
    again = build(Path("site"), out)  # the same site, named relative to where sitegen runs
    assert again.files_copied == 0 and again.articles_processed == 1


def test_a_failed_build_keeps_the_articles_it_read_for_the_next(site, tmp_path):
    out = tmp_path / "out"
    build(site, out)
    broken = article_file(site, "article-0005")
    original = broken.read_text()
    broken.write_text(original.replace("date:", "date: not a date\nold_date:", 1))
    for other in ("article-0001", "article-0002"):
        path = article_file(site, other)
        path.write_text(path.read_text() + "\nEdited while the build is broken.\n")
    failed = build_site(BuildOptions(source=site), disk_cache(site), out)
    assert not failed.ok and failed.stats.articles_processed == 3
    broken.write_text(original)
    fixed = build(site, out)
    assert fixed.articles_processed == 1, "only the article that was broken is read again"


def test_source_date_epoch_is_an_input_of_an_empty_sites_feed(tmp_path, monkeypatch):
    import feedparser
    from conftest import write_site
    site = write_site(tmp_path / "site", {"content/.keep": ""})
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    build(site, out)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    build(site, out)
    assert feedparser.parse((out / "feed.xml").read_bytes()).feed.updated == "2020-09-13T12:26:40+00:00"


def test_plans_being_read_stay_as_they_were_when_another_build_replaces_them(site, tmp_path):
    from sitegen.cache.code import code_digest
    from sitegen.cache.plans import Planned
    build(site, tmp_path / "out")
    stored = site / CACHE_DIR / "plans.pickle"
    planned = Planned.load(stored, code_digest())
    path = next(page.path for page in planned.pages if page.articles)
    before = planned.plan(path)
    # Another build of the same site, for another base URL, replaces the stored plans meanwhile.
    result = build_site(BuildOptions(source=site, base_url="https://other.example/x/"), disk_cache(site),
                        tmp_path / "other")
    assert result.ok and result.stats.planned_anew
    assert planned.plan(path) == before


def test_a_cache_from_another_clone_gives_a_warm_build_equal_to_a_cold_one(site, tmp_path):
    """As CI restores .sitegen-cache into a fresh clone, whose every file is new to the file system:
    the articles come from the cache (their bytes decide), and the output is a cold build's."""
    first = tmp_path / "first-clone"
    shutil.copytree(site, first, ignore=shutil.ignore_patterns(CACHE_DIR))
    assert build(first, first / "output").articles_processed == 60
    later = tmp_path / "later-clone"
    shutil.copytree(site, later, ignore=shutil.ignore_patterns(CACHE_DIR), copy_function=shutil.copy)  # new times
    shutil.copytree(first / CACHE_DIR, later / CACHE_DIR)  # what actions/cache restores
    stats = build(later, later / "output")
    assert stats.articles_processed == 0
    cold = build(site, tmp_path / "cold", cache=BuildCache())
    assert cold.articles_processed == 60
    assert tree_bytes(later / "output") == tree_bytes(tmp_path / "cold")


def test_sitegen_check_leaves_the_cache_warm_for_the_build_after_it(site, capsys):
    assert run_sitegen(["check", "--source", site], capsys)[0] == 0
    assert build(site, site / "output").articles_processed == 0


def test_one_cache_kept_across_builds_reads_only_what_changed_after_a_parallel_cold_build(site, tmp_path):
    """As the preview builds, many times with one cache: the works the workers stored in the cold
    build are known to the builds after it, which read only the edited article again."""
    cache, out = disk_cache(site), tmp_path / "out"
    assert build(site, out, jobs=2, cache=cache).articles_processed == 60
    source = article_file(site, "article-0007")
    source.write_text(source.read_text() + "\nA last paragraph, added.\n")
    assert build(site, out, jobs=2, cache=cache).articles_processed == 1
    for path in source.parent.glob(source.stem + ".*"):  # the article and its thread
        path.unlink()
    assert build(site, out, jobs=2, cache=cache).articles_processed == 0


def test_a_build_after_no_change_still_repairs_what_was_done_to_the_output(site, tmp_path):
    """A build that finds nothing changed stops early, unless the output is not as it left it."""
    out = tmp_path / "out"
    build(site, out)
    built = tree_bytes(out)
    page = next(out.rglob("article-0007/index.html"))
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>Edited by hand.</p></body>"))
    feed = next(out.rglob("tags/*/feed.xml"))
    feed.unlink()
    build(site, out)
    assert tree_bytes(out) == built
    build(site, out)  # and the next build, after that repair, finds nothing changed
    assert tree_bytes(out) == built
