"""`sitegen check`: the build's own checks of the content, then the built site inspected in memory
the way browsers, feed readers and GitHub Pages will take it. Nothing is written.

The output must have: every internal link, asset and fragment resolving (`#comment-ID`, `#note-N`,
`#passage-N`, any id; a text fragment's text on its page); well-formed feeds that are Atom; a
sitemap and robots.txt naming only pages that exist; no link leaving base_url's path; and the
GitHub Pages files right (.nojekyll, CNAME, a 404.html whose links work at any depth).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from sitegen.build import BuildOptions, BuildResult, build_site
from sitegen.cache import BuildCache
from sitegen.check.pages import Page, Reference, folded, parse_page, text_directives
from sitegen.diagnostics import Diagnostic, error, shorten
from sitegen.load.threads import SCHEME
from sitegen.model import urls
from sitegen.model.types import SiteConfig
from sitegen.render.feeds import ATOM
from sitegen.render.pagefind import RUNTIME, decode, decode_fragment
from sitegen.render.sitemap import SITEMAP_NS
from sitegen.write.paths import output_path

_ATOM = f"{{{ATOM}}}"
_SITEMAP = f"{{{SITEMAP_NS}}}"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""")


@dataclass(frozen=True, slots=True)
class OutputReport:
    problems: list[Diagnostic]
    """Each names the built file (its path in the output) and, for a page, the line."""
    pages: int
    links: int
    """Internal links, assets and feed, sitemap and annotation URLs followed."""
    feeds: int


@dataclass(slots=True)
class CheckResult:
    build: BuildResult
    output: OutputReport | None
    """None when the build failed: there is no output to inspect."""

    @property
    def ok(self) -> bool:
        return self.build.ok and self.output is not None and not self.output.problems


def check_site(options: BuildOptions, cache: BuildCache | None = None) -> CheckResult:
    """Build the site in memory, as `sitegen build` would (from and into `cache`, the site's disk
    cache for `sitegen check`), and inspect what it would write."""
    result = build_site(options, cache)
    if not result.ok:
        return CheckResult(result, None)
    return CheckResult(result, inspect_output(result.files, result.config, options.relative))


def inspect_output(files: Mapping[str, bytes], config: SiteConfig, relative: bool = False) -> OutputReport:
    """`relative`: the output of `sitegen build --relative`, whose pages must work opened from disk."""
    return _Inspection(files, config, relative).run()


