"""What `sitegen check` reads of a built page: the URLs it follows or loads, with their lines,
its ids, and its text as text fragments match it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote

from sitegen.render.anchoring import UNSEEN_ELEMENTS, WORD_BREAKS, fold

# The attributes whose URL a browser follows (a, area) or loads (the rest).
_URL_ATTRIBUTES = {
    "a": ("href",), "area": ("href",), "link": ("href",), "img": ("src", "srcset"),
    "source": ("src", "srcset"), "script": ("src",), "iframe": ("src",), "embed": ("src",),
    "video": ("src", "poster"), "audio": ("src",), "track": ("src",), "object": ("data",),
    "input": ("src",),
}
# A <link> loads an asset for these rels; for the others (canonical, alternate, ...) it is a link.
_ASSET_RELS = {"stylesheet", "icon", "apple-touch-icon", "manifest", "preload", "modulepreload", "prefetch"}


@dataclass(frozen=True, slots=True)
class Reference:
    """A URL written in a built file: what a reader's browser or feed reader will ask for."""

    url: str
    """As written in the file (after entity decoding)."""
    line: int | None
    what: str
    """Where it was written, for messages: "<a href>", "<img src>", "<loc>"."""
    is_asset: bool = False
    rels: frozenset[str] = frozenset()
    type: str = ""


@dataclass(slots=True)
class Page:
    """What `check` needs of one HTML document: its ids, the URLs it names, its visible text."""

    ids: dict[str, int] = field(default_factory=dict)
    duplicate_ids: list[tuple[str, int]] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    base: str | None = None
    """The <base href>, when the page has one."""
    text: str = ""
    """The text a reader sees, whitespace folded and case-folded (as text fragments match it)."""


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._text: list[str] = []
        self._unseen = 0

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")  # as browsers do, the first of a repeated attribute wins
        page = self.page
        for ident in (values.get("id"), values.get("name") if tag == "a" else None):
            if ident:
                if ident in page.ids and ident == values.get("id"):
                    page.duplicate_ids.append((ident, line))
                page.ids.setdefault(ident, line)
        if tag == "base" and "href" in values and page.base is None:
            page.base = values["href"]
        rels = frozenset(values.get("rel", "").lower().split())
        is_asset = tag not in ("a", "area") and (tag != "link" or bool(rels & _ASSET_RELS))
        for attribute in _URL_ATTRIBUTES.get(tag, ()):
            if attribute not in values:
                continue
            written = _srcset_urls(values[attribute]) if attribute == "srcset" else [values[attribute]]
            for url in written:
                page.references.append(Reference(url, line, f"<{tag} {attribute}>", is_asset, rels,
                                                 values.get("type", "").lower()))
        if tag in UNSEEN_ELEMENTS:
            self._unseen += 1
        if tag in WORD_BREAKS:
            self._text.append(" ")

    def handle_endtag(self, tag):
        if tag in UNSEEN_ELEMENTS and self._unseen:
            self._unseen -= 1
        if tag in WORD_BREAKS:
            self._text.append(" ")

    def handle_data(self, data):
        if not self._unseen:
            self._text.append(data)

    def close(self):
        super().close()
        self.page.text = folded("".join(self._text))


def parse_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


def _srcset_urls(srcset: str) -> list[str]:
    """"a.jpg 1x, b.jpg 2x" -> ["a.jpg", "b.jpg"]."""
    return [candidate.split()[0] for candidate in srcset.split(",") if candidate.strip()]


def folded(text: str) -> str:
    """As text fragments match: whitespace folded as for quotes, and case ignored."""
    return fold(text).casefold()


def text_directives(directive: str) -> list[list[str]]:
    """The texts a fragment directive names: "text=prefix-,start,end,-suffix&text=x" ->
    [["start", "end"], ["x"]] (the prefix and suffix only pick among matches, so are not needed)."""
    texts = []
    for part in directive.split("&"):
        if not part.startswith("text="):
            continue
        terms = part.removeprefix("text=").split(",")
        if terms and terms[0].endswith("-"):
            terms = terms[1:]
        if terms and terms[-1].startswith("-"):
            terms = terms[:-1]
        texts.append([unquote(term) for term in terms if term])
    return texts
