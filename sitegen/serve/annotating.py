"""Notes written from the preview: an annotation added to, changed in or removed from an article's
front matter, and nothing else in the file touched, byte for byte.

The change is made on the file's text, at the lines PyYAML's node marks give for the
`annotations:` list, and then proved: the new front matter must read back as the old one with
exactly that change. Where it would not (flow style, anchors, a form PyYAML reads differently
once edited), nothing is written, and the editor is given the YAML to paste instead.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from sitegen.load.articles import load_article, read_article_files
from sitegen.load.sources import CONTENT_DIR, scan_sources
from sitegen.model.types import SiteConfig
from sitegen.render.anchoring import TextIndex, fold
from sitegen.render.articles import render_article
from sitegen.render.markdown import render_body
from sitegen.render.words import site_words

FIELDS = ("quote", "prefix", "suffix", "comment", "note", "author")
"""An annotation's keys, in the order docs/format.md writes them."""


class Refused(Exception):
    """Nothing was written. `paste`: the annotation as YAML, for the editor to put in by hand."""

    def __init__(self, message: str, paste: str | None = None):
        super().__init__(message)
        self.paste = paste


def annotation(**fields: str | None) -> dict[str, str]:
    """An annotation as the front matter holds it: its keys in their order, empty ones left out."""
    return {key: fields[key].strip() for key in FIELDS if fields.get(key) and fields[key].strip()}


def as_yaml(item: dict[str, str], indent: int = 0, newline: str = "\n") -> str:
    """One list item in block style ("- quote: ..." then "  note: ..."), indented by `indent`."""
    text = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, default_flow_style=False, width=float("inf"))
    return "".join(" " * indent + line for line in text.splitlines(keepends=True)).replace("\n", newline)


def selector(index: TextIndex, selected: str, before: str = "", after: str = "") -> dict[str, str]:
    """The quote for a selection of the article's text, with a prefix or suffix only where the
    words occur more than once (the fewest words of the text around it that tell it apart).
    `before` and `after` are what the page showed around the selection: they pick which place."""
    quote = fold(selected)
    places = index.find(quote)
    if not quote or not places:
        raise Refused("the selection is not in the article's text as sitegen reads it (select words of the "
                      "article itself, not of a note or a comment)")
    if len(places) == 1:
        return {"quote": quote}
    around_before, around_after = fold(before)[-40:], fold(after)[:40]
    at = max(places, key=lambda start: (
        fuzz.ratio(around_before, index.text[max(0, start - 40):start].strip())
        + fuzz.ratio(around_after, index.text[start + len(quote):start + len(quote) + 40].strip()), -start))
    prefix, suffix = index.context(at, len(quote))
    words_before, words_after = prefix.split(), suffix.split()
    for count in range(1, max(len(words_before), len(words_after)) + 1):
        if count <= len(words_before) and index.find(quote, " ".join(words_before[-count:])) == [at]:
            return {"quote": quote, "prefix": " ".join(words_before[-count:])}
        if count <= len(words_after) and index.find(quote, None, " ".join(words_after[:count])) == [at]:
            return {"quote": quote, "suffix": " ".join(words_after[:count])}
    if index.find(quote, prefix.strip(), suffix.strip()) != [at]:
        raise Refused(f"“{quote}” occurs more than once with the same words around it: select more of them")
    return {"quote": quote, "prefix": prefix.strip(), "suffix": suffix.strip()}


