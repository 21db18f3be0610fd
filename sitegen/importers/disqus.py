"""`sitegen import disqus EXPORT.xml`: Disqus threads attached to the site's existing articles.

A Disqus thread names the page it was under by its link; it belongs to the article whose URL,
`source.url`, or WordPress permalink (`wordpress.link`, written by `sitegen import wordpress`) is
that link, compared without the differences that do not make another page (http or https,
"www.", a trailing "/" or "index.html", a #fragment). Threads that match no article are listed,
never dropped silently; so are posts whose thread is not in the export.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

from sitegen.diagnostics import Diagnostic, error, shorten
from sitegen.importers.exports import child, child_text, children, local_name, read_export
from sitegen.importers.markdown import comment_markdown
from sitegen.importers.report import ImportReport, ImportResult, counted
from sitegen.importers.site import read_site_config, site_articles, thread_path
from sitegen.importers.threads import ImportedComment, arrange_thread, thread_text
from sitegen.importers.writing import write_new_files
from sitegen.model.types import Article, SiteConfig

_DISQUS = ("http://disqus.com", "")


@dataclass(frozen=True, slots=True)
class DisqusThread:
    key: str
    """Its dsq:id, which posts name."""
    link: str
    title: str
    closed: bool


@dataclass(frozen=True, slots=True)
class DisqusPost:
    key: str
    thread_key: str
    parent_key: str | None
    message: str
    """HTML."""
    date: str | None
    author: str
    deleted: bool
    spam: bool


@dataclass(frozen=True, slots=True)
class DisqusExport:
    threads: tuple[DisqusThread, ...]
    posts: tuple[DisqusPost, ...]


def import_disqus(export_path: Path, root: Path, force: bool) -> ImportResult:
    shown = str(export_path)
    report = ImportReport(source=shown)
    config, problems = read_site_config(root)
    if config is None and not problems:
        return ImportResult((), report, not_a_site=True)
    element, found = read_export(export_path)
    problems += found
    export = None
    if element is not None:
        export, found = parse_export(element, shown)
        problems += found
    if export is None or problems:
        return ImportResult((), report, tuple(problems))
    files = plan_import(export, site_articles(root, config), config, report)
    written, problems = write_new_files(root, files, force)
    return ImportResult(tuple(written), report, tuple(problems))


# -- reading the XML ------------------------------------------------------------------------------

def parse_export(root: Element, shown: str) -> tuple[DisqusExport | None, list[Diagnostic]]:
    if local_name(root) != "disqus":
        hint = " (it looks like a WordPress one: use sitegen import wordpress)" if local_name(root) == "rss" else ""
        return None, [error(shown, None, f"is not a Disqus export: expected a <disqus> root element{hint}")]
    threads = tuple(
        DisqusThread(
            key=_dsq_id(t),
            link=child_text(t, "link", _DISQUS).strip(),
            title=child_text(t, "title", _DISQUS).strip(),
            closed=_flag(t, "isClosed"),
        )
        for t in children(root, "thread", _DISQUS)
    )
    posts = tuple(_post(p) for p in children(root, "post", _DISQUS))
    return DisqusExport(threads, posts), []


def _post(element: Element) -> DisqusPost:
    author = child(element, "author", _DISQUS)
    name = child_text(author, "name", _DISQUS).strip() if author is not None else ""
    username = child_text(author, "username", _DISQUS).strip() if author is not None else ""
    thread, parent = child(element, "thread", _DISQUS), child(element, "parent", _DISQUS)
    created = child_text(element, "createdAt", _DISQUS).strip()
    return DisqusPost(
        key=_dsq_id(element),
        thread_key=_dsq_id(thread) if thread is not None else "",
        parent_key=(_dsq_id(parent) or None) if parent is not None else None,
        message=child_text(element, "message", _DISQUS),
        date=_iso(created),
        # The name Disqus showed; the username is often generated ("disqus_x8Yk2"), so it comes second.
        author=name or username,
        deleted=_flag(element, "isDeleted"),
        spam=_flag(element, "isSpam"),
    )


def _dsq_id(element: Element) -> str:
    """The dsq:id attribute (Disqus's internal id), whatever prefix the file gives its namespace."""
    return next((value.strip() for key, value in element.attrib.items() if key.rpartition("}")[2] == "id"), "")


def _flag(element: Element, name: str) -> bool:
    return child_text(element, name, _DISQUS).strip().lower() == "true"


def _iso(value: str) -> str | None:
    """Disqus writes "2013-10-10T19:20:29Z"; FORMAT.md's dates are ISO 8601 with an offset."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?", value)
    if match is None:
        return None
    return match[1] + ("+00:00" if match[2] in (None, "Z") else match[2])


# -- matching threads to articles -----------------------------------------------------------------

def page_key(url: str) -> str | None:
    """What makes two links the same page: host (less "www."), port, path (less a final "/" or
    "index.html") and query; None for anything that is not an http(s) link."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    port_part = f":{port}" if port not in (None, 80, 443) else ""
    path = re.sub(r"/index\.html?$", "", unquote(parts.path)).rstrip("/")
    return f"{host}{port_part}{path}" + (f"?{parts.query}" if parts.query else "")


def article_links(article: Article, config: SiteConfig) -> list[str]:
    links = [config.base_url + article.url_path]
    if article.source is not None and article.source.url:
        links.append(article.source.url)
    wordpress = article.extra.get("wordpress")
    if isinstance(wordpress, dict) and isinstance(wordpress.get("link"), str):
        links.append(wordpress["link"])
    return links


def plan_import(export: DisqusExport, articles: tuple[Article, ...], config: SiteConfig,
                report: ImportReport) -> dict[str, str]:
    """Each matched article's thread file (site-relative path -> text); `report` records the rest."""
    by_page: dict[str, Article] = {}
    for article in sorted(articles, key=lambda a: a.key):
        for link in article_links(article, config):
            key = page_key(link)
            if key is not None:
                by_page.setdefault(key, article)
    threads = {t.key: t for t in export.threads if t.key}
    posts_of: dict[str, list[DisqusPost]] = defaultdict(list)
    for post in export.posts:
        if post.thread_key in threads:
            posts_of[post.thread_key].append(post)
        elif not (post.deleted or post.spam):
            report.comments_left_out["whose thread is not in the export"] += 1

    # Several Disqus threads may be one page (its http and https links): one thread file each page.
    matched: dict[str, tuple[Article, list[DisqusThread]]] = {}
    for thread in threads.values():
        visible = sum(1 for p in posts_of.get(thread.key, []) if not (p.deleted or p.spam))
        article = by_page.get(page_key(thread.link) or "")
        if article is None:
            if visible:
                report.items_left_out["threads that match no article"] += 1
                report.comments_left_out["on threads that match no article"] += visible
                title = f" ('{shorten(thread.title)}')" if thread.title else ""
                report.notes.append(f"no article for {thread.link or 'a thread with no link'}{title}: "
                                    f"{counted(visible, 'comment')} not imported (give an article this link "
                                    "as its URL or source.url, and import again)")
            continue
        matched.setdefault(article.key, (article, []))[1].append(thread)

    files: dict[str, str] = {}
    for article, article_threads in matched.values():
        posts = [p for t in article_threads for p in posts_of.get(t.key, [])]
        arranged = arrange_thread([_source_comment(p) for p in posts])
        report.add_comments(arranged)
        if not arranged.comments:
            continue
        path = thread_path(article)
        report.articles += 1
        report.add_thread_file(path, arranged)
        source_count = sum(1 for p in posts if not (p.deleted or p.spam))
        files[path] = thread_text(arranged, any(t.closed for t in article_threads), source_count)
    return files


def _source_comment(post: DisqusPost) -> ImportedComment:
    body = comment_markdown(post.message)
    reason = "deleted" if post.deleted else "spam" if post.spam else "empty" if not body else None
    return ImportedComment(id=post.key, parent_id=post.parent_key, body=body, author=post.author or None,
                         date=post.date, left_out=reason)
