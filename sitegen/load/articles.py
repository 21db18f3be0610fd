"""Read one article: its front matter checked field by field, its thread, its annotations."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sitegen.diagnostics import Diagnostic, error, warning
from sitegen.load.annotations import load_annotations
from sitegen.load.dates import parse_moment
from sitegen.load.files import Boundary, decode_text, read_regular_file
from sitegen.load.front_matter import FRONT_MATTER_LINE, split_front_matter
from sitegen.load.schema import (
    Field, Invalid, boolean, check_mapping, language, nonempty_text, text, text_list, web_url,
)
from sitegen.load.sources import CONTENT_DIR, ArticleSource
from sitegen.load.threads import load_thread
from sitegen.load.yaml_lines import LineDict, parse_yaml
from sitegen.model.slugs import slugify
from sitegen.model.types import Article, LeadImage, SiteConfig, SourceLink, Thread

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-(?=.)")
SLUG_LENGTH = 200
"""A folder's name holds 255 bytes; a slug leaves room for what a permalink puts around it."""


def slug(value) -> str:
    result = nonempty_text(value)
    if not _SLUG.match(result):
        raise Invalid(f"'{result}' is not a slug (letters, digits, '-', '_', '.', '~'; it becomes one URL segment)")
    if len(result) > SLUG_LENGTH:
        raise Invalid(f"{len(result)} characters; a slug becomes a folder's name, which file systems keep short: "
                      f"at most {SLUG_LENGTH}")
    return result


SOURCE_FIELDS = {"name": Field(nonempty_text), "url": Field(web_url)}
IMAGE_FIELDS = {
    "src": Field(nonempty_text),
    "alt": Field(text),
    "credit": Field(nonempty_text),
    "credit_url": Field(web_url),
}
FRONT_MATTER_FIELDS = {
    "title": Field(nonempty_text, required=True),
    "date": Field(lambda v: v, required=True),
    "updated": Field(lambda v: v),
    "slug": Field(slug),
    "tags": Field(text_list),
    "authors": Field(text_list),
    "source": Field(lambda v: v),
    "image": Field(lambda v: v),
    "summary": Field(nonempty_text),
    "draft": Field(boolean),
    "language": Field(language),
    "annotations": Field(lambda v: v),
}


def default_slug(name: str) -> str:
    """The file or folder name, less a leading YYYY-MM-DD-; made a slug when it is not one."""
    name = _DATE_PREFIX.sub("", name)
    return name if _SLUG.match(name) else slugify(name)


@dataclass(frozen=True, slots=True)
class ArticleFiles:
    """The bytes an article is made from: its Markdown file and its thread file."""

    source: ArticleSource
    markdown: bytes | None
    thread: bytes | None
    problems: tuple[Diagnostic, ...] = ()
    """Files that could not be read."""

    @property
    def digest(self) -> str:
        """Changes whenever anything the article is loaded from changes."""
        hasher = hashlib.sha256(repr(self.source).encode())
        for part in (self.markdown, self.thread):
            hasher.update(b"\0" if part is None else len(part).to_bytes(8, "big") + part)
        return hasher.hexdigest()


def read_article_files(root: Path, source: ArticleSource) -> ArticleFiles:
    """Its files read as the scan found them; one changed since (a FIFO now, a link that leads
    out of content/) is an error, never a wait."""
    problems = []
    contents = []
    boundary = Boundary(root, CONTENT_DIR)
    for key in (source.key, source.thread_key):
        data, why = (None, None) if key is None else read_regular_file(f"{root}/{CONTENT_DIR}/{key}", boundary)
        contents.append(data)
        if why is not None:
            problems.append(error(f"{CONTENT_DIR}/{key}", None, why))
    return ArticleFiles(source, contents[0], contents[1], tuple(problems))


