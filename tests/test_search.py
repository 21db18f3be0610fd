"""Search (/search/, the Pagefind index): what a build makes of it, and what a reader finds with it
in a real Chromium, under a GitHub Pages project path and in the preview."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser import static_server
from conftest import article, run_sitegen, tree_bytes, tree_stats, write_site
from sitegen.build import BuildOptions, build_site, disk_cache
from sitegen.check import inspect_output
from sitegen.load.config import load_config
from sitegen.render import planner
from sitegen.render.pagefind import decode, decode_fragment, probe_pagefind

FILLER = "Another reader writes at length about the budget, the weather and the ferry timetable."


def thread(count: int, special: dict[int, str]) -> str:
    """A comments file of `count` comments; comment i says special[i] where given."""
    lines = []
    for number in range(1, count + 1):
        lines += [f"- id: c{number}", f"  author: reader{number}", f"  name: Reader Number {number}",
                  f"  date: 2021-0{1 + number % 9}-1{number % 9} 10:00",
                  f"  body: {special.get(number, FILLER + f' Comment {number}.')}"]
    return "\n".join(lines) + "\n"


def digest(root: Path, base_url: str = "https://example.org/sub/") -> Path:
    """Three articles: a word only in one comment deep in a long thread (zanzibarite, on the
    thread's third page), a word only in an editor's note (quokkalore), and a word in an article
    and in a comment (lighthouse)."""
    note = [{"quote": "harbour master", "note": "The quokkalore archive confirms the date."}]
    return write_site(root, {
        "sitegen.yaml": f"title: Harbour Digest\nbase_url: {base_url}\ntimezone: UTC\ncomments_per_page: 5\n",
        "content/2020/ferries.md": article("Ferries at dawn", "2020-03-04", "The harbour master spoke of the ferries at tidewater.",
                                           tags=["Harbour"], annotations=note),
        "content/2020/ferries.comments.yaml": thread(14, {12: "I once found zanzibarite on the pier, honestly."}),
        "content/2021/lighthouse.md": article("The lighthouse keeper", "2021-06-01",
                                              "The lighthouse stood for a century above the tidewater.", tags=["Coast"]),
        "content/2021/lighthouse.comments.yaml": thread(3, {2: "My grandfather kept that lighthouse too."}),
        "content/2022/storm.md": article("A storm in May", "2022-05-10", "Nothing about towers here, only tidewater.", tags=["Coast"]),
    })


def build(root: Path, capsys, *extra) -> tuple[int, str]:
    code, _, stderr = run_sitegen(["build", "--source", root, *extra], capsys)
    return code, stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The digest built with base_url .../sub/ and served at /sub/, as GitHub Pages serves a project."""
    top = tmp_path_factory.mktemp("pages")
    site = digest(top / "site", "http://127.0.0.1/sub/")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(planner, "ARTICLES_PER_SHARD", 1)  # three shards, merged by the search page
        result = build_site(BuildOptions(source=site), out_dir=top / "www" / "sub")
    assert result.ok, result.diagnostics
    with static_server(top / "www") as origin:
        yield origin + "sub/"


def search(page, origin: str, query: str):
    page.goto(f"{origin}search/?{query}")
    # Done when the status says how many were found, in any language: not empty, not "Searching…".
    page.wait_for_function("""() => {
        const said = document.querySelector(".search-status").textContent;
        return said && said !== JSON.parse(document.querySelector("[data-words]").dataset.words).searching;
    }""")
    return page.locator(".search-hit")


# ---- what the build makes ---------------------------------------------------------------------------


def test_the_index_holds_each_article_with_its_comments_and_notes_as_headings(tmp_path, capsys):
    site = digest(tmp_path / "site")
    assert build(site, capsys) == (0, "")
    out = site / "output"
    entry = json.loads((out / "pagefind/0/pagefind-entry.json").read_text())
    meta = decode((out / f"pagefind/0/pagefind.{entry['languages']['en']['hash']}.pf_meta").read_bytes())
    documents = {d["url"]: d for d in (decode_fragment((out / f"pagefind/0/fragment/{h}.pf_fragment").read_bytes())
                                       for h, _ in meta[1])}
    assert sorted(documents) == ["/2020/03/ferries/", "/2021/06/lighthouse/", "/2022/05/storm/"]
    ferries = documents["/2020/03/ferries/"]
    anchors = [a["id"] for a in ferries["anchors"] if a["element"] == "h2"]
    assert anchors[0] == "comment~2021-02-11~#comment-c1" and anchors[-1] == "note~2020-03-04~#note-1"
    assert anchors[11] == "comment~2021-04-13~page/3/#comment-c12", "the page of the thread that holds it"
    assert ferries["filters"]["kind"] == ["article", "comment", "note"]
    assert ferries["filters"]["year"] == ["2020", "2021"] and ferries["filters"]["tag"] == ["Harbour"]
    # The note beside its passage is indexed once, under its heading, not in the article's text as well.
    assert ferries["content"].count("quokkalore") == 1
    assert "reader12 (Reader Number 12)" in [a["text"] for a in ferries["anchors"]]
    # The search page names the shard folders, at the project path; every other page has the field.
    search_page = (out / "search/index.html").read_text()
    assert 'data-shards="/sub/pagefind/0/"' in search_page and 'src="/sub/search.js"' in search_page
    assert 'action="/sub/search/"' in (out / "index.html").read_text()
    assert "search.js" not in (out / "index.html").read_text()


def test_same_input_same_index_bytes(tmp_path, capsys):
    site = digest(tmp_path / "site")
    assert build(site, capsys, "--no-cache", "--output", tmp_path / "a")[0] == 0
    assert build(site, capsys, "--no-cache", "--output", tmp_path / "b")[0] == 0
    first, second = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert any(name.endswith(".pf_filter") for name in first)
    assert first == second


def test_search_false_makes_no_index_page_or_field(tmp_path, capsys):
    site = digest(tmp_path / "site")
    (site / "sitegen.yaml").write_text("title: T\nbase_url: https://example.org/\nsearch: false\n")
    assert build(site, capsys) == (0, "")
    out = site / "output"
    assert not (out / "pagefind").exists() and not (out / "search").exists()
    assert "site-search" not in (out / "index.html").read_text()


def test_without_pagefind_the_build_succeeds_with_one_warning(tmp_path, capsys, monkeypatch, request):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    probe_pagefind.cache_clear()  # probed once per process: again here, and after the test
    request.addfinalizer(probe_pagefind.cache_clear)
    site = digest(tmp_path / "site")
    code, stderr = build(site, capsys)
    assert code == 0
    warnings = [line for line in stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "search is off for this build" in warnings[0] and "no-such-pagefind" in warnings[0]
    out = site / "output"
    assert not (out / "pagefind").exists()
    assert "Search is not available on this site" in (out / "search/index.html").read_text()


def test_an_edit_indexes_one_shard_again_and_no_change_touches_none(tmp_path, monkeypatch):
    monkeypatch.setattr(planner, "ARTICLES_PER_SHARD", 1)  # one shard per article, oldest first
    site = digest(tmp_path / "site")
    options, out = BuildOptions(source=site), site / "output"
    assert build_site(options, disk_cache(site), out).ok
    before = tree_stats(out / "pagefind")
    assert {name.split("/")[0] for name in before} == {"0", "1", "2"}
    assert build_site(options, disk_cache(site), out).ok
    assert tree_stats(out / "pagefind") == before
    lighthouse = site / "content/2021/lighthouse.md"
    lighthouse.write_text(lighthouse.read_text() + "\nA new paragraph about gulls.\n")
    result = build_site(options, disk_cache(site), out)
    assert result.ok
    after = tree_stats(out / "pagefind")
    changed = {name.split("/")[0] for name in after if before.get(name) != after[name]}
    assert changed == {"1"}
    assert [path for path in result.stats.made if path.startswith("pagefind/")] == ["pagefind/1/pagefind-entry.json"]


def test_check_finds_an_index_that_leads_nowhere(tmp_path, capsys):
    site = digest(tmp_path / "site")
    assert run_sitegen(["check", "--source", site], capsys)[0] == 0
    result = build_site(BuildOptions(source=site))
    files = dict(result.files)
    config = load_config(site)[0]
    fragment = next(name for name in files if name.startswith("pagefind/0/fragment/"))
    document = decode_fragment(files[fragment])
    del files[document["url"].strip("/") + "/index.html"]
    problems = [str(p) for p in inspect_output(files, config).problems]
    assert any(f"the search index leads to {document['url']}, which the site does not have" in p for p in problems)
    del files[fragment]
    problems = [str(p) for p in inspect_output(files, config).problems]
    assert any(f"names {fragment}, which the search index does not have" in p for p in problems)


# ---- what a reader finds, in Chromium ---------------------------------------------------------------


def test_a_word_in_one_comment_finds_that_comment_and_leads_to_it(served, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1000, "height": 700})
    hits = search(page, served, "q=zanzibarite")
    assert hits.count() == 1
    first = hits.first
    assert first.locator(".search-hit-kind").inner_text() == "Comment"
    assert first.locator(".search-hit-who").inner_text() == "reader12 (Reader Number 12)"
    assert first.locator("mark").inner_text() == "zanzibarite"
    assert page.locator(".search-result-title a").inner_text() == "Ferries at dawn"
    first.locator(".search-hit-excerpt a").click()
    page.wait_for_url("**/sub/2020/03/ferries/page/3/#comment-c12")
    comment = page.locator("#comment-c12")
    assert comment.evaluate("node => node.matches(':target')")
    # The theme scrolls smoothly: the comment comes into view, and stays there.
    page.wait_for_function("() => { const top = document.getElementById('comment-c12').getBoundingClientRect().top;"
                           " return top >= 0 && top < innerHeight / 2; }")
    page.go_back()
    page.wait_for_url("**/sub/search/?q=zanzibarite")
    page.locator(".search-hit").first.wait_for()
    assert page.locator("#search-q").input_value() == "zanzibarite"
    assert page.locator(".search-hit").count() == 1


def test_a_word_in_a_note_lands_on_the_note(served, browser_page):
    page = browser_page
    hits = search(page, served, "q=quokkalore")
    assert hits.count() == 1
    assert hits.first.locator(".search-hit-kind").inner_text() == "Editor’s note"
    href = hits.first.locator(".search-hit-excerpt a").get_attribute("href")
    assert href == "/sub/2020/03/ferries/#note-1"
    hits.first.locator(".search-hit-excerpt a").click()
    page.wait_for_url("**/sub/2020/03/ferries/#note-1")
    assert page.locator("#note-1").evaluate("node => node.matches(':target')")


def test_the_kind_filter_narrows_and_the_query_stays_in_the_url(served, browser_page):
    page = browser_page
    hits = search(page, served, "q=lighthouse")
    assert sorted(hits.locator(".search-hit-kind").all_inner_texts()) == ["Article", "Comment"]
    page.select_option("#search-kind", "comment")
    page.wait_for_url("**/sub/search/?q=lighthouse&kind=comment")
    page.locator(".search-hit").first.wait_for()
    assert page.locator(".search-hit .search-hit-kind").all_inner_texts() == ["Comment"]
    page.go_back()
    page.wait_for_url("**/sub/search/?q=lighthouse")
    page.wait_for_function("document.querySelectorAll('.search-hit').length === 2")
    assert page.locator("#search-kind").input_value() == ""


@pytest.mark.parametrize("order,titles", [
    ("newest", ["A storm in May", "The lighthouse keeper", "Ferries at dawn"]),
    ("oldest", ["Ferries at dawn", "The lighthouse keeper", "A storm in May"])])
def test_newest_and_oldest_first_across_shards(served, browser_page, order, titles):
    page = browser_page
    search(page, served, f"q=tidewater&sort={order}")
    assert page.locator(".search-result-title a").all_inner_texts() == titles
    assert page.locator(".search-status").inner_text() == "3 articles with a match for “tidewater”."


def test_the_header_field_searches_from_any_page(served, browser_page):
    page = browser_page
    page.goto(served)
    page.fill("#site-search-q", "zanzibarite")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/sub/search/?q=zanzibarite")
    page.locator(".search-hit").first.wait_for()


def test_the_preview_searches_the_preview(tmp_path, start_preview, browser_page):
    site = digest(tmp_path / "site")
    server = start_preview(site)
    hits = search(browser_page, server.url, "q=zanzibarite")
    assert hits.count() == 1


@pytest.mark.parametrize("patch_limit", [256, 0], ids=["patched", "staged"])
def test_a_shard_missing_a_file_is_made_again_whole(tmp_path, monkeypatch, patch_limit):
    from sitegen import build
    monkeypatch.setattr(build, "PATCH_LIMIT", patch_limit)  # 0: every build fills a fresh folder
    site = digest(tmp_path / "site")
    options, out = BuildOptions(source=site), site / "output"
    assert build_site(options, disk_cache(site), out).ok
    whole = tree_bytes(out / "pagefind")
    fragment = next((out / "pagefind/0/fragment").iterdir())
    fragment.unlink()
    result = build_site(options, disk_cache(site), out)
    assert result.ok
    assert "pagefind/0/pagefind-entry.json" in result.stats.made
    assert tree_bytes(out / "pagefind") == whole


@pytest.mark.parametrize("language,text,query", [
    ("ru", "Над рекой кружили серые цапли, и рыбаки молчали.", "цапля"),  # found by its stem
    ("ja", "公園の池で青いサギが魚を捕まえていました。", "サギ"),  # cut into words by the extended binary
    ("zh", "我们在公园里看到了一只苍鹭。", "苍鹭"),
])
def test_other_languages_find_their_words(tmp_path, browser_page, language, text, query):
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": f"title: T\nbase_url: http://127.0.0.1/\nlanguage: {language}\ntimezone: UTC\n",
        "content/2021/birds.md": article("Birds", "2021-05-01", text),
        "content/2021/other.md": article("Other", "2021-05-02", "Nothing to see."),
    })
    assert build_site(BuildOptions(source=site), out_dir=tmp_path / "www").ok
    with static_server(tmp_path / "www") as origin:
        hits = search(browser_page, origin, f"q={query}")
        assert hits.count() == 1
        assert browser_page.locator(".search-result-title a").inner_text() == "Birds"