def edited(text: str, number: int | None, item: dict[str, str] | None) -> str:
    """The article file's text with annotations[number] (from 1) replaced by `item`, or removed
    (`item` None), or `item` added at the end (`number` None). Refused when that cannot be done
    on the text alone and proved."""
    paste = as_yaml(item) if item else None
    bom = "\ufeff" if text.startswith("\ufeff") else ""  # kept as the file had it
    lines = text.removeprefix(bom).splitlines(keepends=True)
    newline = (lines[0][len(lines[0].rstrip("\r\n")):] or "\n") if lines else "\n"  # the file's own
    closing = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")), None)
    if not lines or lines[0].rstrip() != "---" or closing is None:
        raise Refused("the file has no front matter between '---' lines", paste)
    front = "".join(lines[1:closing])
    try:
        before = yaml.safe_load(front) or {}
        if any(isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)
               for event in yaml.parse(front, Loader=yaml.SafeLoader)):
            raise Refused("the front matter uses YAML anchors or aliases, which an edit could change the "
                          "meaning of", paste)
        root = yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise Refused(f"the front matter is not valid YAML now ({exc.problem or exc})", paste) from None
    if not isinstance(before, dict) or not isinstance(root, yaml.MappingNode):
        raise Refused("the front matter is not a mapping of fields", paste)
    notes = next((value for key, value in root.value if key.value == "annotations"), None)
    empty = (isinstance(notes, yaml.ScalarNode) and notes.tag.endswith(":null")
             or isinstance(notes, yaml.SequenceNode) and not notes.value)  # "annotations:", "annotations: []"
    if notes is not None and not empty and not (isinstance(notes, yaml.SequenceNode) and not notes.flow_style):
        raise Refused("annotations: is not a list written one item a line (flow style [...] cannot be "
                      "extended without rewriting it)", paste)
    items = notes.value if isinstance(notes, yaml.SequenceNode) else []
    front_lines = front.splitlines(keepends=True)

    def first_line(node) -> int:  # the item's "- " line: its own, or the one above for a "-" alone
        line = node.start_mark.line
        if "-" not in front_lines[line][:node.start_mark.column] and line and front_lines[line - 1].strip() == "-":
            line -= 1
        if "-" not in front_lines[line]:
            raise Refused("an item of annotations: is written in a form sitegen cannot find the lines of", paste)
        return line

    def end_line(node) -> int:  # the line after the item's last
        mark = node.end_mark  # where the next token starts: the next line's indentation, for some values
        end = mark.line if mark.line >= len(front_lines) or not front_lines[mark.line][:mark.column].strip() \
            else mark.line + 1
        while end - 1 > node.start_mark.line and front_lines[end - 1].strip()[:1] in ("", "#"):
            end -= 1  # a comment or blank line after it belongs to what follows
        return end

    if number is None:
        if items:
            dash = front_lines[first_line(items[0])].index("-")
            if front_lines[first_line(items[0])][:dash].strip():
                raise Refused("annotations: is not a list written one item a line", paste)
            at, new = end_line(items[-1]), as_yaml(item, dash, newline)
        else:  # no list yet: the key at the end of the front matter, or a null value's line replaced
            at, new = len(front_lines), "annotations:" + newline + as_yaml(item, 2, newline)
            if notes is not None:
                key_line = next(key for key, value in root.value if value is notes).start_mark.line
                del front_lines[key_line]
                at = key_line
        front_lines[at:at] = [new]
        expected = [*(before.get("annotations") or []), item]
    else:
        if not 1 <= number <= len(items):
            raise Refused(f"the article has no annotations[{number}] now", paste)
        node = items[number - 1]
        start, end = first_line(node), end_line(node)
        if item is not None:
            front_lines[start:end] = [as_yaml(item, front_lines[start].index("-"), newline)]
        elif len(items) == 1:  # the last one: the key goes too
            key_line = next(key for key, value in root.value if value is notes).start_mark.line
            del front_lines[key_line:end]
        else:
            del front_lines[start:end]
        expected = list(before["annotations"])
        if item is None:
            del expected[number - 1]
        else:
            expected[number - 1] = item
    new_front = "".join(front_lines)
    wanted = dict(before)
    if expected:
        wanted["annotations"] = expected
    else:
        wanted.pop("annotations", None)
    try:
        proved = yaml.safe_load(new_front) == wanted
    except yaml.YAMLError:
        proved = False
    if not proved:
        raise Refused("the front matter is in a form sitegen cannot change safely", paste)
    return bom + lines[0] + new_front + "".join(lines[closing:])


