"""Assemble the site and plan its pages, once per shape of the site.

Plans depend on the config, the build's options and each article's record, but not on the
content of any article (pages name articles by key; see render/pages.py). So they are kept
between builds under the digest of those inputs, the site's shape: an edit to an article's body
or to a comment's text keeps every article's shape (ArticleRecord.shape), and the build that
follows it plans nothing. Each plan is kept pickled, and read back only for a page to be made.
"""

from __future__ import annotations

import copyreg
import gc
import hashlib
import io
import mmap
import pickle
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, NamedTuple

from sitegen.cache import store
from sitegen.diagnostics import Diagnostic, error
from sitegen.model.records import ArticleRecord
from sitegen.model.site import assemble_site
from sitegen.model.types import SiteConfig
from sitegen.render.plans import PagePlan, plan_pages
from sitegen.render.views import EntryView, PersonSummary, SiteView
from sitegen.write.paths import UnsafePath, output_path


@dataclass
class Claims:
    """Every output path claimed once, and none where another path needs a folder: two things
    never overwrite each other."""

    files: dict[str, str] = field(default_factory=dict)
    """Output path -> what writes it."""
    folders: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Every folder the claimed files need -> the first (path, source) that needs it."""
    folded: dict[str, str] = field(default_factory=dict)
    """Every claimed file and folder in lower case -> as claimed: macOS and Windows do not tell
    "Macron/" from "macron/"."""

    def claim(self, url_path: str, source: str) -> Diagnostic | None:
        try:
            path = output_path(url_path)
        except UnsafePath as exc:
            return error(source, None, f"cannot be written: {exc}")
        if path in self.files:
            return error(source, None, f"would write {path}, which {self.files[path]} writes too "
                         "(change a slug, or rename the file)")
        if path in self.folders:
            inside, inside_source = self.folders[path]
            return error(inside_source, None, f"would write {inside}, inside {path}, which {source} "
                         "writes as a file (rename one of them)")
        parts = path.split("/")
        names = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
        for name in names:
            other = self.folded.get(name.lower(), name)
            if other != name:
                return error(source, None, f"would write {name}, and {other} is written too: the two differ only "
                             "in capitals, which macOS and Windows do not tell apart (change a slug or a file name)")
        for folder in names[:-1]:
            if folder in self.files:
                return error(source, None, f"would write {path}, inside {folder}, which {self.files[folder]} "
                             "writes as a file (rename one of them)")
        for folder in names[:-1]:
            self.folders.setdefault(folder, (path, source))
        for name in names:
            self.folded.setdefault(name.lower(), name)
        self.files[path] = source
        return None

    def claim_all(self, wanted: Iterable[tuple[str, str]]) -> list[Diagnostic]:
        """Each problem once: an article's page and its feed under one too long a name are one."""
        problems: dict[tuple[str, str], Diagnostic] = {}
        for url_path, source in wanted:
            if (problem := self.claim(url_path, source)) is not None:
                problems.setdefault((source, problem.message), problem)
        return list(problems.values())

    def copy(self) -> Claims:
        return Claims(dict(self.files), dict(self.folders), dict(self.folded))


_SHARED_VIEWS = (EntryView, SiteView, PersonSummary)
"""Lists share their entries, every page the site's view, and a commenter's pages their summary:
pickled once, named by digest."""
_VIEWS: ContextVar[Mapping[bytes, bytes]] = ContextVar("views")
"""The shared views of the plan being unpickled."""


@store.allow_function
def _shared_view(digest: bytes):
    return store.loads(_VIEWS.get()[digest])


class PageInputs(NamedTuple):
    """What a page is made from, besides the templates, the settings and the code."""

    path: str
    """Its output path."""
    plan: bytes
    """The digest of its plan."""
    articles: tuple[str, ...]
    """The keys of the articles whose content it shows."""
    comments: tuple[tuple[str, int], ...]
    """(article key, place in the article's reading order) of each other comment whose text it shows."""