def load_article(files: ArticleFiles, config: SiteConfig) -> tuple[Article | None, list[Diagnostic]]:
    """Check and read one article from its bytes: pure, so it can be cached and run anywhere."""
    source = files.source
    path = f"{CONTENT_DIR}/{source.key}"
    if files.markdown is None:
        return None, list(files.problems)
    content, problems = decode_text(files.markdown, path)
    if content is None:
        return None, problems
    split, problems = split_front_matter(content, path)
    if split is None:
        return None, problems
    raw, problems = parse_yaml(split.front_matter, path, FRONT_MATTER_LINE)
    if problems:
        return None, problems
    if raw is None:
        return None, [error(path, FRONT_MATTER_LINE, "front matter is empty (title: and date: are required)")]
    values, extra, problems = check_mapping(raw, FRONT_MATTER_FIELDS, path, FRONT_MATTER_LINE, keep_unknown=True)
    if not isinstance(raw, dict):
        return None, problems
    line_of = raw.line_of if isinstance(raw, LineDict) else (lambda key: FRONT_MATTER_LINE)

    def moment(key: str):
        if key not in values:
            return None
        try:
            return parse_moment(values[key], config.timezone)
        except Invalid as exc:
            problems.append(error(path, line_of(key), f"{key}: {exc}"))
            return None

    date, updated = moment("date"), moment("updated")
    source_link = _nested(values, "source", SOURCE_FIELDS, path, line_of, problems)
    image = _nested(values, "image", IMAGE_FIELDS, path, line_of, problems)
    if image is not None:
        raw_image = values["image"]
        image_line = raw_image.line_of("src") if isinstance(raw_image, LineDict) else line_of("image")
        image = _check_image(image, source, path, image_line, problems)

    thread = Thread()
    thread_read = True  # else notes on its comments are not checked against it
    problems.extend(files.problems)
    if files.thread is not None:
        thread_path = f"{CONTENT_DIR}/{source.thread_key}"
        thread_text, found = decode_text(files.thread, thread_path)
        problems.extend(found)
        thread_read = thread_text is not None
        if thread_text is not None:
            thread_raw, found = parse_yaml(thread_text, thread_path)
            problems.extend(found)
            thread_read = not found
            if not found:
                thread, found = load_thread(thread_raw, thread_path, config.timezone)
                problems.extend(found)

    annotations = ()
    if values.get("annotations") is not None:
        annotations, found = load_annotations(values["annotations"], path, line_of("annotations"),
                                              thread if thread_read else None)
        problems.extend(found)

    if date is None or "title" not in values:
        return None, problems
    return Article(
        key=source.key,
        path=path,
        slug=values.get("slug") or default_slug(source.name),
        title=values["title"],
        date=date,
        updated=updated,
        body=split.body,
        body_line=split.body_line,
        tags=values.get("tags", ()),
        authors=values.get("authors", ()),
        source=source_link and SourceLink(source_link.get("name"), source_link.get("url")),
        image=image,
        summary=values.get("summary"),
        summary_line=line_of("summary") if "summary" in values else 0,
        draft=values.get("draft", False),
        language=values.get("language"),
        extra=extra,
        annotations=annotations,
        thread=thread,
        assets=source.assets,
        bundle_dir=f"{CONTENT_DIR}/{source.bundle_key}" if source.is_bundle else None,
    ), problems


def _nested(values, key, fields, path, line_of, problems) -> dict | None:
    if key not in values:
        return None
    nested, _, found = check_mapping(values[key], fields, path, line_of(key), f"{key}.")
    problems.extend(found)
    return nested if not found else None


def _check_image(image: dict, source: ArticleSource, path: str, line: int, problems) -> LeadImage | None:
    src = image.get("src")
    if src is not None and not re.match(r"^https?://", src, re.IGNORECASE):
        if not source.is_bundle:
            problems.append(error(path, line, f"image.src: '{src}' is not a URL; a picture file needs a bundle "
                                  "(put the article in SLUG/index.md and the picture beside it)"))
            return None
        if src not in source.assets:
            problems.append(error(path, line, f"image.src: '{src}' is not a file of the bundle "
                                  f"({CONTENT_DIR}/{source.bundle_key}/)"))
            return None
    if src is not None and "alt" not in image:
        problems.append(warning(path, line, "image.alt: missing (describe the picture for readers who cannot see it)"))
    if src is None and image.get("credit") is None:
        problems.append(error(path, line, "image: give 'src' (the picture), 'credit', or both"))
        return None
    return LeadImage(src=src, alt=image.get("alt", ""), credit=image.get("credit"), credit_url=image.get("credit_url"))
