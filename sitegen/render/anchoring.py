"""Find annotated passages in an article's rendered text and mark them in its HTML.

Quotes follow the W3C Web Annotation TextQuoteSelector (https://www.w3.org/TR/annotation-model/
#text-quote-selector): `exact` text with an optional `prefix` and `suffix` around it, matched
against the text a reader sees, with runs of whitespace folded to one space. A passage may cross
inline markup ("the *Avangard* system"); it is then marked piece by piece, one <mark> per text
node, so the HTML stays well formed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser


VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())
BLOCK_ELEMENTS = frozenset(
    "address article aside blockquote dd details div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
UNSEEN_ELEMENTS = frozenset(("script", "style", "template", "title"))
"""Their text is not on the page a reader sees, so no quote or text fragment can name it."""
WORD_BREAKS = BLOCK_ELEMENTS | {"br"}
"""Element boundaries that separate words in the text a reader sees."""
_FOLDED = re.compile(r"\s{2,}|[^\S ]")
"""Whitespace that folding changes: a run (what str.split() splits at, as fold() does), or one
character other than a space. A single space stays as it is."""
NEAR_ENOUGH = 50
"""How like a lost quote (`likeness`, 0-100) a passage must be to be offered in its place."""
_ENTITY = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")


@dataclass(slots=True)
class _Piece:
    start: int
    end: int
    text: str
    is_raw: bool
    """True when text is the HTML's own characters (offsets inside it are HTML offsets)."""
    block_end: int = -1
    """Where the top-level element holding this piece ends: notes are placed there."""
    link_end: int | None = None
    """Where the enclosing <a> ends, when the piece is inside a link."""


class _TextMap(HTMLParser):
    """Records each text node of the HTML with its offsets, and the ends of top-level elements."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.html = html
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.pieces: list[_Piece] = []
        self.depth = 0
        self.skip_depth = 0
        self.open_block: list[_Piece] = []  # pieces of the current top-level element
        self.open_links: list[list[_Piece]] = []
        self.feed(html)
        self.close()
        self._end_block(len(html))

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _tag_end(self, start: int) -> int:
        return self.html.index(">", start) + 1

    def _add(self, piece: _Piece) -> None:
        if self.skip_depth:
            return
        self.pieces.append(piece)
        self.open_block.append(piece)
        if self.open_links:
            self.open_links[-1].append(piece)

    def _virtual_space(self, at: int) -> None:
        self._add(_Piece(at, at, " ", is_raw=False))

    def _end_block(self, at: int) -> None:
        for piece in self.open_block:
            piece.block_end = at
        self.open_block = []

    def handle_starttag(self, tag, attrs):
        start = self._offset()
        end = self._tag_end(start)
        if tag in UNSEEN_ELEMENTS:
            self.skip_depth += 1
        if tag in WORD_BREAKS:
            self._virtual_space(end)
        if tag == "a":
            self.open_links.append([])
        if tag not in VOID_ELEMENTS:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if tag in WORD_BREAKS:
            self._virtual_space(self._tag_end(self._offset()))

    def handle_endtag(self, tag):
        start = self._offset()
        end = self._tag_end(start)
        if tag in UNSEEN_ELEMENTS and self.skip_depth:
            self.skip_depth -= 1
        if tag == "a" and self.open_links:
            for piece in self.open_links.pop():
                piece.link_end = end
        if tag in BLOCK_ELEMENTS:
            self._virtual_space(start)
        if tag not in VOID_ELEMENTS and self.depth:
            self.depth -= 1
            if self.depth == 0:
                self._end_block(end)

    def handle_data(self, data):
        start = self._offset()
        self._add(_Piece(start, start + len(data), data, is_raw=True))

    def _entity(self):
        start = self._offset()
        match = _ENTITY.match(self.html, start)
        end = match.end() if match else start + 1
        self._add(_Piece(start, end, unescape(self.html[start:end]), is_raw=False))

    def handle_entityref(self, name):
        self._entity()

    def handle_charref(self, name):
        self._entity()


@dataclass(frozen=True, slots=True)
class Passage:
    """Where one quote matched: its text pieces in the HTML, and where its note goes."""

    position: int
    """The match's start in the folded text: passages are numbered in reading order."""
    segments: tuple[tuple[int, int], ...]
    """HTML ranges (start, end) of the text to wrap in <mark>."""
    ref_at: int
    """Where the link to the note goes: after the passage, outside any link it ends in."""
    note_at: int
    """Where the note goes: after the top-level element in which the passage ends."""


