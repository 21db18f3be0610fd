"""WordPress's own text conventions, as its export holds them: paragraphs left to `wpautop`, and
shortcodes ([caption], [gallery], [embed], [code]) for the importer to expand."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sitegen.importers.wordpress import WordPressPost

_BLOCKS = ("address|article|aside|blockquote|caption|col|colgroup|dd|details|div|dl|dt|fieldset|figcaption|"
           "figure|footer|form|h[1-6]|header|hgroup|hr|legend|li|main|map|menu|nav|ol|p|section|summary|"
           "table|tbody|td|tfoot|th|thead|tr|ul")
_BLOCK_TAG = re.compile(rf"(</?(?:{_BLOCKS})\b[^>]*>)", re.IGNORECASE)
_VERBATIM = re.compile(r"<(pre|script|style|textarea)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BARE_URL_LINE = re.compile(r"(?m)^[ \t]*(https?://[^\s<>\"']+)[ \t]*$")
_NO_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "caption", "figcaption", "summary", "legend", "address"}
_TIGHT = {"li", "td", "th", "dd"}
_VOID = {"hr", "col"}


def autop(text: str) -> str:
    """The paragraphs WordPress adds when it shows a post or comment (its wpautop), as HTML.

    WordPress stores "one\\n\\ntwo\\nthree" and shows <p>one</p><p>two<br>three</p>; without this
    every comment would become one run-on paragraph. A line holding only a URL becomes a link
    (WordPress would embed it).
    """
    if not text.strip():
        return ""
    text = _HTML_COMMENT.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    verbatim: list[str] = []

    def set_aside(match: re.Match) -> str:
        verbatim.append(match[0])
        return f"\n\n\x00{len(verbatim) - 1}\x00\n\n"

    text = _VERBATIM.sub(set_aside, text)
    text = _BARE_URL_LINE.sub(r'<a href="\1">\1</a>', text)
    result: list[str] = []
    open_blocks: list[str] = []
    for part in _BLOCK_TAG.split(text):
        if _BLOCK_TAG.fullmatch(part):
            name = re.match(r"</?([A-Za-z0-9]+)", part)[1].lower()
            if part.startswith("</"):
                if name in open_blocks:
                    del open_blocks[len(open_blocks) - 1 - open_blocks[::-1].index(name):]
            elif name not in _VOID and not part.endswith("/>"):
                open_blocks.append(name)
            result.append(part)
            continue
        paragraphs = [p.strip() for p in re.split(r"\n[ \t]*\n", part) if p.strip()]
        container = open_blocks[-1] if open_blocks else None
        for paragraph in paragraphs:
            if re.fullmatch(r"\x00\d+\x00", paragraph):
                result.append(verbatim[int(paragraph[1:-1])])
                continue
            lines = re.sub(r"[ \t]*\n[ \t]*", "<br>\n", paragraph)
            if container in _NO_PARAGRAPHS or (container in _TIGHT and len(paragraphs) == 1):
                result.append(lines)
            else:
                result.append(f"<p>{lines}</p>")
    return "\n".join(result)


_ENCLOSING = re.compile(r"(?<!\[)\[(?P<tag>caption|wp_caption|embed|code|sourcecode)(?![\w-])(?P<attrs>[^\]]*)\]"
                        r"(?P<inner>.*?)\[/(?P=tag)\]", re.DOTALL)
_STANDALONE = re.compile(r"(?<!\[)\[(?P<tag>gallery|playlist|audio|video)(?![\w-])(?P<attrs>[^\]]*)\]"
                         r"(?:(?P<inner>[^\[]*)\[/(?P=tag)\])?")
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))""")
_MEDIA_KEYS = ("src", "mp3", "m4a", "ogg", "wav", "wma", "mp4", "m4v", "webm", "ogv", "wmv", "flv")
_PICTURE = re.compile(r"^\s*(?P<open><a\b[^>]*>\s*)?(?P<img><img\b[^>]*>)(?P<close>\s*</a>)?", re.IGNORECASE)


def expand_shortcodes(content: str, post_id: str, attachments: dict[str, WordPressPost]) -> str:
    """WordPress's core shortcodes as the HTML they stand for; any other shortcode stays as text.

    Plugins' shortcodes are left alone on purpose: "[1]" or "[sic]" in a post is text too, and
    only the plugin knew what its own shortcode meant.
    """
    def enclosing(match: re.Match) -> str:
        tag, attrs, inner = match["tag"], _attributes(match["attrs"]), match["inner"]
        if tag in ("caption", "wp_caption"):
            return _caption(attrs, inner)
        if tag == "embed":
            return _link_paragraph(inner.strip())
        return f"<pre><code>{html.escape(inner.strip(chr(10)))}</code></pre>"

    def standalone(match: re.Match) -> str:
        tag, attrs = match["tag"], _attributes(match["attrs"])
        if tag in ("gallery", "playlist"):
            ids = [i.strip() for i in (attrs.get("ids") or attrs.get("include") or "").split(",") if i.strip()]
            items = ([attachments[i] for i in ids if i in attachments] if ids
                     else [a for a in attachments.values() if a.parent_id == post_id])
            if tag == "gallery":
                pictures = " ".join(f'<img src="{html.escape(a.attachment_url)}" alt="{html.escape(a.image_alt or plain(a.title))}">'
                                    for a in items if a.attachment_url)
                return f"<p>{pictures}</p>" if pictures else ""
            return "".join(_link_paragraph(a.attachment_url) for a in items if a.attachment_url)
        src = next((attrs[key] for key in _MEDIA_KEYS if attrs.get(key)), "")
        return _link_paragraph(src) if src else ""

    return _STANDALONE.sub(standalone, _ENCLOSING.sub(enclosing, content))


def _attributes(text: str) -> dict[str, str]:
    return {m[1].lower(): html.unescape(next(v for v in m.groups()[1:] if v is not None))
            for m in _ATTRIBUTE.finditer(text)}


def _caption(attrs: dict[str, str], inner: str) -> str:
    """The picture, then its caption as an italic line: what a reader saw, as plain Markdown."""
    match = _PICTURE.match(inner)
    if match is None:
        return f"<p>{inner.strip()}</p>"
    picture = (match["open"] or "") + match["img"] + (match["close"] or ("</a>" if match["open"] else ""))
    caption = attrs.get("caption") or inner[match.end():].strip()
    return f"<p>{picture}</p>" + (f"<p><em>{caption}</em></p>" if caption else "")


def _link_paragraph(url: str) -> str:
    return f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>' if url else ""


def plain(value: str) -> str:
    """Text WordPress stores as HTML (titles, names): entities decoded, tags dropped, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", value)).split())
