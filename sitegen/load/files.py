"""Read a site's own files: only regular ones, never waiting on a FIFO, and following a symbolic link
only where the site's files may lead; text as UTF-8, a byte-order mark dropped, line ends made '\\n'."""

from __future__ import annotations

import errno
import os
import stat
from functools import cached_property
from pathlib import Path

from sitegen.diagnostics import Diagnostic, error

# O_NONBLOCK: opening a FIFO waits for a writer, forever; opened this way it returns at once, and
# the fstat of what was opened refuses it before anything is read.
_READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def kind_refusal(mode: int) -> str | None:
    """Why a file of this mode is not read: None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "of an unknown kind")
    return f"is not a regular file ({kind})"


def stat_refusal(exc: OSError, is_link: bool) -> str:
    """Why a file whose stat or open failed with EXC is not read."""
    if exc.errno == errno.ELOOP:
        return "is a loop of symbolic links"
    if exc.errno == errno.ENOENT:
        return "is a symbolic link to nothing" if is_link else "file not found"
    return f"cannot be read ({exc.strerror})"


def _parts_inside(path: str, folder: str) -> list[str] | None:
    """PATH's parts below FOLDER (both resolved), or None when it is not inside it."""
    if path == folder:
        return []
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    return path[len(prefix):].split(os.sep) if path.startswith(prefix) else None


class Boundary:
    """Where a symbolic link among one part of a site may lead: into that part's folder (content/,
    layouts/, or the whole site), and never to anything hidden (.git/, .env, the build's cache).

    A pull request can add links; without this one could publish the repository's .git/config,
    token and all, or a file of the machine that builds the site. Paths are resolved on first
    use: most sites have no links at all.
    """

    def __init__(self, root: Path, folder: str | None = None, verb: str = "published"):
        self.root = root
        self.name = folder
        self.verb = verb
        """What is not done with a hidden file: "published", "read"."""

    @property
    def label(self) -> str:
        return f"{self.name}/" if self.name else "the site's folder"

    @cached_property
    def site(self) -> str:
        return os.path.realpath(self.root)

    @cached_property
    def folder(self) -> str:
        return os.path.realpath(self.root / self.name) if self.name else self.site

    def refusal(self, link: str, what: str = "file") -> str | None:
        """Why the symbolic link at LINK is not followed; None when it leads where it may."""
        target = os.path.realpath(link)
        in_site = _parts_inside(target, self.site)
        if in_site is not None and any(part.startswith(".") for part in in_site):
            return f"a symbolic link to a hidden {what}: not {self.verb}"
        if in_site is None or _parts_inside(target, self.folder) is None:
            return f"a symbolic link that leads out of {self.label}: not read"
        return None

    def folder_refusal(self) -> str | None:
        """Why the folder itself (content/ as a symbolic link, say) is not one of the site's own."""
        in_site = _parts_inside(self.folder, self.site)
        if in_site is None:
            return "a symbolic link that leads out of the site's folder: not read"
        if any(part.startswith(".") for part in in_site):
            return "a symbolic link to a hidden folder: not read"
        return None


def read_regular_file(path: str, boundary: Boundary | None) -> tuple[bytes | None, str | None]:
    """(the bytes of the regular file at PATH, None), or (None, why it was not read).

    Never waits: the file is opened without blocking and what was opened is checked, so a FIFO
    or a device put in place of a file after the scan is refused too. A symbolic link is followed
    only where BOUNDARY lets it lead (None: the built-in theme's own files, trusted).
    """
    descriptor = None
    if _NOFOLLOW or not os.path.islink(path):  # without O_NOFOLLOW, look before opening
        try:
            descriptor = os.open(path, _READ | _NOFOLLOW)
        except OSError as exc:
            if not os.path.islink(path):  # O_NOFOLLOW's refusal of a link is the one failure to go on from
                return None, _open_refusal(path, exc)
    if descriptor is None:
        why = boundary.refusal(path) if boundary is not None else None
        if why is not None:
            return None, why
        try:
            descriptor = os.open(path, _READ)
        except OSError as exc:
            return None, _open_refusal(path, exc)
    try:
        why = kind_refusal(os.fstat(descriptor).st_mode)
        if why is not None:
            return None, why
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            return stream.read(), None
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror})"
    finally:
        os.close(descriptor)


def _open_refusal(path: str, exc: OSError) -> str:
    try:  # a socket cannot be opened at all (ENXIO): say what it is
        why = kind_refusal(os.stat(path).st_mode)
    except OSError:
        why = None
    return why or stat_refusal(exc, os.path.islink(path))


def decode_text(data: bytes, display_path: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [error(display_path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")]
    if "\r" in content:
        content = content.replace("\r\n", "\n").replace("\r", "\n")
    return content, []
