"""`sitegen import wordpress EXPORT.xml`: a WordPress export (WXR) as article bundles with their threads.

Three steps with plain data between them: `parse_export` reads the XML into frozen dataclasses,
`plan_import` decides every file's path and text (and counts what it leaves out, and why), and
`write_new_files` writes them, all or none. WordPress stores text the way its editor saw it, so
bodies are first given the paragraphs WordPress adds when it shows them (`autop`), and the core
shortcodes ([caption], [gallery], [embed], [audio], [video], [code]) become plain HTML, before the
HTML becomes Markdown.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

from sitegen.diagnostics import Diagnostic, error, shorten
from sitegen.importers.exports import child, child_text, children, local_name, namespace, read_export
from sitegen.importers.markdown import article_markdown, comment_markdown
from sitegen.importers.report import ImportReport, ImportResult
from sitegen.importers.site import read_site_config, site_yaml
from sitegen.importers.threads import ImportedComment, arrange_thread, thread_text
from sitegen.importers.wordpress_text import autop, expand_shortcodes, plain
from sitegen.importers.writing import article_text, write_new_files
from sitegen.load.articles import slug as checked_slug
from sitegen.load.schema import Invalid
from sitegen.load.sources import BUNDLE_INDEX, BUNDLE_THREAD, CONTENT_DIR
from sitegen.load.threads import is_safe_url
from sitegen.model.slugs import slugify

_WXR = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
_EXCERPT = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
_CONTENT = ("http://purl.org/rss/1.0/modules/content/",)
_DC = ("http://purl.org/dc/elements/1.1/",)

DRAFT_STATUSES = {"draft", "pending", "future", "private"}
"""Never public, or not yet: imported with draft: true, built only with --drafts."""
SKIPPED_STATUSES = {"trash": "trashed posts", "auto-draft": "auto-drafts"}
ITEM_KINDS = {"attachment": "attachments", "nav_menu_item": "menu items", "revision": "revisions"}
COMMENT_TYPES = {"", "comment"}
PING_TYPES = {"pingback", "trackback"}
APPROVAL = {"spam": "spam", "trash": "trashed", "post-trashed": "trashed", "0": "awaiting approval"}


@dataclass(frozen=True, slots=True)
class WordPressOptions:
    pingbacks: bool = False
    pages: bool = False


@dataclass(frozen=True, slots=True)
class WordPressComment:
    id: str
    parent_id: str | None
    author: str
    url: str
    date: str | None
    content: str
    approved: str
    type: str


@dataclass(frozen=True, slots=True)
class WordPressPost:
    id: str
    type: str
    status: str
    title: str
    link: str
    name: str
    """post_name: WordPress's slug, percent-encoded when it is not ASCII."""
    date: str | None
    creator: str
    content: str
    excerpt: str
    password: str
    comment_status: str
    terms: tuple[tuple[str, str, str], ...]
    """(domain, nicename, name) of each category and tag."""
    parent_id: str
    attachment_url: str
    thumbnail_id: str
    image_alt: str
    comments: tuple[WordPressComment, ...]


@dataclass(frozen=True, slots=True)
class WordPressExport:
    title: str
    link: str
    description: str
    language: str
    authors: tuple[tuple[str, str], ...]
    """(login, display name) of each author."""
    posts: tuple[WordPressPost, ...]


def import_wordpress(export_path: Path, root: Path, force: bool, options: WordPressOptions) -> ImportResult:
    shown = str(export_path)
    report = ImportReport(source=shown)
    element, problems = read_export(export_path)
    export = None
    if element is not None:
        export, problems = parse_export(element, shown)
    config, found = read_site_config(root)
    problems += found
    if export is None or problems:
        return ImportResult((), report, tuple(problems))
    files = plan_import(export, options, config.timezone if config else ZoneInfo("UTC"), report)
    if config is None:
        files = {"sitegen.yaml": site_yaml(export.title, export.link, export.description, export.language,
                                           f"sitegen import wordpress {export_path.name}"), **files}
    written, problems = write_new_files(root, files, force)
    return ImportResult(tuple(written), report, tuple(problems))


