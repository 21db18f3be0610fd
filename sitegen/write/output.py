"""Where a build's files go: into memory (check), or into a folder, atomically (build, serve).

Three writers, one protocol (`Output`). A build that changes much fills a fresh folder beside the
output, hard-linking every file whose bytes did not change (known from the cache, or found by
comparing), so those keep their times, then swaps it in (Lektor commits each artifact by rename;
sitegen does it for the whole tree). A build that changes little writes its files into a folder
beside the output and moves them in at the end. Either way nothing temporary is ever inside the
output, a failed or interrupted build leaves the previous output exactly as it was, and a build
that changes nothing touches nothing.
"""

from __future__ import annotations

import os
import shutil
import stat as statmodule
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Mapping, Protocol

from sitegen.write.files import TEMPORARY_PREFIX, make_temporary_folder, remove_leftovers
from sitegen.write.interrupts import interrupts_held
from sitegen.write.swap import exchange

OUTPUT_DIR = "output"
"""Where a site is built, in its root: by `sitegen build` (unless --output says otherwise) and the preview."""


@dataclass
class OutputEntry:
    """One output file as the last build made it."""

    fingerprint: str
    """The digest of what it was made from."""
    size: int = -1
    mtime_ns: int = -1
    """How the file looked on disk after the build that wrote it (folder output only)."""
    content: bytes | None = None
    """The file itself (memory output only; never stored on disk)."""
    parts: tuple[str, ...] = ()
    """The other files made with this one (a Bundle's: render/pages.py), kept only with it."""


@dataclass(frozen=True)
class Staging:
    """Where a full build writes: a fresh folder, and the output folder it will replace, if any.

    Small enough to hand to worker processes, which write the pages they make themselves.
    """

    folder: str
    replaces: str | None

    def write(self, path: str, content: bytes, made_dirs: set[str]) -> tuple[int, int]:
        """Put one made file in the fresh folder: (its size, its mtime).

        When the output already holds exactly these bytes there, that file is hard-linked in
        instead: it keeps its times even when no cache says it is unchanged, and nothing is written
        (or freed when the old folder goes).
        """
        target = self.target(path, made_dirs)
        kept = self._link_same(path, target, len(content), lambda existing: existing.read() == content)
        if kept is not None:
            return kept
        with open(target, "wb") as stream:
            stream.write(content)
            stream.flush()
            stat = os.fstat(stream.fileno())
        return stat.st_size, stat.st_mtime_ns

    def copy(self, path: str, source: Path, made_dirs: set[str]) -> tuple[int, int]:
        """Put a file that is published as it is in the fresh folder, as `write` does."""
        target = self.target(path, made_dirs)
        kept = self._link_same(path, target, source.stat().st_size,
                               lambda existing: _same_stream(existing, source))
        if kept is not None:
            return kept
        shutil.copyfile(source, target)
        stat = os.stat(target)
        return stat.st_size, stat.st_mtime_ns

    def target(self, path: str, made_dirs: set[str]) -> str:
        """Where `path` goes in the fresh folder, its folder made."""
        target = f"{self.folder}/{path}"
        folder = target.rpartition("/")[0]
        if folder not in made_dirs:
            os.makedirs(folder, exist_ok=True)
            made_dirs.add(folder)
        return target

    def _link_same(self, path: str, target: str, size: int, same: Callable[[BinaryIO], bool]) -> tuple[int, int] | None:
        if self.replaces is None:
            return None
        existing = f"{self.replaces}/{path}"
        stat = plain_file_holding(existing, size, same)
        if stat is None:
            return None
        try:
            os.link(existing, target, follow_symlinks=False)
        except OSError:
            return None  # no hard links on this file system: write it
        return stat.st_size, stat.st_mtime_ns


