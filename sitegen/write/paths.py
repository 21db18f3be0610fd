"""The one way a page's URL becomes a file path in the output: it can never leave the output folder."""

from __future__ import annotations

import re

_UNSAFE_CHARACTER = re.compile(r"[\\\x00-\x1f\x7f]")


class UnsafePath(ValueError):
    pass


def output_path(url_path: str) -> str:
    """"2019/11/macron/" -> "2019/11/macron/index.html"; "feed.xml" stays; "" is the home page.

    Rejects absolute paths, '..' and '.' segments, backslashes and control characters, whatever
    a slug, tag or file name says.
    """
    if url_path == "" or url_path.endswith("/"):
        url_path += "index.html"
    if _UNSAFE_CHARACTER.search(url_path):
        raise UnsafePath(f"'{url_path}' has a backslash or control character")
    if url_path.startswith("/"):
        raise UnsafePath(f"'{url_path}' is absolute")
    if any(part in ("", ".", "..") for part in url_path.split("/")):
        raise UnsafePath(f"'{url_path}' has an empty, '.' or '..' segment")
    return url_path