# -- reading the XML ------------------------------------------------------------------------------

def parse_export(root: Element, shown: str) -> tuple[WordPressExport | None, list[Diagnostic]]:
    if local_name(root) == "disqus":
        return None, [error(shown, None, "is a Disqus export, not a WordPress one (use: sitegen import disqus)")]
    # The namespace names WXR's version (1.0 to 1.2, http or https): take whichever the file uses.
    namespaces = {namespace(e) for e in root.iter()}
    wp = tuple(sorted(n for n in namespaces if _WXR.match(n)))
    excerpt = tuple(sorted(n for n in namespaces if _EXCERPT.match(n)))
    channel = child(root, "channel") if local_name(root) == "rss" else None
    if channel is None or not wp:
        return None, [error(shown, None, "is not a WordPress export: expected <rss> with a <channel> of "
                            "wp: elements (in WordPress: Tools > Export > All content)")]
    authors = tuple(
        (child_text(a, "author_login", wp).strip(), child_text(a, "author_display_name", wp).strip())
        for a in children(channel, "author", wp)
    )
    posts = tuple(_post(item, wp, excerpt) for item in children(channel, "item"))
    return WordPressExport(
        title=plain(child_text(channel, "title")),
        link=child_text(channel, "link").strip(),
        description=plain(child_text(channel, "description")),
        language=child_text(channel, "language").strip(),
        authors=authors,
        posts=posts,
    ), []


def _post(item: Element, wp: tuple[str, ...], excerpt: tuple[str, ...]) -> WordPressPost:
    def text(name: str) -> str:
        return child_text(item, name, wp).strip()

    meta = {child_text(m, "meta_key", wp).strip(): child_text(m, "meta_value", wp).strip()
            for m in children(item, "postmeta", wp)}
    moment = wordpress_moment(text("post_date"), text("post_date_gmt")) or _rss_moment(child_text(item, "pubDate"))
    return WordPressPost(
        id=text("post_id"),
        type=text("post_type") or "post",
        status=text("status") or "publish",
        title=child_text(item, "title"),
        link=child_text(item, "link").strip(),
        name=text("post_name"),
        date=moment,
        creator=child_text(item, "creator", _DC).strip(),
        content=child_text(item, "encoded", _CONTENT),
        excerpt=child_text(item, "encoded", excerpt),
        password=text("post_password"),
        comment_status=text("comment_status"),
        terms=tuple((c.get("domain", ""), c.get("nicename", ""), c.text or "") for c in children(item, "category")),
        parent_id=text("post_parent"),
        attachment_url=text("attachment_url"),
        thumbnail_id=meta.get("_thumbnail_id", ""),
        image_alt=meta.get("_wp_attachment_image_alt", ""),
        comments=tuple(_comment(c, wp) for c in children(item, "comment", wp)),
    )


def _comment(element: Element, wp: tuple[str, ...]) -> WordPressComment:
    def text(name: str) -> str:
        return child_text(element, name, wp).strip()

    parent = text("comment_parent")
    return WordPressComment(
        id=text("comment_id"),
        parent_id=parent if parent not in ("", "0") else None,
        author=plain(text("comment_author")),
        url=text("comment_author_url"),
        date=wordpress_moment(text("comment_date"), text("comment_date_gmt")),
        content=child_text(element, "comment_content", wp),
        approved=text("comment_approved"),
        type=text("comment_type"),
    )


def _wordpress_time(value: str) -> datetime | None:
    """WordPress writes "2014-01-14 17:31:03", and "0000-00-00 00:00:00" for "not set"."""
    try:
        moment = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return moment if moment.year > 1 else None