def plain_file_holding(path: str, size: int, same: Callable[[BinaryIO], bool]) -> os.stat_result | None:
    """The stat of the plain file at `path` when it has `size` bytes and `same` finds them the
    ones wanted; None when it differs, is missing, or is not a plain file.

    The output folder is the user's: a symbolic link there is not followed, and a pipe or a device
    is neither waited on nor read.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    stat = os.fstat(descriptor)
    if not statmodule.S_ISREG(stat.st_mode) or stat.st_size != size:  # a folder cannot even be wrapped
        os.close(descriptor)
        return None
    with os.fdopen(descriptor, "rb") as stream:
        if not same(stream):
            return None
    return stat


def _same_stream(stream: BinaryIO, source: Path, chunk: int = 1 << 20) -> bool:
    with open(source, "rb") as other:
        while True:
            mine, theirs = stream.read(chunk), other.read(chunk)
            if mine != theirs:
                return False
            if not mine:
                return True


class BuiltFiles(Mapping[str, bytes]):
    """A build's files, whichever writer made them: output path -> bytes, read when asked for."""

    def __init__(self, contents: dict[str, bytes | Path | None], folder: Path | None = None,
                 stamps: Mapping[str, tuple[int, int] | None] | None = None):
        self._contents = contents
        """Bytes made in memory, or the file holding them (copied as it is); None for a file in `folder`."""
        self._folder = folder
        """Where a build wrote its files (a Path for each of 30,000 files would cost a second)."""
        self.stamps = stamps or {}
        """Each file in `folder` by (size, mtime) as the build left it, in the build's order."""

    def __getitem__(self, path: str) -> bytes:
        content = self._contents[path]
        return content if isinstance(content, bytes) else self.source(path).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self._contents)

    def __contains__(self, path: object) -> bool:  # Mapping's would read the file
        return path in self._contents

    def __len__(self) -> int:
        return len(self._contents)

    def stamp(self, path: str) -> tuple[int, int] | None:
        """How the build left the file in its folder (size, mtime): what tells it apart from another
        build's, without reading it. None for a file not in a folder."""
        return self.stamps.get(path)

    def source(self, path: str) -> Path | None:
        """The file on disk that holds `path`'s bytes (served as it is), or None for bytes in memory."""
        content = self._contents[path]
        if content is None:
            return self._folder / path
        return content if isinstance(content, Path) else None


class Output(Protocol):
    """Where a build puts its files; nothing is visible until `commit`."""

    staging: Staging | None
    """Where worker processes may write made files themselves (see `placed`), if anywhere."""

    def keep(self, files: dict[str, OutputEntry]) -> bool:
        """Keep files the last build made (a page's: a bundle's all together), when every one is still
        there as it was; else keep none, and return False: they are made again."""

    def put(self, path: str, fingerprint: str, content: bytes) -> OutputEntry:
        """A made file."""

    def placed(self, path: str, fingerprint: str, written: tuple[int, int]) -> OutputEntry:
        """A made file a worker wrote into `staging` itself: its (size, mtime)."""

    def copy(self, path: str, fingerprint: str, source: Path) -> OutputEntry:
        """A file published as it is."""

    def commit(self, changed: bool, made: dict[str, OutputEntry]) -> BuiltFiles:
        """Make every file put, placed, copied or kept the output, and only those."""

    def abort(self) -> None:
        """Leave the output as it was, and nothing temporary behind."""


class MemoryOutput:
    """The site as a mapping from output path to bytes, or to a source file to serve as it is."""

    staging: Staging | None = None

    def __init__(self):
        self.files: dict[str, bytes | Path] = {}

    def keep(self, files: dict[str, OutputEntry]) -> bool:
        if any(before.content is None for before in files.values()):
            return False
        self.files.update((path, before.content) for path, before in files.items())
        return True

    def put(self, path: str, fingerprint: str, content: bytes) -> OutputEntry:
        self.files[path] = content
        return OutputEntry(fingerprint, content=content)

    def placed(self, path: str, fingerprint: str, written: tuple[int, int]) -> OutputEntry:
        raise TypeError("a build in memory has no folder for workers to write to")

    def copy(self, path: str, fingerprint: str, source: Path) -> OutputEntry:
        self.files[path] = source
        return OutputEntry(fingerprint)

    def commit(self, changed: bool, made: dict[str, OutputEntry]) -> BuiltFiles:
        return BuiltFiles(dict(sorted(self.files.items())))

    def abort(self) -> None:
        pass


