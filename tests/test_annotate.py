"""Annotating: a note whose passage was corrected away names the passage now nearest it (issue 17)."""

from __future__ import annotations

from conftest import run_sitegen, write_site

SITE = "title: T\nbase_url: https://example.org/\nsearch: false\n"
CORRECTED = """---
title: Avangard
date: 2020-01-02
annotations:
  - quote: hypersonic missile entered service
    note: Mach 27 is the ministry's figure.
  - quote: the ministry told
    prefix: missile was shown, and
    suffix: so again
    note: The second time.
---
The first paragraph says nothing.

The Avangard hypersonic glide vehicle entered service in December, the ministry said on
Friday. Later the *Avangard* missile was shown, and the ministry said so again.
"""


def test_a_lost_quote_is_an_error_that_names_the_nearest_passage_and_its_line(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"sitegen.yaml": SITE, "content/a.md": CORRECTED})
    code, _, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 1 and not (site / "output").exists()
    lost = "matches nothing in the article's text (quotes are matched exactly, whitespace folded)"
    assert err.splitlines()[:2] == [
        f"content/a.md:5: annotations[1].quote: 'hypersonic missile entered service' {lost}; the nearest "
        'passage now, on line 14, would be quote: "hypersonic glide vehicle entered service"',
        f"content/a.md:7: annotations[2].quote: 'the ministry told' {lost}; the nearest passage now, on line 15, "
        'would be quote: "the ministry said", prefix: "missile was shown, and"']