def wordpress_moment(local: str, gmt: str) -> str | None:
    """ISO 8601 with the offset WordPress had: the local time, less the GMT time.

    With only the local time (WordPress leaves drafts' GMT date unset) there is no offset, so the
    date is read in the site's timezone; with only the GMT time, it is written in UTC.
    """
    local_time, gmt_time = _wordpress_time(local), _wordpress_time(gmt)
    if local_time and gmt_time:
        minutes = round((local_time - gmt_time).total_seconds() / 60)
        if abs(minutes) <= 18 * 60:
            sign = "+" if minutes >= 0 else "-"
            return f"{local_time.isoformat()}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    if gmt_time:
        return gmt_time.isoformat() + "+00:00"
    return local_time.isoformat() if local_time else None


def _rss_moment(value: str) -> str | None:
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return moment.isoformat() if moment.tzinfo and moment.year > 1970 else None



# -- deciding the files ---------------------------------------------------------------------------

def plan_import(export: WordPressExport, options: WordPressOptions, site_zone: ZoneInfo,
                report: ImportReport) -> dict[str, str]:
    """Every file to write (site-relative path -> text); `report` records what was left out."""
    attachments = {p.id: p for p in export.posts if p.type == "attachment"}
    display_names = dict(export.authors)
    tag_spelling = _tag_spellings(export.posts)
    files: dict[str, str] = {}
    used_slugs: set[str] = set()
    for post in export.posts:
        reason = _why_not_imported(post, options)
        if reason is None and post.date is None:
            reason = "posts without a date"
            report.notes.append(f"no date, not imported: {_label(post)}")
        if reason is not None:
            report.items_left_out[reason] += 1
            approved = sum(1 for c in post.comments if c.approved == "1")
            if approved:
                report.comments_left_out[f"on {reason}"] += approved
            if reason == "password-protected posts":
                report.notes.append(f"password-protected, not imported: {_label(post)} (a static site cannot "
                                    "ask for a password; remove it in WordPress to import the post)")
            continue
        folder, front_matter, body = _article(post, attachments, display_names, tag_spelling, used_slugs,
                                              site_zone, report)
        files[f"{folder}/{BUNDLE_INDEX}"] = article_text(front_matter, body)
        thread = _thread_file(post, options, f"{folder}/{BUNDLE_THREAD}", report)
        if thread is not None:
            files[f"{folder}/{BUNDLE_THREAD}"] = thread
    return files


def _why_not_imported(post: WordPressPost, options: WordPressOptions) -> str | None:
    if post.type not in ("post", "page"):
        return ITEM_KINDS.get(post.type, f"items of type '{post.type}'")
    if post.type == "page" and not options.pages:
        return "pages (use --pages)"
    if post.status in SKIPPED_STATUSES:
        return SKIPPED_STATUSES[post.status]
    if post.password:
        return "password-protected posts"
    return None


def _label(post: WordPressPost) -> str:
    number = f" {post.id}" if post.id else ""
    return f"{post.type}{number} '{shorten(plain(post.title) or post.name or '?')}'"


def _article(post: WordPressPost, attachments, display_names, tag_spelling, used_slugs, site_zone, report):
    title = plain(post.title)
    if not title:
        title = "(no title)"
        report.notes.append(f"no title, written as '(no title)': {_label(post)}")
    slug = _unique(_slug_of(post, title), used_slugs)
    day = _site_day(post.date, site_zone)
    folder = f"{CONTENT_DIR}/{day.year:04d}/{day.isoformat()}-{slug}"
    front_matter: dict = {"title": title, "date": post.date, "slug": slug}
    tags = list(dict.fromkeys(tag_spelling[name.casefold()] for name in _tags(post)))
    if tags:
        front_matter["tags"] = tags
    author = display_names.get(post.creator) or post.creator
    if author:
        front_matter["authors"] = [author]
    summary = article_markdown(autop(post.excerpt)) if post.excerpt.strip() else ""
    if summary:
        front_matter["summary"] = summary
    picture = attachments.get(post.thumbnail_id)
    if picture is not None and re.match(r"^https?://", picture.attachment_url):
        front_matter["image"] = {"src": picture.attachment_url, "alt": picture.image_alt or plain(picture.title)}
    if post.status in DRAFT_STATUSES:
        front_matter["draft"] = True
        report.drafts += 1
    # Kept for themes and for `sitegen import disqus`, whose threads name the WordPress permalink.
    front_matter["wordpress"] = {"id": post.id, "link": post.link} if post.link else {"id": post.id}
    report.articles += 1
    body = article_markdown(autop(expand_shortcodes(post.content, post.id, attachments)))
    return folder, front_matter, body