@dataclass
class Planned:
    """Every page planned for a site of one shape."""

    key: str
    """The shape's digest (shape_key)."""
    pages: list[PageInputs]
    packed: Mapping[str, bytes]
    """Output path -> its plan, pickled with the shared views by their digests."""
    views: Mapping[bytes, bytes]
    assets: dict[str, tuple[str, str]]
    """Articles' bundle files: URL path -> (the file, relative to the site's root; the article's path)."""
    claims: Claims
    diagnostics: list[Diagnostic]
    articles: int
    comments: int
    unpacked: dict[str, PagePlan] = field(default_factory=dict)
    """The plans themselves, while the build that made them runs."""

    def plan(self, path: str) -> PagePlan:
        plan = self.unpacked.get(path)
        if plan is None:
            token = _VIEWS.set(self.views)
            try:
                plan = store.loads(self.packed[path])
            finally:
                _VIEWS.reset(token)
        return plan

    def dump(self, stream: BinaryIO, header: object) -> None:
        """Write `header`, then the table, then every plan and view, to be read by `load`."""
        blob = io.BytesIO()

        def slices(mapping: Mapping) -> dict:
            at = {}
            for name, data in mapping.items():
                at[name] = (blob.tell(), len(data))
                blob.write(data)
            return at

        table = replace(self, packed=slices(self.packed), views=slices(self.views), unpacked={})
        store.write_frame(stream, header)
        store.write_frame(stream, table)
        stream.write(blob.getbuffer())

    @staticmethod
    def load(path: Path, wanted: object) -> Planned | None:
        """What `dump` wrote with header `wanted`, plans and views left in the file until asked for;
        None when the header differs (the rest is not read).

        The file is mapped into memory as it was when opened: a build that replaces it meanwhile
        (another output folder, --drafts) writes a new file, and this one stays as it was.
        """
        with store.open_regular(path) as stream:
            if store.read_frame(stream) != [wanted]:
                return None
            table, = store.read_frame(stream)
            if not isinstance(table, Planned):
                raise store.Unreadable("not a site's plans")
            blob = memoryview(mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ))[stream.tell():]
        # Each plan and view is checked against its digest when it is read: views are named by
        # theirs, and the table lists every plan's.
        table.packed = _Slices(blob, table.packed, {page.path: page.plan for page in table.pages})
        table.views = _Slices(blob, table.views, None)
        return table


class _Slices(Mapping):
    """Byte strings at known places in a buffer, each checked against its SHA-256 when read (named
    by it, or listed in `digests`)."""

    def __init__(self, blob: memoryview, slices: dict, digests: dict | None):
        self.blob, self.slices, self.digests = blob, slices, digests

    def __getitem__(self, name) -> bytes:
        offset, length = self.slices[name]
        data = self.blob[offset:offset + length].tobytes()
        if hashlib.sha256(data).digest() != (self.digests[name] if self.digests is not None else name):
            raise store.Unreadable("plans damaged: a checksum differs")
        return data

    def __iter__(self):
        return iter(self.slices)

    def __len__(self) -> int:
        return len(self.slices)


def shape_key(settings: str, shapes: list[str]) -> str:
    """The digest of everything plans are made from: the build's settings and each article's shape."""
    return hashlib.sha256(f"{settings}:{''.join(shapes)}".encode()).hexdigest()


def plan_site(key: str, config: SiteConfig, drafts: bool, no_date: datetime,
              records: list[ArticleRecord], searchable: bool = True) -> Planned:
    """Assemble the site and plan its pages; each plan is pickled, and digested for fingerprints."""
    with _cycle_collection_paused():
        return _plan_site(key, config, drafts, no_date, records, searchable)


def _plan_site(key: str, config: SiteConfig, drafts: bool, no_date: datetime,
               records: list[ArticleRecord], searchable: bool) -> Planned:
    site, diagnostics = assemble_site(config, records, drafts)
    plans = plan_pages(site, no_date, searchable)
    assets = {article.url_path + asset: (f"{article.bundle_dir}/{asset}", article.path)
              for article in site.articles for asset in article.assets}
    claims = Claims()
    problems = claims.claim_all([(p.url_path, p.source) for p in plans] +
                                [(url_path, file) for url_path, (file, _) in assets.items()])  # named by itself
    packed: dict[str, bytes] = {}
    views: dict[bytes, bytes] = {}
    planned = Planned(key, [], packed, views, assets, claims, diagnostics + problems, len(site.articles),
                      sum(len(a.comments) for a in site.articles))
    if problems:
        return planned  # nothing is written: a path that cannot be written is not even worked out
    view_digests: dict[int, bytes] = {}

    def by_digest(view) -> tuple:
        digest = view_digests.get(id(view))
        if digest is None:
            data = pickle.dumps(view, protocol=5)
            digest = view_digests[id(view)] = hashlib.sha256(data).digest()
            views[digest] = data
        return _shared_view, (digest,)

    # A dispatch table, not persistent_id: Python is called for the shared views only, not for
    # every string and tuple of 28,000 plans.
    shared = {**copyreg.dispatch_table, **{view_type: by_digest for view_type in _SHARED_VIEWS}}
    by_key = {record.key: record for record in site.articles}
    positions: dict[str, dict[str, int]] = {}

    def position(key: str, comment_id: str) -> int:
        if key not in positions:
            positions[key] = {id: place for place, id in enumerate(by_key[key].comments.ids)}
        return positions[key][comment_id]

    for plan in plans:
        path, buffer = output_path(plan.url_path), io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.dispatch_table = shared
        pickler.dump(plan)
        planned.pages.append(PageInputs(path, hashlib.sha256(buffer.getbuffer()).digest(), plan.articles,
                                        tuple((key, position(key, id)) for key, id in plan.comments)))
        packed[path] = buffer.getvalue()
        planned.unpacked[path] = plan
    return planned


@contextmanager
def _cycle_collection_paused():
    """Planning makes a few hundred thousand objects that live on, and next to no cyclic garbage:
    the cycle collector would walk them again and again for nothing (half of planning's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