def recover_output(out_dir: Path) -> None:
    """Undo what a killed build left beside `out_dir`: an output retired but not replaced is put
    back, and temporary folders are deleted. Call it with the site's build lock held."""
    retired = sorted(out_dir.parent.glob(f"{TEMPORARY_PREFIX}old-{out_dir.name}-*"))
    if retired and not out_dir.exists():
        os.rename(retired[-1], out_dir)
    prefixes = (f"{TEMPORARY_PREFIX}{out_dir.name}-", f"{TEMPORARY_PREFIX}old-{out_dir.name}-")
    remove_leftovers(out_dir.parent, keep=lambda name: not name.startswith(prefixes))


def folder_files(out_dir: Path, stamps: Mapping[str, tuple[int, int] | None]) -> BuiltFiles:
    """The files of a build written into `out_dir`, each by its (size, mtime)."""
    return BuiltFiles(dict.fromkeys(sorted(stamps)), out_dir, stamps)


def made_before(path: str, fingerprint: str, previous: dict[str, OutputEntry]) -> dict[str, OutputEntry] | None:
    """The files the last build made for the page at `path`, when it made them from the same
    inputs: the page's own, and a bundle's other files (render/pages.py), kept or made again together."""
    before = previous.get(path)
    if before is None or before.fingerprint != fingerprint:
        return None
    if not before.parts:
        return {path: before}
    parts = {part: previous.get(part) for part in before.parts}
    return None if None in parts.values() else {path: before, **parts}


def entry_stamps(made: Mapping[str, OutputEntry]) -> dict[str, tuple[int, int]]:
    return {path: (entry.size, entry.mtime_ns) for path, entry in made.items()}


class StagedOutput:
    """The whole site written into a fresh folder beside `out_dir`, swapped in when the build succeeds.

    Files that did not change are hard-linked in (keeping their bytes and times).
    """

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir.resolve()
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.staging_dir = make_temporary_folder(self.out_dir)
        self.staging = Staging(str(self.staging_dir), str(self.out_dir) if self.out_dir.is_dir() else None)
        self.kept: list[str] = []
        self.made_dirs: set[str] = set()

    def keep(self, files: dict[str, OutputEntry]) -> bool:
        if not unchanged_on_disk(self.out_dir, files):
            return False
        self.kept += files
        return True

    def put(self, path: str, fingerprint: str, content: bytes) -> OutputEntry:
        return OutputEntry(fingerprint, *self.staging.write(path, content, self.made_dirs))

    def placed(self, path: str, fingerprint: str, written: tuple[int, int]) -> OutputEntry:
        return OutputEntry(fingerprint, *written)

    def copy(self, path: str, fingerprint: str, source: Path) -> OutputEntry:
        return OutputEntry(fingerprint, *self.staging.copy(path, source, self.made_dirs))

    def commit(self, changed: bool, made: dict[str, OutputEntry]) -> BuiltFiles:
        """Swap the new folder in, or, when nothing changed, leave the output as it is."""
        if not changed and self.out_dir.is_dir():
            self.abort()
            return folder_files(self.out_dir, entry_stamps(made))
        for path in self.kept:
            target = self.staging.target(path, self.made_dirs)
            try:
                os.link(f"{self.out_dir}/{path}", target)
            except OSError:  # a file system without hard links
                shutil.copy2(f"{self.out_dir}/{path}", target)
        with interrupts_held():
            _swap_in(self.staging_dir, self.out_dir)
        return folder_files(self.out_dir, entry_stamps(made))

    def abort(self) -> None:
        shutil.rmtree(self.staging_dir, ignore_errors=True)


