"""`sitegen build --relative`: pages whose links work opened from disk (file://) or from any folder
of any server, as Pelican's RELATIVE_URLS and MkDocs' offline mode give theirs.

Every page links under the site's base path ("/digest/tags/nato/") or to its absolute base_url
(the feeds); here each such link of an HTML page becomes a path relative to the page, naming
the file itself, since a browser opening files does not look for a folder's index.html:
"../../tags/nato/index.html". Links elsewhere, fragments, and the page's canonical address (an
address on the web by definition) stay as they are. Atom feeds keep their absolute links: feed
readers resolve nothing else.
"""

from __future__ import annotations

import posixpath
import re

from sitegen.model.types import SiteConfig

_TAG = re.compile(r"<(?:a|link|script|img|form|source|iframe)\b[^>]*>", re.IGNORECASE)
_LINK = re.compile(r"""(\s(?:href|src|action)=)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def relative_links(html: str, url_path: str, config: SiteConfig) -> str:
    """The page at `url_path` ("2019/11/macron/", "404.html") with its links to the site relative."""
    page = url_path + "index.html" if url_path == "" or url_path.endswith("/") else url_path
    here = posixpath.dirname(page)

    def link(match: re.Match) -> str:
        attribute, quote, url = match.groups()
        return f"{attribute}{quote}{_relative(url, here, config)}{quote}"

    def tag(match: re.Match) -> str:
        if 'rel="canonical"' in match.group(0):
            return match.group(0)
        return _LINK.sub(link, match.group(0))

    return _TAG.sub(tag, html)


def _relative(url: str, here: str, config: SiteConfig) -> str:
    """`url`, from the page in folder `here`, as a path to the file it names."""
    if url.startswith("//") or not url or url.startswith("#"):  # another host; this page
        return url
    for prefix in (config.base_url, config.base_path):
        if url.startswith(prefix) and not url[len(prefix):].startswith("/"):
            path, mark, rest = _split(url[len(prefix):])
            return posixpath.relpath(_file(path), here or ".") + mark + rest
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", url) or url.startswith("/"):  # elsewhere, or outside the site
        return url
    path, mark, rest = _split(url)  # an author's own relative link: to a folder, name its page
    return _file(path) + mark + rest


def _file(path: str) -> str:
    return path + "index.html" if path == "" or path.endswith("/") else path


def _split(url: str) -> tuple[str, str, str]:
    """("tags/", "#", "top") for "tags/#top": the path, and what follows it."""
    cut = min((url.index(mark) for mark in "?#" if mark in url), default=len(url))
    return url[:cut], url[cut:cut + 1], url[cut + 1:]