def likeness(wanted: str, found: str) -> float:
    """0-100: how like `wanted` a passage is, by edit distance (a changed word costs its letters
    once, as an editor sees it, where Indel counts them twice)."""
    from rapidfuzz.distance import Levenshtein  # here: only a build with a lost quote needs it (15 ms)
    return 100 * Levenshtein.normalized_similarity(wanted, found)


def fold(text: str) -> str:
    return " ".join(text.split())


class TextIndex:
    """An article's HTML with its visible text folded, to find quotes and map them back."""

    def __init__(self, html: str):
        self.html = html
        self.pieces = _TextMap(html).pieces
        parts: list[str] = []
        runs: list[tuple[int, int, int]] = []  # (start in the folded text, piece index, offset in its text)
        length = 0
        after_space = True  # whitespace at the very start is dropped

        def copy(index: int, text: str, start: int, end: int) -> None:
            nonlocal length, after_space
            if after_space and start < end and text[start] == " ":
                start += 1  # a run of whitespace, even across pieces, is one space
            if start < end:
                runs.append((length, index, start))
                parts.append(text[start:end])
                length += end - start
                after_space = text[end - 1] == " "

        for index, piece in enumerate(self.pieces):
            text, copied = piece.text, 0
            for space in _FOLDED.finditer(text):
                copy(index, text, copied, space.start())
                if not after_space:
                    runs.append((length, index, space.start()))
                    parts.append(" ")
                    length += 1
                    after_space = True
                copied = space.end()
            copy(index, text, copied, len(text))
        if parts and parts[-1].endswith(" "):  # nor is whitespace at the very end kept
            parts[-1] = parts[-1][:-1]
            if not parts[-1]:
                parts.pop()
                runs.pop()
        self.text = "".join(parts)
        self._runs = runs
        self._run_starts = [start for start, _, _ in runs]

    def _origin(self, position: int) -> tuple[int, int]:
        """(piece index, offset in its text) of a character of the folded text."""
        start, index, offset = self._runs[bisect_right(self._run_starts, position) - 1]
        return index, offset + position - start

    def find(self, quote: str, prefix: str | None = None, suffix: str | None = None) -> list[int]:
        """Start positions in the folded text where `quote` matches with its prefix and suffix."""
        exact = fold(quote)
        before, after = fold(prefix or ""), fold(suffix or "")
        found = []
        start = self.text.find(exact)
        while start != -1 and exact:
            end = start + len(exact)
            if self.text[:start].rstrip().endswith(before) and self.text[end:].lstrip().startswith(after):
                found.append(start)
            start = self.text.find(exact, start + 1)
        return found

    def closest(self, quote: str, prefix: str | None = None, suffix: str | None = None) -> tuple[int, int] | None:
        """The passage of the text most like a quote that matches nothing (the text was corrected
        since), whole words, as (start, end) in the folded text, or None when nothing is near
        enough to be a guess.

        As Hypothesis's client re-anchors a quote: candidates are found by approximate matching
        (rapidfuzz's best alignment of the quote alone, and of the quote with its prefix and
        suffix, when it has them), then scored by the quote's likeness first and by how well the
        text around each still reads as the prefix and suffix.
        """
        exact, before, after = fold(quote), fold(prefix or ""), fold(suffix or "")
        text = self.text
        if not exact or not text:
            return None

        def score(span: tuple[int, int]) -> tuple[float, int, int]:
            start, end = span
            context = sum(likeness(want, got) for want, got in (
                (before, text[max(0, start - len(before) - 1):start].strip()),
                (after, text[end:end + len(after) + 1].strip())) if want)
            # Ties: the span nearest the quote's length ("split into pages" for "cut into pages",
            # not "into pages,"), then the first.
            return 5 * likeness(exact, text[start:end]) + 2 * context, -abs(end - start - len(exact)), -start

        spans = {self._aligned(exact, 0, len(text))}
        if before or after:  # the words around may have survived where the quote did not
            around = self._aligned(f"{before} {exact} {after}".strip(), 0, len(text))
            spans.add(self._aligned(exact, *around))
        best = max((self._refined(span, score) for span in spans), key=score)
        return best if likeness(exact, text[best[0]:best[1]]) >= NEAR_ENOUGH else None

    def _refined(self, span: tuple[int, int], score) -> tuple[int, int]:
        """The span moved a word at a time at either end while that raises its score."""
        text = self.text

        def moves(start: int, end: int):
            if " " in text[start:end]:
                yield text.index(" ", start) + 1, end  # a word fewer at the start
                yield start, text.rindex(" ", start, end)  # ... at the end
            if start > 0:
                yield text.rfind(" ", 0, start - 1) + 1, end  # a word more at the start
            if end < len(text):
                yield start, (text.find(" ", end + 1) + 1 or len(text) + 1) - 1  # ... at the end
            if end - start > 1 and not text[end - 1].isalnum():
                yield start, end - 1  # a word's punctuation is not part of its words ("pages,")

        while True:
            better = max(moves(*span), key=score, default=span)
            if score(better) <= score(span):
                return span
            span = better

    def _aligned(self, wanted: str, low: int, high: int) -> tuple[int, int]:
        """The span of text[low:high] most like `wanted`, widened to whole words."""
        from rapidfuzz import fuzz
        found = fuzz.partial_ratio_alignment(wanted, self.text[low:high])
        text, start, end = self.text, low + found.dest_start, low + found.dest_end
        while start < end and text[start] == " ":
            start += 1
        while end > start and text[end - 1] == " ":
            end -= 1
        while start > 0 and text[start - 1] != " ":
            start -= 1
        while end < len(text) and text[end] != " ":
            end += 1
        return start, end

    def context(self, start: int, length: int, size: int = 32) -> tuple[str, str]:
        """The text just before and after a match, cut at word boundaries: a selector's prefix and suffix."""
        before = self.text[max(0, start - size):start]
        after = self.text[start + length:start + length + size]
        if start - size > 0 and " " in before:
            before = before.split(" ", 1)[1]
        if start + length + size < len(self.text) and " " in after:
            after = after.rsplit(" ", 1)[0]
        return before, after

    def passage(self, start: int, length: int) -> Passage:
        first_piece, first_offset = self._origin(start)
        last_piece, last_offset = self._origin(start + length - 1)
        segments = []
        for index in range(first_piece, last_piece + 1):
            piece = self.pieces[index]
            if piece.start == piece.end:
                continue
            if not piece.is_raw:
                _extend(segments, piece.start, piece.end)
                continue
            begin = first_offset if index == first_piece else 0
            finish = last_offset + 1 if index == last_piece else len(piece.text)
            if piece.text[begin:finish].strip():
                _extend(segments, piece.start + begin, piece.start + finish)
        last = self.pieces[last_piece]
        ref_at = last.link_end if last.link_end is not None else segments[-1][1]
        return Passage(start, tuple(segments), ref_at, max(last.block_end, ref_at))