class PatchedOutput:
    """A few changed files moved into an existing `out_dir`, for a build that changed little.

    Each file is written into a folder beside the output; only when the whole build has succeeded
    are they renamed into place and the files no page makes any more deleted, with Ctrl-C held off
    for those few milliseconds. A failed or interrupted build leaves the output exactly as it was,
    and a made file whose bytes did not change is not rewritten at all.
    """

    staging: Staging | None = None

    def __init__(self, out_dir: Path, previous: dict[str, OutputEntry]):
        self.out_dir = out_dir.resolve()
        self.previous = previous
        self.pending: list[tuple[str, str]] = []
        self.paths: set[str] = set()
        self._folder: Path | None = None

    def _temporary(self) -> str:
        if self._folder is None:
            self._folder = make_temporary_folder(self.out_dir)
        return f"{self._folder}/{len(self.pending)}"

    def keep(self, files: dict[str, OutputEntry]) -> bool:
        if not unchanged_on_disk(self.out_dir, files):
            return False
        self.paths.update(files)
        return True

    def put(self, path: str, fingerprint: str, content: bytes) -> OutputEntry:
        self.paths.add(path)
        target = f"{self.out_dir}/{path}"
        stat = plain_file_holding(target, len(content), lambda existing: existing.read() == content)
        if stat is not None:
            return OutputEntry(fingerprint, stat.st_size, stat.st_mtime_ns)
        temporary = self._temporary()
        with open(temporary, "wb") as stream:
            stream.write(content)
        self.pending.append((temporary, target))
        return OutputEntry(fingerprint, len(content), -1)

    def placed(self, path: str, fingerprint: str, written: tuple[int, int]) -> OutputEntry:
        raise TypeError("a patch is written by the build itself")

    def copy(self, path: str, fingerprint: str, source: Path) -> OutputEntry:
        self.paths.add(path)
        temporary = self._temporary()
        shutil.copyfile(source, temporary)
        self.pending.append((temporary, f"{self.out_dir}/{path}"))
        return OutputEntry(fingerprint, os.stat(temporary).st_size, -1)

    def commit(self, changed: bool, made: dict[str, OutputEntry]) -> BuiltFiles:
        """Move the written files into place and delete those no longer made; record their times."""
        gone = [path for path in self.previous if path not in self.paths]
        folders = sorted({target.rpartition("/")[0] for _, target in self.pending})
        for folder in folders:  # before anything moves: a folder that cannot be made changes nothing
            os.makedirs(folder, exist_ok=True)
        with interrupts_held():
            for temporary, target in self.pending:
                os.replace(temporary, target)
            for path in gone:
                _remove_with_empty_parents(self.out_dir, path)
        self.abort()
        for _, target in self.pending:
            path = target[len(str(self.out_dir)) + 1:]
            stat = os.stat(target)
            made[path] = OutputEntry(made[path].fingerprint, stat.st_size, stat.st_mtime_ns, parts=made[path].parts)
        return folder_files(self.out_dir, entry_stamps(made))

    def abort(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


def unchanged_on_disk(out_dir: Path, files: dict[str, OutputEntry]) -> bool:
    """True when the output still has each of these files as the last build left it."""
    for path, before in files.items():
        try:
            stat = os.stat(f"{out_dir}/{path}")
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (before.size, before.mtime_ns):
            return False
    return True


def _remove_with_empty_parents(out_dir: Path, path: str) -> None:
    try:
        os.unlink(f"{out_dir}/{path}")
    except OSError:
        return
    folder = f"{out_dir}/{path}".rpartition("/")[0]
    while folder != str(out_dir):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = folder.rpartition("/")[0]



def _swap_in(staging: Path, out_dir: Path) -> None:
    """Make `staging` the output. Where the system can exchange two folders in one step, no moment
    is without a whole output; elsewhere the old one is renamed away first, and a build killed in
    between finds it again (recover_output)."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if exchange(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)  # now the old output
        return
    retired = out_dir.parent / f"{TEMPORARY_PREFIX}old-{out_dir.name}-{os.getpid()}"
    os.rename(out_dir, retired)
    try:
        os.rename(staging, out_dir)
    except BaseException:
        os.rename(retired, out_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