def _slug_of(post: WordPressPost, title: str) -> str:
    for candidate in (unquote(post.name), title):
        if candidate.strip():
            try:
                return checked_slug(candidate)
            except Invalid:
                return slugify(candidate)
    return f"post-{post.id}"


def _unique(slug: str, used: set[str]) -> str:
    """Two posts with one slug would have one URL: the later gets -2, -3, ..."""
    candidate, number = slug, 1
    while candidate in used:
        number += 1
        candidate = f"{slug}-{number}"
    used.add(candidate)
    return candidate


def _site_day(moment: str, site_zone: ZoneInfo) -> date:
    """The day the article's URL will show: its date in the site's timezone."""
    value = datetime.fromisoformat(moment)
    return (value.astimezone(site_zone) if value.tzinfo else value).date()


def _tags(post: WordPressPost) -> list[str]:
    """Categories, then tags; WordPress's catch-all "Uncategorized" is no topic, so it is left out."""
    ordered = sorted((t for t in post.terms if t[0] in ("category", "post_tag")), key=lambda t: t[0] != "category")
    names = (plain(name) for domain, nicename, name in ordered if not (domain == "category" and nicename == "uncategorized"))
    return [name for name in names if name]


def _tag_spellings(posts) -> dict[str, str]:
    """One spelling for tags that differ only in case (a category "Template", a tag "template"):
    the one most posts use, as sitegen would show it anyway."""
    counts: dict[str, Counter] = {}
    for post in posts:
        for name in _tags(post):
            counts.setdefault(name.casefold(), Counter())[name] += 1
    return {folded: spellings.most_common(1)[0][0] for folded, spellings in counts.items()}


def _thread_file(post: WordPressPost, options: WordPressOptions, path: str, report: ImportReport) -> str | None:
    comments = [_source_comment(c, options) for c in post.comments]
    arranged = arrange_thread(comments)
    report.add_comments(arranged)
    closed = post.comment_status == "closed"
    if not arranged.comments and not closed:
        return None
    report.add_thread_file(path, arranged)
    # What WordPress counted and showed: approved comments, pingbacks included.
    return thread_text(arranged, closed, sum(1 for c in post.comments if c.approved == "1"))


def _source_comment(comment: WordPressComment, options: WordPressOptions) -> ImportedComment:
    body = comment_markdown(autop(comment.content))
    url = comment.url if re.match(r"^https?://\S+$", comment.url) and is_safe_url(comment.url) else None
    return ImportedComment(
        id=comment.id,
        parent_id=comment.parent_id,
        body=body,
        author=comment.author or None,
        url=url,
        date=comment.date,
        left_out=_why_left_out(comment, options, body),
    )


def _why_left_out(comment: WordPressComment, options: WordPressOptions, body: str) -> str | None:
    if comment.approved != "1":
        return APPROVAL.get(comment.approved, f"not approved ({comment.approved or 'no status'})")
    if comment.type in PING_TYPES:
        return None if options.pingbacks else "pingbacks and trackbacks (use --pingbacks)"
    if comment.type not in COMMENT_TYPES:
        return f"of type '{comment.type}'"
    if not body:
        return "empty"
    return None