def _extend(segments: list[tuple[int, int]], start: int, end: int) -> None:
    """Add a text range, joining it to the previous one when they touch ("one &amp; two")."""
    if segments and segments[-1][1] == start:
        segments[-1] = (segments[-1][0], end)
    else:
        segments.append((start, end))


def mark_passages(html: str, passages: dict[int, Passage], notes_html: dict[int, str]) -> str:
    """Wrap each numbered passage in <mark>, link it to its note, and place the note after its block.

    Overlapping passages are cut at every boundary of every passage, so each <mark> nests properly.
    """
    cuts = sorted({point for passage in passages.values() for segment in passage.segments for point in segment})
    covering: dict[tuple[int, int], list[int]] = {}  # a run of text between two cuts -> passages over it
    first_run: dict[int, tuple[int, int]] = {}
    for number, passage in sorted(passages.items()):
        for seg_start, seg_end in passage.segments:
            points = [p for p in cuts if seg_start <= p <= seg_end]
            for run in zip(points, points[1:]):
                covering.setdefault(run, []).append(number)
                first_run.setdefault(number, run)
    openers: dict[int, list[str]] = {}
    closers: dict[int, list[str]] = {}
    for (start, end), numbers in covering.items():
        for number in numbers:
            ident = f' id="passage-{number}"' if first_run[number] == (start, end) else ""
            openers.setdefault(start, []).append(f'<mark class="annotated"{ident} data-note="{number}">')
            closers.setdefault(end, []).append("</mark>")
    notes: dict[int, list[str]] = {}
    for number, passage in sorted(passages.items()):
        notes.setdefault(passage.ref_at, []).append(
            f'<a class="note-ref" href="#note-{number}" aria-describedby="note-{number}">{number}</a>')
    for number, passage in sorted(passages.items()):
        notes.setdefault(passage.note_at, []).append(notes_html[number])
    inserts = {point: closers.get(point, []) + notes.get(point, []) + openers.get(point, [])
               for point in set(openers) | set(closers) | set(notes)}
    out: list[str] = []
    last = 0
    for point in sorted(inserts):
        out.append(html[last:point])
        out.extend(inserts[point])
        last = point
    out.append(html[last:])
    return "".join(out)
