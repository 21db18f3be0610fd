"""No input breaks sitegen (Hypothesis): generated sites, with front matter of every field and of
wrong types, threads nested and flat with cycles and dangling parents, annotations whose quotes
overlap or are missing, hostile Unicode and names. Every build either succeeds with an output
that passes the site's own `check`, or fails with errors that name their file, leaving the
previous output as it was; never a traceback, a hang, or a file written outside the output.

The number of examples is bounded for CI (SITEGEN_HYPOTHESIS_EXAMPLES raises it for a long run).
A failing example Hypothesis finds is kept below as an @example, so it stays a regression case.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, example, given, settings, strategies as st

from conftest import tree_bytes
from sitegen.build import BuildOptions, build_site
from sitegen.check import check_site

EXAMPLES = int(os.environ.get("SITEGEN_HYPOTHESIS_EXAMPLES", "40"))

# Text a hostile or careless writer might paste: markup, quotes, bidi controls, combining marks,
# a NUL, path pieces, surrogate-free astral characters.
hostile = st.sampled_from([
    "<script>alert(1)</script>", "\"'", "../../etc/passwd", "CON", "a/b", "\u202ertl\u202c", "e\u0301",
    "\x00", "🙂", "Ünïcödé", "", " ", "#", "%(num)s", "{{ 7*7 }}", "---", "- x", ": y", "\t", "Con", "aux", "LPT1",
    "Café", "cafe", "x" * 300,
])
words = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30) | hostile
plain_words = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=30)
scalars = st.none() | st.booleans() | st.integers(-5, 10**6) | words | st.lists(words, max_size=3) | \
    st.dictionaries(words, words, max_size=2)


comment_links = st.sampled_from(["[c1](#comment-c1)", "[x](#comment-x)", "[none](#comment-nobody)"])
"""Links to a comment by its fragment: on this page of its thread, another, or none (the author's
broken link, which `check` finds)."""
text = (st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
        .filter(lambda t: "](" not in t)  # no other link of the author's: one to nothing is theirs to fix
        | hostile.filter(str.strip) | comment_links)
"""Text that is valid where text is asked for, however hostile."""
good_dates = st.sampled_from(["2020-01-02", "2021-06-15 10:30", "2019-11-28T08:00:00+03:00"])


def either(valid, wrong: bool):
    """A valid value, or, in a site drawn to be wrong, anything at all."""
    return valid | scalars if wrong else valid


@st.composite
def comments(draw, wrong: bool, depth=0):
    item = {"body": draw(either(text, wrong))}
    for key, values in (("id", text.filter(lambda t: t.isidentifier()) | st.sampled_from(["c1", "c2", "x"])),
                        ("author", text), ("name", text),
                        # The site's own host outside its path is another site (a commenter's page).
                        ("url", st.sampled_from(["https://example.com/u", "https://example.org/elsewhere/",
                                                 "javascript:alert(1)", "x"])),
                        ("date", good_dates), ("language", st.sampled_from(["ru", "ar", "en"]))):
        if draw(st.booleans()):
            item[key] = draw(either(values, wrong))
    if wrong and draw(st.booleans()):
        item["parent"] = draw(words | st.sampled_from(["c1", "c2"]))  # dangling, a cycle, or itself
    if depth < 3 and draw(st.booleans()):
        item["replies"] = draw(st.lists(comments(wrong, depth + 1), max_size=2))
    return item


@st.composite
def articles(draw, wrong: bool):
    body = draw(st.lists(plain_words | text, min_size=1, max_size=4).map("\n\n".join))
    front = {"title": draw(either(text, wrong)), "date": draw(either(good_dates, wrong))}
    for key, values in (("updated", good_dates), ("slug", st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)),
                        ("tags", st.lists(text, max_size=3)), ("authors", st.lists(text, max_size=2)),
                        ("summary", text), ("draft", st.just(False)), ("language", st.sampled_from(["ru", "ar", "de"])),
                        ("source", st.fixed_dictionaries({"name": text}, optional={"url": st.just("https://x.org/a")})),
                        ("image", st.fixed_dictionaries({"credit": text})), ("unknown_key", scalars)):
        if draw(st.booleans()):
            front[key] = draw(either(values, wrong))
    thread = draw(st.none() | st.lists(comments(wrong), max_size=4) |
                  st.fixed_dictionaries({"comments": st.lists(comments(wrong), max_size=3)},
                                        optional={"closed": either(st.booleans(), wrong)}))
    # Notes on words of the body (overlapping when two pick the same), on a comment, or on nothing.
    quotes = st.sampled_from(body.split()[:3]) | (words if wrong else st.nothing())
    if draw(st.booleans()):
        front["annotations"] = draw(st.lists(st.one_of(
            st.fixed_dictionaries({"note": text, "quote": quotes}, optional={"author": text}),
            st.fixed_dictionaries({"note": text, "comment": st.sampled_from(["c1", "c2", "nobody"])})), max_size=3))
    return front, body, thread


@st.composite
def sites(draw):
    wrong = draw(st.booleans())
    config = {"title": draw(either(text, wrong)), "base_url": "https://example.org/digest/"}
    for key, values in (("language", st.sampled_from(["en", "ru", "ar", "pt-BR", "zz"])),
                        ("timezone", st.sampled_from(["UTC", "Europe/Moscow"])),
                        ("per_page", st.integers(1, 3)),
                        ("comments_per_page", st.integers(1, 2)),
                        ("permalink", st.sampled_from(["/{year}/{slug}/", "/{slug}/", "/{year}/{month}/{day}/{slug}/"])),
                        ("people_exclude", st.lists(text, max_size=2))):
        if draw(st.booleans()):
            config[key] = draw(either(values, wrong))
    names = draw(st.lists(st.sampled_from(["a", "b", "2020/c", "é", "x y", "d/index", "con", "Aux", "B", "n" * 240]),
                          min_size=1, max_size=3, unique=True))
    return config, {name: draw(articles(wrong)) for name in names}


def write(root: Path, site) -> None:
    config, articles_by_name = site
    root.mkdir(parents=True)
    (root / "sitegen.yaml").write_text(yaml.safe_dump({**config, "search": False}, allow_unicode=True),
                                       encoding="utf-8")
    for name, (front, body, thread) in articles_by_name.items():
        path = root / "content" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body + "\n", encoding="utf-8")
        if thread is not None:
            base = path.with_suffix("") if not name.endswith("/index") else path.parent
            thread_path = base.parent / f"{base.name}.comments.yaml" if not name.endswith("/index") \
                else base / "comments.yaml"
            thread_path.write_text(yaml.safe_dump(thread, allow_unicode=True), encoding="utf-8")


def everything_under(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


GOOD = ({"title": "A digest", "base_url": "https://example.org/digest/"},
        {"a": ({"title": "T", "date": "2020-01-02"}, "Body.", None)})


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sites())
@example(GOOD)
@example(({**GOOD[0], "timezone": "x" * 300}, GOOD[1]))  # was a traceback: too long for a zoneinfo file name
def test_any_site_builds_and_checks_or_fails_with_errors_that_name_their_file(site):
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        root, out = work / "site", work / "out"
        # The previous output: a good build of another site, which a failed build must leave as it was.
        previous = work / "previous"
        write(previous, GOOD)
        assert build_site(BuildOptions(source=previous, jobs=1), out_dir=out).ok
        shutil.rmtree(previous)
        before_out = tree_bytes(out)
        write(root, site)
        before = everything_under(work)

        result = build_site(BuildOptions(source=root, jobs=1), out_dir=out)  # a traceback fails the test

        made = everything_under(work) - before
        assert [name for name in made if not name.startswith(("out/", "site/.sitegen-cache"))] == [], \
            "nothing is written outside the output (and the site's cache)"
        errors = [d for d in result.diagnostics if d.is_error]
        # Every error names the file that has it (a setting's errors name sitegen.yaml).
        assert [d for d in errors if not (root / d.path).exists()] == [], errors
        event("refused with errors" if errors else "built and checked")  # pytest --hypothesis-show-statistics
        if errors:
            assert not result.ok
            assert tree_bytes(out) == before_out, "a failed build leaves the previous output as it was"
            return
        checked = check_site(BuildOptions(source=root, jobs=1))
        assert checked.output is not None
        # A link to a comment that no thread has is the author's, and `check` is there to find it;
        # every other link sitegen made, to a comment on whatever page of its thread, must work.
        ids = {str(comment["id"]) for _, _, thread in site[1].values() for comment in all_comments(thread)
               if isinstance(comment, dict) and "id" in comment}
        problems = [p for p in checked.output.problems
                    if not ((link := re.search(r"#comment-([^'\s]*)'", p.message)) and link.group(1) not in ids)]
        assert problems == [], problems


def all_comments(thread) -> list:
    """Every comment of a drawn thread, replies included."""
    found = []
    for comment in thread if isinstance(thread, list) else []:
        found.append(comment)
        if isinstance(comment, dict):
            found += all_comments(comment.get("replies"))
    return found
