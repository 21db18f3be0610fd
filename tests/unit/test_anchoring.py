"""TextQuoteSelector matching against rendered text, and marking passages in the HTML."""

from __future__ import annotations

import pytest

from sitegen.render.anchoring import TextIndex, fold, mark_passages
from sitegen.render.markdown import render_trusted


def marked(markdown: str, *quotes: tuple[str, str | None, str | None]) -> str:
    html = render_trusted(markdown)
    index = TextIndex(html)
    passages = {}
    for number, (quote, prefix, suffix) in enumerate(quotes, 1):
        [start] = index.find(quote, prefix, suffix)
        passages[number] = index.passage(start, len(" ".join(quote.split())))
    return mark_passages(html, passages, {n: f"<aside>{n}</aside>" for n in passages})


def test_whitespace_is_folded_and_markup_is_crossed():
    index = TextIndex(render_trusted("The *Avangard*\nsystem  flies."))
    assert index.text == "The Avangard system flies."
    assert index.find("Avangard   system") == [4]


def test_prefix_and_suffix_pick_one_of_several_matches():
    index = TextIndex(render_trusted("one fish, two fish, red fish"))
    assert len(index.find("fish")) == 3
    assert index.find("fish", prefix="two") == [14]
    assert index.find("fish", suffix=", red") == [14]
    assert index.find("fish", prefix="blue") == []


def test_entities_match_as_the_reader_sees_them():
    index = TextIndex(render_trusted("Tom &amp; Jerry <b>&lt;3</b>"))
    assert index.find("Tom & Jerry <3") == [0]


def test_a_passage_across_elements_is_marked_piece_by_piece():
    html = marked("The *Avangard* system flies.", ("Avangard system", None, None))
    assert html == ('<p>The <em><mark class="annotated" id="passage-1" data-note="1">Avangard</mark></em>'
                    '<mark class="annotated" data-note="1"> system</mark>'
                    '<a class="note-ref" href="#note-1" aria-describedby="note-1">1</a> flies.</p><aside>1</aside>\n')


def test_a_passage_ending_in_a_link_gets_its_note_link_after_the_link():
    html = marked("Read [the report](https://example.org) now.", ("the report", None, None))
    assert '</mark></a><a class="note-ref"' in html


def test_overlapping_passages_nest_properly():
    html = marked("alpha beta gamma", ("alpha beta", None, None), ("beta gamma", None, None))
    assert html.count("<mark") == 4 and html.count("</mark>") == 4
    assert '<mark class="annotated" data-note="1"><mark class="annotated" id="passage-2" data-note="2">beta</mark></mark>' in html


def test_notes_go_after_the_top_level_block():
    html = marked("- item one\n- item two\n\nAfter.", ("item two", None, None))
    assert html.index("</ul><aside>1</aside>") < html.index("<p>After.")


def test_a_summary_shown_elsewhere_keeps_its_links_working():
    from sitegen.render.views import rebase_links
    html = ('<img src="plan.png" alt=""> <a href="../other/">x</a> <a href="/abs/">y</a> '
            '<a href="#fn1">z</a> <a href=\'https://e.org/\'>w</a> <a href="mailto:a@b">m</a>')
    assert rebase_links(html, "/digest/2020/01/a/") == (
        '<img src="/digest/2020/01/a/plan.png" alt=""> <a href="/digest/2020/01/other/">x</a> '
        '<a href="/abs/">y</a> <a href="/digest/2020/01/a/#fn1">z</a> <a href=\'https://e.org/\'>w</a> <a href="mailto:a@b">m</a>')


@pytest.mark.parametrize("html", [
    "", "   ", "<p>  one \n\t two  </p>\n<p>three</p>", "a&amp;b &nbsp; c", "x\u00a0\u2028\x1cy",
    "<p>one</p><br><p> two </p>", "<script>unseen text</script> seen <em> there </em>",
    '<p><a href="x"> linked  text </a>&#32;after</p>',
])
def test_every_character_of_the_folded_text_maps_back_to_where_it_is(html):
    index = TextIndex(html)
    assert index.text == fold("".join(piece.text for piece in index.pieces))
    for position, char in enumerate(index.text):
        piece, offset = index._origin(position)
        source = index.pieces[piece].text[offset]
        assert source == char or (char == " " and source.isspace())


CORRECTED = ("<p>The Avangard hypersonic glide vehicle entered service in December, the ministry said on "
             "Friday. Later the <em>Avangard</em> missile was shown, and the ministry said so again.</p>")


@pytest.mark.parametrize("quote, prefix, suffix, nearest", [
    ("Avangard hypersonic missile entered", None, None, "Avangard hypersonic glide vehicle entered"),
    ("the ministry announced on Friday", None, None, "the ministry said on Friday"),
    # The words around it pick the occurrence: the second "the ministry said", not the first.
    ("the ministry told", "missile was shown, and", "so again", "the ministry said"),
    ("Avangard missile", "Later the", "was shown", "Avangard missile"),
    ("nothing of the kind appears anywhere", None, None, None),
])
def test_a_quote_that_matches_nothing_gets_the_nearest_passage_in_whole_words(quote, prefix, suffix, nearest):
    index = TextIndex(CORRECTED)
    found = index.closest(quote, prefix, suffix)
    assert (index.text[found[0]:found[1]] if found else None) == nearest
    if found and prefix:
        assert index.text[:found[0]].rstrip().endswith(fold(prefix))