class _Inspection:
    def __init__(self, files: Mapping[str, bytes], config: SiteConfig, relative: bool = False):
        self.files = files
        self.config = config
        self.relative = relative
        self.host = urlsplit(config.base_url).netloc.lower()
        self.problems: list[Diagnostic] = []
        self.links = 0
        self.pages: dict[str, Page] = {}
        self.feeds: set[str] = {urls.FEED} if urls.FEED in files else set()
        # An article's HTML is in the site's feed and in each of its tags' feeds, and a link's
        # address is the same on every page that shares a base: each is worked out once.
        self._feed_html: dict[str, list[Reference]] = {}
        self._addresses: dict[tuple[str, str], tuple[str, str, str]] = {}

    def run(self) -> OutputReport:
        for path in sorted(self.files):
            if path.endswith(".html"):
                self.pages[path] = parse_page(self._text(path))
        for path, page in self.pages.items():
            self._check_page(path, page)
        for path in sorted(self.files):
            if path.endswith(".css"):
                self._check_stylesheet(path)
            elif path.endswith((".json", ".jsonld")):
                self._check_json(path)
        for path in sorted(self.files):
            if path.endswith(".xml") and path not in self.feeds and path != urls.SITEMAP:
                self._parse_xml(path)
        for path in sorted(self.feeds):
            self._check_feed(path)
        self._check_sitemap()
        self._check_search_index()
        self._check_pages_files()
        return OutputReport(self.problems, len(self.pages), self.links, len(self.feeds))

    # -- reading the output

    def _bytes(self, path: str) -> bytes:
        return self.files[path]

    def _text(self, path: str) -> str:
        return self._bytes(path).decode("utf-8", errors="replace")

    def _problem(self, path: str, line: int | None, message: str) -> None:
        self.problems.append(error(path, line, message))

    def url_of(self, path: str) -> str:
        """The address GitHub Pages serves an output file at ("2019/x/index.html" -> ".../2019/x/")."""
        if path == "index.html" or path.endswith("/index.html"):
            path = path.removesuffix("index.html")
        return self.config.base_url + path

    def _published(self, relative: str) -> str | None:
        """The output file a path under base_url reaches, as a static host finds it."""
        if relative == "" or relative.endswith("/"):
            candidates = [relative + "index.html"]
        else:  # "2019" is redirected to "2019/" by the host when it is a folder
            candidates = [relative, relative + "/index.html"]
        return next((c for c in candidates if c in self.files), None)

    # -- following one URL

    def follow(self, source: str, reference: Reference, base: str) -> str | None:
        """Check that REFERENCE, written in SOURCE and read against BASE, reaches the site's own
        file (and fragment); returns that file, or None when it is broken or not the site's."""
        written = reference.url.strip()
        try:
            scheme = urlsplit(written).scheme.lower()
            if not written or (scheme and scheme not in ("http", "https")):
                return None  # mailto:, tel:, data: ... are not pages of the site
            address = self._addresses.get((base, written))
            if address is None:
                parts = urlsplit(urljoin(base, written))
                address = self._addresses[base, written] = (parts.netloc.lower(), parts.path or "/", parts.fragment)
        except ValueError as exc:  # "http://[oops": a URL no browser can follow
            self._problem(source, reference.line, f"broken link {reference.what} '{written}': not a URL ({exc})")
            return None
        host, path, fragment = address
        if host != self.host:
            return None  # another site's: not followed, the check needs no network
        self.links += 1
        base_path = self.config.base_path
        if path == base_path.rstrip("/"):
            path = base_path
        if not path.startswith(base_path):
            if urlsplit(written).netloc:
                return None  # written with its host: another site there (a commenter's, another project's)
            self._problem(source, reference.line, f"{reference.what} '{written}' leaves the site: {path} is "
                                                  f"outside the base path {base_path}")
            return None
        target = self._published(unquote(path[len(base_path):]))
        if target is None:
            kind = "missing asset" if reference.is_asset else "broken link"
            self._problem(source, reference.line, f"{kind} {reference.what} '{written}': nothing is published "
                                                  f"at {path}")
            return None
        if fragment:
            self._check_fragment(source, reference, written, target, path, fragment)
        return target

    def _check_fragment(self, source, reference, written, target, path, fragment) -> None:
        page = self.pages.get(target)
        if page is None:
            return  # only an HTML page has ids to point into
        ident, _, directive = fragment.partition(":~:")
        ident = unquote(ident)
        # "#top" scrolls to the top of any page, with or without such an id (HTML's rule)
        if ident and ident not in page.ids and ident.lower() != "top":
            self._problem(source, reference.line, f"broken fragment {reference.what} '{written}': {path} has "
                                                  f"no element with id '{ident}'")
        for terms in text_directives(directive):
            missing = [term for term in terms if folded(term) not in page.text]
            if missing:
                self._problem(source, reference.line, f"text fragment {reference.what} '{shorten(written)}': "
                                                      f"{path} has no text '{shorten(missing[0])}'")

    # -- the kinds of files

    def _check_page(self, path: str, page: Page) -> None:
        base = urljoin(self.url_of(path), page.base) if page.base else self.url_of(path)
        for ident, line in page.duplicate_ids:
            self._problem(path, line, f"id '{ident}' is used twice on this page (first on line "
                                      f"{page.ids[ident]}), so a link to #{ident} is ambiguous")
        for reference in page.references:
            if path == urls.NOT_FOUND and _is_path_relative(reference.url):
                self._problem(path, reference.line, f"{reference.what} '{reference.url.strip()}' is relative, but "
                                                    "GitHub Pages serves 404.html at any missing address, however "
                                                    f"deep: start it with {self.config.base_path}")
                continue
            if self.relative and path != urls.NOT_FOUND and "canonical" not in reference.rels:
                self._check_offline(path, reference)
            target = self.follow(path, reference, base)
            if target is not None and "alternate" in reference.rels and reference.type == "application/atom+xml":
                self.feeds.add(target)

    def _check_offline(self, path: str, reference: Reference) -> None:
        """A link of a page of a relative build must name a file relative to the page: opened from
        disk, a rooted link leads to the disk's root, and a folder shows no page."""
        written = reference.url.strip()
        parts = urlsplit(written)
        on_site = parts.netloc.lower() == self.host and parts.path.startswith(self.config.base_path)
        if on_site or (written.startswith("/") and not written.startswith("//")):
            self._problem(path, reference.line, f"{reference.what} '{written}' is rooted: opened from disk it "
                                                "leads away from the site (a relative build's links are relative)")
        elif not parts.scheme and not parts.netloc and parts.path.endswith("/"):
            self._problem(path, reference.line, f"{reference.what} '{written}' names a folder: opened from disk, "
                                                "a browser shows no page there (name its index.html)")

    def _check_stylesheet(self, path: str) -> None:
        css = self._text(path)
        for match in _CSS_URL.finditer(css):
            url = match.group(2) if match.group(2) is not None else match.group(4)
            line = css.count("\n", 0, match.start()) + 1
            self.follow(path, Reference(url, line, "url()" if match.group(2) is not None else "@import", True),
                        self.url_of(path))

    def _check_json(self, path: str) -> None:
        try:
            data = json.loads(self._bytes(path))
        except ValueError as exc:
            self._problem(path, getattr(exc, "lineno", None), f"not well-formed JSON: {exc}")
            return
        site_urls = (f"http://{self.host}/", f"https://{self.host}/")
        for value in _strings(data):
            if value.lower().startswith(site_urls):
                self.follow(path, Reference(value, None, "URL"), self.url_of(path))

    def _parse_xml(self, path: str) -> ET.Element | None:
        try:
            return ET.fromstring(self._bytes(path))
        except ET.ParseError as exc:
            self._problem(path, exc.position[0], f"not well-formed XML: {exc}")
            return None

    def _check_feed(self, path: str) -> None:
        root = self._parse_xml(path)
        if root is None:
            return
        if root.tag != _ATOM + "feed":
            self._problem(path, None, f"is linked as an Atom feed, but its root element is <{_local(root.tag)}>, "
                                      "not Atom's <feed>")
            return
        feed_has_author = root.find(_ATOM + "author") is not None
        self._check_atom_fields(path, root, "the feed", author_needed=False)
        for entry in root.iterfind(_ATOM + "entry"):
            name = f"entry '{shorten(entry.findtext(_ATOM + 'id') or entry.findtext(_ATOM + 'title') or '?')}'"
            self._check_atom_fields(path, entry, name, author_needed=not feed_has_author)
        self._follow_feed_urls(path, root, self.url_of(path))

    def _check_atom_fields(self, path: str, element: ET.Element, name: str, author_needed: bool) -> None:
        for child in ("id", "title", "updated"):
            if element.find(_ATOM + child) is None:
                self._problem(path, None, f"{name} has no <{child}>, which Atom requires")
        if author_needed and element.find(_ATOM + "author") is None:
            self._problem(path, None, f"{name} has no <author>, and neither has the feed (Atom requires one)")
        for child in ("updated", "published"):
            value = element.findtext(_ATOM + child)
            if value is not None and not _RFC3339.fullmatch(value.strip()):
                self._problem(path, None, f"{name}: <{child}> '{shorten(value)}' is not an RFC 3339 date-time")

    def _follow_feed_urls(self, path: str, element: ET.Element, base: str) -> None:
        base = urljoin(base, element.get(_XML_BASE)) if element.get(_XML_BASE) else base
        if element.tag == _ATOM + "link" and element.get("href"):
            self.follow(path, Reference(element.get("href"), None, "<link href>"), base)
        elif element.tag in (_ATOM + "content", _ATOM + "summary") and element.get("type") == "html":
            html = element.text or ""
            if html not in self._feed_html:
                self._feed_html[html] = parse_page(html).references
            for reference in self._feed_html[html]:
                self.follow(path, Reference(reference.url, None, f"{reference.what} in <{_local(element.tag)}>",
                                            reference.is_asset), base)
        for child in element:
            self._follow_feed_urls(path, child, base)

    def _check_sitemap(self) -> None:
        if urls.SITEMAP not in self.files:
            self._problem(urls.SITEMAP, None, "missing")
            return
        root = self._parse_xml(urls.SITEMAP)
        if root is None:
            return
        if root.tag != _SITEMAP + "urlset":
            self._problem(urls.SITEMAP, None, f"root element is <{_local(root.tag)}>, not the sitemap <urlset>")
        for loc in root.iter(_SITEMAP + "loc"):
            self._follow_listed_url(urls.SITEMAP, (loc.text or "").strip(), "<loc>")
        if urls.ROBOTS in self.files:
            for number, line in enumerate(self._text(urls.ROBOTS).splitlines(), 1):
                if line.lower().startswith("sitemap:"):
                    self._follow_listed_url(urls.ROBOTS, line.partition(":")[2].strip(), "Sitemap:", number)

    def _follow_listed_url(self, path: str, url: str, what: str, line: int | None = None) -> None:
        """A sitemap's URLs must be absolute and the site's own: other hosts are not followed."""
        if not url.startswith(self.config.base_url):
            self._problem(path, line, f"{what} '{url}' is not under the site's base_url {self.config.base_url}")
            return
        self.follow(path, Reference(url, line, what), self.config.base_url)

    def _check_search_index(self) -> None:
        """The search page's index is there, whole, and leads only to pages and anchors that exist."""
        search_page = output_path(urls.SEARCH)
        if search_page not in self.files:
            return
        shards = re.search(r'data-shards="([^"]*)"', self._text(search_page))
        folders = []
        for shard in (shards.group(1).split() if shards else ()):
            if not shard.startswith(self.config.base_path) or not shard.endswith("/"):
                self._problem(search_page, None, f"names the search index folder {shard}, which is not one of the site's")
                continue
            folders.append(shard.removeprefix(self.config.base_path))
        if folders and f"{folders[0]}{RUNTIME[0]}" not in self.files:
            self._problem(search_page, None, f"loads {folders[0]}{RUNTIME[0]}, which the site does not have")
        for folder in folders:
            self._check_search_shard(folder)

    def _check_search_shard(self, folder: str) -> None:
        entry_path = f"{folder}pagefind-entry.json"

        def present(path: str, named_in: str) -> bool:
            if path not in self.files:
                self._problem(named_in, None, f"names {path}, which the search index does not have")
                return False
            return True

        if not present(entry_path, output_path(urls.SEARCH)):
            return
        try:
            for about in json.loads(self._bytes(entry_path))["languages"].values():
                meta_path = f"{folder}pagefind.{about['hash']}.pf_meta"
                if not present(meta_path, entry_path):
                    continue
                meta = decode(self._bytes(meta_path))
                for _, _, chunk in meta[2]:
                    present(f"{folder}index/{chunk}.pf_index", meta_path)
                for _, filter_hash in meta[3]:
                    present(f"{folder}filter/{filter_hash}.pf_filter", meta_path)
                for page_hash, _ in meta[1]:
                    fragment_path = f"{folder}fragment/{page_hash}.pf_fragment"
                    if present(fragment_path, meta_path):
                        self._check_search_document(fragment_path, decode_fragment(self._bytes(fragment_path)))
        except (ValueError, KeyError, TypeError, IndexError, OSError) as exc:
            self._problem(entry_path, None, f"the search index cannot be read: {exc}")

    def _check_search_document(self, path: str, document: dict) -> None:
        page = self._published(document["url"].removeprefix("/").partition("#")[0])
        if page is None:
            self._problem(path, None, f"the search index leads to {document['url']}, which the site does not have")
            return
        for anchor in document["anchors"]:
            # A comment's or note's heading id is KIND~DAY~PLACE (render/search.py): the search page
            # leads to the document's URL + PLACE ("#comment-c1", "page/3/#comment-c1"); another
            # element's id, to the document's URL + #ID.
            parts = anchor["id"].split("~", 2)
            url = document["url"] + (parts[2] if len(parts) == 3 else "#" + anchor["id"])
            at, _, target = url.partition("#")
            held_by = self._published(at.removeprefix("/"))
            if held_by is None:
                self._problem(path, None, f"the search index leads to {url}, which the site does not have")
            elif target not in self.pages[held_by].ids:
                self._problem(path, None, f"the search index leads to {url}, which {held_by} has no id for")

    def _check_pages_files(self) -> None:
        if urls.NO_JEKYLL not in self.files:
            self._problem(urls.NO_JEKYLL, None, "missing: without it GitHub Pages may run Jekyll over the site, "
                                                "which drops files and folders whose names start with '_'")
        if urls.NOT_FOUND not in self.files:
            self._problem(urls.NOT_FOUND, None, "missing: readers would get GitHub's own not-found page")
        if self.config.cname and urls.CNAME not in self.files:
            self._problem(urls.CNAME, None, f"missing, though sitegen.yaml has cname: {self.config.cname}")
        if urls.CNAME in self.files:
            domain = self._text(urls.CNAME).strip().lower()
            host = urlsplit(self.config.base_url).hostname or ""
            if domain != host:
                self._problem(urls.CNAME, 1, f"names {domain}, but base_url is on {host}: GitHub Pages serves the "
                                             f"site at {domain}, where links to {host} lead away from it")


def _is_path_relative(url: str) -> bool:
    """True for "style.css" or "../x/", which mean something else at every depth; not for
    "/digest/x/", "https://...", "#main" or "mailto:..."."""
    url = url.strip()
    return bool(url) and not url.startswith(("/", "#", "?")) and not SCHEME.match(url)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def report_lines(problems: list[Diagnostic], shown: int = 3) -> list[str]:
    """One line per problem, `FILE:LINE: message`; a problem repeated on many files (a theme's
    broken link is on every page) is shown on the first few, then counted."""
    by_message: dict[str, list[Diagnostic]] = {}
    for problem in problems:
        by_message.setdefault(problem.message, []).append(problem)
    lines = []
    for group in by_message.values():
        lines += [str(problem) for problem in group[:shown]]
        if len(group) > shown:
            lines.append(f"  ... and the same on {len(group) - shown} more files")
    return lines
