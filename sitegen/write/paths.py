"""The one way a page's URL becomes a file path in the output: it can never leave the output folder."""

from __future__ import annotations

import re

from sitegen.model.slugs import WINDOWS_DEVICE

_UNSAFE_CHARACTER = re.compile(r"[\\\x00-\x1f\x7f]")
_NOT_ON_WINDOWS = re.compile(r'[<>:"|?*]')
NAME_BYTES = 255
"""The longest file or folder name, in bytes of UTF-8, that Linux, macOS and Windows all hold."""


class UnsafePath(ValueError):
    pass


def output_path(url_path: str) -> str:
    """"2019/11/macron/" -> "2019/11/macron/index.html"; "feed.xml" stays; "" is the home page.

    Rejects absolute paths, '..' and '.' segments, backslashes and control characters, whatever
    a slug, tag or file name says; and any name that one of the file systems sitegen's users
    publish from could not hold (too long, or one Windows refuses), so that `build`, `check` and
    `serve` all refuse it alike, when the site is planned.
    """
    if url_path == "" or url_path.endswith("/"):
        url_path += "index.html"
    if _UNSAFE_CHARACTER.search(url_path):
        raise UnsafePath(f"'{url_path}' has a backslash or control character")
    if url_path.startswith("/"):
        raise UnsafePath(f"'{url_path}' is absolute")
    parts = url_path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise UnsafePath(f"'{url_path}' has an empty, '.' or '..' segment")
    for part in parts:
        if len(part.encode("utf-8")) > NAME_BYTES:
            raise UnsafePath(f"'{part[:40]}…' is {len(part.encode('utf-8'))} bytes long, and a file or folder "
                             f"name holds at most {NAME_BYTES} (shorten it)")
        if _NOT_ON_WINDOWS.search(part) or WINDOWS_DEVICE.fullmatch(part) or part.endswith((".", " ")):
            raise UnsafePath(f"'{part}' is not a name Windows can hold (no < > : \" | ? *, no CON, NUL, COM1 "
                             "and the like, no '.' or space at the end)")
    return url_path
