"""The repo root is a site: its example digest holds both seed documents, completely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, TESTS

SEEDS = TESTS / "seeds"
MACRON_INF = "2019/11/macron-inf-moratorium/index.html"
MACRON_PUTIN = "2022/02/macron-putin-meeting/index.html"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from sitegen.cli import main
    out = tmp_path_factory.mktemp("example") / "output"
    assert main(["build", "--source", str(REPO), "--output", str(out)]) == 0
    return out


def page(built: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((built / name).read_text(encoding="utf-8"), "html.parser")


def folded(text: str) -> str:
    return " ".join(text.split())


def thread_shape(soup: BeautifulSoup) -> list[tuple[str, str, str | None]]:
    """(comment id, handle, parent comment id) for every comment, from the page's nesting."""
    shape = []
    for item in soup.select("li.comment"):
        parent = item.find_parent("li", class_="comment")
        handle = item.select_one(".comment-author").get_text(strip=True)
        shape.append((item["id"], handle, parent["id"] if parent else None))
    return shape


def test_first_seed_thread_is_nested_as_on_the_source(built):
    soup = page(built, MACRON_INF)
    assert thread_shape(soup) == [
        ("comment-steelmaker", "steelmaker", None),
        ("comment-oyo-sarkazmi", "Oyo Sarkazmi", None),
        ("comment-gorenina91", "gorenina91", None),
        ("comment-pishenkov", "Pishenkov", "comment-gorenina91"),
    ]
    names = {li["id"]: li.select_one(".comment-name") for li in soup.select("li.comment")}
    assert names["comment-gorenina91"].get_text() == "(Irina)"
    assert names["comment-pishenkov"].get_text() == "(Alexey)"
    times = [t["datetime"] for t in soup.select("li.comment .comment-meta time")]
    assert times == ["2019-11-28T10:37:00+03:00", "2019-11-28T15:10:00+03:00",
                     "2019-11-28T17:06:00+03:00", "2019-11-29T11:37:00+03:00"]


def test_second_seed_thread_is_closed_with_the_source_count(built):
    soup = page(built, MACRON_PUTIN)
    assert [c for c, _, parent in thread_shape(soup)] == [f"comment-c{n}" for n in range(1, 6)]
    comments = soup.select_one("section.comments")
    assert "The source had 6 comments; 5 are kept here." in folded(comments.get_text())
    assert comments.select_one(".comments-closed").get_text() == "Comments are closed."


@pytest.mark.parametrize("seed,name", [("000_da3a4a8fad56db28.txt", MACRON_INF), ("003_356965f95fd372ce.txt", MACRON_PUTIN)])
def test_every_line_of_the_seed_is_on_its_page(built, seed, name):
    """Each sentence of the source document, article and comments alike, reads on the page."""
    soup = page(built, name)
    for editorial in soup.select("a.note-ref, aside.note"):  # the editor's additions, not the source's
        editorial.decompose()
    text = folded(soup.get_text(""))
    missing = []
    for line in (SEEDS / seed).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        # Page furniture of the source, not its content: list numbers, "Offline" badges,
        # topwar's "10: 37" times (checked above as datetimes) and the thread's heading.
        line = re.sub(r"^(\d+\.|•)\s+", "", line)
        if (not line or " Offline " in f" {line} " or re.search(r"\d{4} \d+: \d\d$", line)
                or line.startswith(("6 thoughts on", "Photos used:"))):
            continue
        line = line.lstrip("- ")
        for sentence in re.split(r"(?<=[.!?…])\s+", line):
            if folded(sentence) not in text:
                missing.append(sentence)
    assert missing == []


def test_the_seeds_attribution_is_shown(built):
    first = folded(page(built, MACRON_INF).get_text(" "))
    assert "Photos used: kursiv.kz" in first and "Source: Topwar" in first
    second = folded(page(built, MACRON_PUTIN).get_text(" "))
    assert "Will Porter contributed to the article." in second
    assert "Source: The Libertarian Institute" in second


def test_annotations_are_pinned_to_passages_and_comments(built):
    soup = page(built, MACRON_INF)
    assert soup.select_one("#passage-2").get_text() == "capable of flying 27 times faster than the speed of sound"
    assert soup.select_one("#note-2") and soup.select_one('a.note-ref[href="#note-2"]')
    assert soup.select_one("#comment-pishenkov aside.note#note-4")
    second = page(built, MACRON_PUTIN)
    assert second.select_one("#comment-c4 aside.note")


def test_home_lists_both_articles_newest_first(built):
    titles = [a.get_text() for a in page(built, "index.html").select(".entry .entry-title a")]
    assert titles == ["Macron-Putin Meeting Produces Potential Deal as Biden Continues Threats",
                      "Putin's proposal to not deploy missiles: Macron is ready to go against NATO"]