def write_atomically(path: Path, text: str, was: bytes) -> None:
    """Replace the file's content at once: a reader sees the old file or the new, never half;
    unless its bytes are no longer `was` (an editor saved it meanwhile), then nothing is written."""
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if path.read_bytes() != was:
            raise Refused(f"{path.name} changed while the note was being written: nothing was written")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def answer_note(root: Path, config: SiteConfig, source: str, request: dict, built: str | None) -> dict:
    """Carry out a note request from the preview on the article file `source` ("content/x.md",
    from the build's own list of articles, never from the request), and say what it found.
    `built`: the digest of the article's files as the last build read them (ArticleFiles.digest):
    files that differ now are an editor's newer work, and nothing is written. Raises Refused.

    `request["action"]`: "add" (a `comment` id, or the `selected` text with the `before` and
    `after` the page showed), "read", "edit" or "remove" (the note's `number` on the page), or
    "move" (annotations[`position`], whose quote matches nothing now, to the nearest passage);
    with `note` and `author` for those that write a note.
    """
    path = root / source
    key = source.removeprefix(f"{CONTENT_DIR}/")
    article_source = next((s for s in scan_sources(root)[0] if s.key == key), None)
    files = read_article_files(root, article_source) if article_source else None
    if files is None or files.markdown is None or path.is_symlink():
        raise Refused(f"{source} is not an article file sitegen can write (a link is written only by hand)")
    if files.digest != built:
        raise Refused(f"{source} changed since this page was built (saved in an editor?): the page reloads with it")
    article = load_article(files, config)[0]
    if article is None:
        raise Refused(f"{source} does not load now: fix the error the preview shows first")
    text = files.markdown.decode("utf-8")  # the bytes the article was loaded from, line endings and all
    action = request.get("action")
    written = {key: str(request.get(key) or "") for key in ("note", "author")}
    if action in ("add", "edit") and not written["note"].strip():
        raise Refused("a note needs its text")
    if action == "add" and request.get("comment"):
        comment = str(request["comment"])
        if comment not in {c.id for c in article.thread.comments}:
            raise Refused(f"the thread has no comment '{comment}' now")
        edit = (None, annotation(comment=comment, **written))
    elif action == "add":
        found = selector(_text_of(article), str(request.get("selected") or ""), str(request.get("before") or ""),
                         str(request.get("after") or ""))
        edit = (None, annotation(**found, **written))
    elif action in ("read", "edit", "remove"):
        rendered, _ = render_article(article, site_words(config), config.comments_per_page)
        note = next((n for n in rendered.notes if n.number == request.get("number")), None)
        if note is None:
            raise Refused(f"the article has no note {request.get('number')} now")
        was = next(a for a in article.annotations if a.position == note.position)
        if action == "read":
            return {"annotation": {"note": was.note, **({"author": was.author} if was.author else {})}}
        kept = {"quote": was.quote, "prefix": was.prefix, "suffix": was.suffix, "comment": was.comment_id}
        edit = (note.position, annotation(**kept, **written) if action == "edit" else None)
    elif action == "move":
        was = next((a for a in article.annotations if a.position == request.get("position") and a.quote), None)
        index = _text_of(article)
        if was is None or index.find(was.quote, was.prefix, was.suffix):
            raise Refused(f"annotations[{request.get('position')}] has no lost quote to move now")
        nearest = index.closest(was.quote, was.prefix, was.suffix)
        if nearest is None:
            raise Refused("no passage of the text now is near enough to its quote")
        start, end = nearest
        found = selector(index, index.text[start:end], index.text[max(0, start - 80):start], index.text[end:end + 80])
        edit = (was.position, annotation(**found, note=was.note, author=was.author))
    else:
        raise Refused(f"unknown action {action!r}")
    write_atomically(path, edited(text, *edit), files.markdown)
    return {"ok": True}


def _text_of(article) -> TextIndex:
    """The article's text as its notes' quotes are matched against (render/articles.py)."""
    return TextIndex(render_body(article.body, article.key)[0])
