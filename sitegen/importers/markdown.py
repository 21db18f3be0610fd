"""Exported HTML as Markdown: a trusted conversion for articles, a locked-down one for comments.

markdownify (MIT, built on BeautifulSoup) does the conversion; the two converters below decide
what each kind of text may keep. A comment keeps paragraphs, emphasis, links to safe places,
quotes, lists, code and pictures, as Markdown only: its headings become bold paragraphs (they
must not outrank the page's own), scripts, frames, embeds and form controls are dropped whole,
and any other tag is unwrapped to its text. An article, the site owner's own words, also keeps
its embedded frames and players as HTML, and its headings start at level 2 under the page title.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from markdownify import ATX, BACKSLASH, MarkdownConverter

from sitegen.load.threads import is_safe_url

_OPTIONS = {
    "heading_style": ATX,
    "newline_style": BACKSLASH,  # spaces at line ends would be lost by editors and YAML alike
    "bullets": "-",
    "table_infer_header": True,
    "autolinks": True,
}

# Characters that would change the meaning of text when it is read back as Markdown.
_ALWAYS_ESCAPED = re.compile(r"([\\`*_<])")
# A "]" ends a link only when "(", "[" or ":" follows (perhaps in the next piece of text), so
# "[...]" in a pingback stays as it was written.
_LINK_END = re.compile(r"\](?=[(\[:]|$)")
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_STRIKE = re.compile(r"~(?=~)")
_LINE_START = re.compile(r"(?m)^([ \t]*)([#>+=|-]|\d{1,9}(?=[.)](?:\s|$)))")
_BLANK_LINES = re.compile(r"\n{3,}")
# Control characters are invisible in a browser and keep YAML from writing a body as a block.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")


def _escape_text(text: str) -> str:
    text = _ALWAYS_ESCAPED.sub(r"\\\1", text)
    text = _LINK_END.sub(r"\\]", text)
    text = _ENTITY_LIKE.sub(r"\\&", text)
    text = _STRIKE.sub(r"\\~", text)
    return _LINE_START.sub(lambda m: m[1] + (m[2] + "\\" if m[2][0].isdigit() else "\\" + m[2]), text)


def _destination(url: str) -> str:
    """A link target that stays one Markdown token: spaces, brackets and parentheses escaped."""
    return quote(url.strip(), safe="/:?#[]@!$&'*+,;=%~.-_")


class _Converter(MarkdownConverter):
    def escape(self, text, parent_tags):
        return _escape_text(text) if text else ""

    def link(self, el, text, href: str) -> str:
        words = text.strip()
        if not words:
            return ""
        before, after = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        title = el.get("title")
        if words == _escape_text(href) and not title:
            return f"{before}<{_destination(href)}>{after}"
        title_part = ' "%s"' % title.replace('"', r"\"") if title else ""
        return f"{before}[{words}]({_destination(href)}{title_part}){after}"

    def convert_br(self, el, text, parent_tags):
        if "_noformat" in parent_tags:
            return "\n" if "pre" in parent_tags else " "  # a code span cannot hold a line break
        return super().convert_br(el, text, parent_tags)

    def picture(self, el) -> str:
        alt = _escape_text(" ".join((el.get("alt") or "").split()))
        return f"![{alt}]({_destination(el.get('src') or '')})"


class CommentConverter(_Converter):
    """The public's words: Markdown only, nothing that runs or outranks the page."""

    def convert_a(self, el, text, parent_tags):
        href = (el.get("href") or "").strip()
        if "_noformat" in parent_tags or not href or not is_safe_url(href):
            return text
        return self.link(el, text, href)

    def convert_img(self, el, text, parent_tags):
        src = (el.get("src") or "").strip()
        if not src or not is_safe_url(src) or "_inline" in parent_tags:
            return _escape_text(el.get("alt") or "")
        return self.picture(el)

    def convert_hN(self, n, el, text, parent_tags):
        text = " ".join(text.split())
        if "_inline" in parent_tags or not text:
            return text
        return f"\n\n**{text}**\n\n"

    def convert_video(self, el, text, parent_tags):
        source = el.find("source", src=True)
        src = (el.get("src") or (source.get("src") if source else "") or "").strip()
        if not src or not is_safe_url(src):
            return text
        return self.link(el, text.strip() or _escape_text(src), src)

    convert_audio = convert_video

    def _dropped(self, el, text, parent_tags):
        return ""

    convert_iframe = convert_frame = convert_object = convert_embed = convert_applet = _dropped
    convert_svg = convert_math = convert_template = convert_canvas = _dropped
    convert_input = convert_select = convert_textarea = convert_button = _dropped


class ArticleConverter(_Converter):
    """The site owner's words: links kept as they are, embedded players kept as HTML."""

    def convert_a(self, el, text, parent_tags):
        href = (el.get("href") or "").strip()
        if "_noformat" in parent_tags or not href:
            return text
        return self.link(el, text, href)

    def convert_img(self, el, text, parent_tags):
        if not (el.get("src") or "").strip() or "_inline" in parent_tags:
            return _escape_text(el.get("alt") or "")
        return self.picture(el)

    def convert_hN(self, n, el, text, parent_tags):
        return super().convert_hN(max(n, 2), el, text, parent_tags)  # the page's title is the only h1

    def _kept_as_html(self, el, text, parent_tags):
        # One HTML block: CommonMark ends a block at a blank line, so none may remain inside.
        return "\n\n" + re.sub(r"\n\s*\n", "\n", str(el)) + "\n\n"

    convert_iframe = convert_video = convert_audio = convert_object = convert_embed = _kept_as_html


def _tidy(markdown: str) -> str:
    lines = [line.rstrip() for line in markdown.split("\n")] + [""]
    in_code = False
    for index, line in enumerate(lines[:-1]):
        if line.lstrip().startswith("```"):
            in_code = not in_code
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2 and not in_code and not lines[index + 1].strip():
            lines[index] = line[:-1].rstrip()  # a hard break ending a paragraph would show as "\"
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def comment_markdown(html: str) -> str:
    """Tabs become spaces too: YAML can write a body as a literal block only without them."""
    text = CommentConverter(**_OPTIONS).convert(html).replace("\u2028", "\n").replace("\u2029", "\n")
    return _tidy(_CONTROL.sub("", text).expandtabs(4))


def article_markdown(html: str) -> str:
    return _tidy(ArticleConverter(**_OPTIONS).convert(html))
