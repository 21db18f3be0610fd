"""Assemble the site and plan its pages, once per shape of the site, and each part of it only
when its inputs change.

Plans depend on the config, the build's options and each article's record, but not on the
content of any article (pages name articles by key; see render/pages.py). So they are kept
between builds under the digest of those inputs, the site's shape: an edit to an article's body
or to a comment's text keeps every article's shape (ArticleRecord.shape), and the build that
follows it plans nothing.

An edit that changes a shape (a new comment, title, tag or article) plans again only the parts
(render/planner.Part: an article's pages, a tag's, a commenter's, the home page's...) whose inputs
changed; the others keep their plans, by digest. Each plan is kept pickled in the cache's pack
(cache/packs.py), and read back only for a page to be made.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import pickle
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cached_property
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, NamedTuple

from sitegen.cache import store
from sitegen.cache.packs import Pack
from sitegen.diagnostics import Diagnostic, error
from sitegen.model.records import ArticleRecord
from sitegen.model.site import assemble_site
from sitegen.model.types import SiteConfig
from sitegen.render.planner import Part, PlannedPage, inputs_digest, plan_parts, sitemap_page
from sitegen.render.plans import PagePlan, rfc3339
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
_VIEWS: ContextVar[Pack] = ContextVar("views")
"""Where the shared views of the plan being unpickled are."""


@store.allow_function
def _shared_view(digest: bytes):
    return store.loads(_VIEWS.get().read(digest))


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
    url_path: str
    source: str
    """Its plan's url_path and source, for the claims and the sitemap without reading the plan."""
    lastmod: str | None
    """render/planner.PlannedPage.lastmod, as the sitemap writes it (rfc3339)."""


class PlannedPart(NamedTuple):
    """A part's pages (render/planner.Part), kept under the digest of its name and inputs."""

    inputs: bytes
    pages: tuple[PageInputs, ...]
    views: tuple[bytes, ...]
    """The shared views its plans name."""


@dataclass
class Planned:
    """Every page planned for a site of one shape."""

    key: str
    """The shape's digest (shape_key)."""
    parts: dict[str, PlannedPart]
    """By name, in planning order, the sitemap last."""
    packed: Pack
    """Every plan, pickled with the shared views by their digests, and the views: by digest."""
    assets: dict[str, tuple[str, str]]
    """Articles' bundle files: URL path -> (the file, relative to the site's root; the article's path)."""
    claims: Claims
    claimed: bytes
    """The digest of every (URL path, source) claimed: equal, and the claims are the same."""
    problems: list[Diagnostic]
    """What claiming found."""
    diagnostics: list[Diagnostic]
    articles: int
    comments: int
    unpacked: dict[str, PagePlan] = field(default_factory=dict)
    """The plans made by this build, while it runs."""
    planned: int = 0
    """How many parts this build planned again."""

    @property
    def pages(self) -> list[PageInputs]:
        return [page for part in self.parts.values() for page in part.pages]

    @cached_property
    def plan_digests(self) -> dict[str, bytes]:
        return {page.path: page.plan for page in self.pages}

    def plan(self, path: str) -> PagePlan:
        plan = self.unpacked.get(path)
        if plan is None:
            token = _VIEWS.set(self.packed)
            try:
                plan = store.loads(self.packed.read(self.plan_digests[path]))
            finally:
                _VIEWS.reset(token)
        return plan

    def claim_beside(self, files: list[tuple[str, str]]) -> list[Diagnostic]:
        """What claiming `files` (the static files) beside the pages finds. The claims may be an
        earlier build's, whose pages came in another order: a clash is told as a cold build tells
        it, from claims taken anew in this build's order."""
        problems = self.claims.copy().claim_all(files)
        if problems:
            claims = Claims()
            claims.claim_all(_wanted(self))
            problems = claims.claim_all(files)
        return problems

    def live(self) -> set[bytes]:
        """The digests of every plan and view in use."""
        return {digest for part in self.parts.values() for digest in (*(p.plan for p in part.pages), *part.views)}

    def dump(self, stream: BinaryIO, header: object) -> None:
        """Write `header`, then the table (the packed plans are in their segments), to be read by `load`."""
        store.write_frame(stream, header)
        store.write_frame(stream, replace(self, packed=self.packed.table, unpacked={}, planned=0))

    @staticmethod
    def load(path: Path, wanted: object) -> Planned | None:
        """What `dump` wrote with header `wanted`; None when the header differs (the rest is not read).

        Every segment of plans is mapped into memory as it is when this is read: a build that
        replaces the plans meanwhile (another output folder, --drafts) writes new segments and
        deletes these, and these stay as they were here.
        """
        with store.open_regular(path) as stream:
            if store.read_frame(stream) != [wanted]:
                return None
            table, = store.read_frame(stream)
        if not isinstance(table, Planned) or not isinstance(table.packed, dict):
            raise store.Unreadable("not a site's plans")
        table.packed = Pack(path.parent, "plans", table.packed)
        table.packed.map_all()
        return table


def shape_key(settings: str, shapes: list[str]) -> str:
    """The digest of everything plans are made from: the build's settings and each article's shape."""
    return hashlib.sha256(f"{settings}:{''.join(shapes)}".encode()).hexdigest()


def plan_site(key: str, settings: str, config: SiteConfig, drafts: bool, no_date: datetime,
              records: list[ArticleRecord], searchable: bool = True, previous: Planned | None = None,
              folder: Path | None = None) -> Planned:
    """Assemble the site and plan its pages: each part (render/planner.Part) whose inputs are those
    it had in `previous` (the last plans made) is kept, the others are planned again; each new plan is
    pickled into the pack (in `folder`, or in memory), and digested for fingerprints."""
    with store.long_lived():
        return _plan_site(key, settings, config, drafts, no_date, records, searchable, previous, folder)


def _plan_site(key: str, settings: str, config: SiteConfig, drafts: bool, no_date: datetime,
               records: list[ArticleRecord], searchable: bool, previous: Planned | None,
               folder: Path | None) -> Planned:
    site, diagnostics = assemble_site(config, records, drafts)
    assets = {article.url_path + asset: (f"{article.bundle_dir}/{asset}", article.path)
              for article in site.articles for asset in article.assets}
    packed = previous.packed if previous is not None else Pack(folder, "plans")
    planned = Planned(key, {}, packed, assets, Claims(), b"", [], diagnostics, len(site.articles),
                      sum(len(a.comments) for a in site.articles))
    kept = previous.parts if previous is not None else {}
    planner = _PartPlanner(planned, {record.key: record for record in site.articles})

    def place(part: Part) -> None:
        inputs = _digest_of(settings, part.name, part.inputs)
        before = kept.get(part.name)
        planned.parts[part.name] = (before if before is not None and before.inputs == inputs
                                    else planner.add(inputs, part.plan()))

    for part in plan_parts(site, no_date, searchable):
        place(part)
    listed = tuple((page.url_path, page.lastmod) for page in planned.pages if page.lastmod)
    place(Part("sitemap", listed, lambda: [PlannedPage(sitemap_page(config, listed))]))  # last: it lists them all

    wanted = _wanted(planned)
    planned.claimed = _digest_of(settings, "claims", wanted)
    planned.claims, planned.problems = _claim(wanted, planned.claimed, previous)
    planned.diagnostics = diagnostics + planned.problems
    if planned.problems:  # nothing is written: a path that cannot be written is not even worked out
        planned.parts = {}
    return planned


def _wanted(planned: Planned) -> list[tuple[str, str]]:
    """Every (URL path, source) the plans claim: the pages, and the bundles' files (each named by itself)."""
    return [(page.url_path, page.source) for page in planned.pages] + \
           [(url_path, file) for url_path, (file, _) in planned.assets.items()]


def _claim(wanted: list[tuple[str, str]], claimed: bytes, previous: Planned | None) -> tuple[Claims, list[Diagnostic]]:
    """The claims of `wanted`: the last plans' when they claimed the same, or those and the paths
    added when none went (a new article, a commenter's new page), or all claimed anew. Claiming
    anew also when the added paths clash, so that the messages are a cold build's."""
    if previous is not None and not previous.problems:
        if claimed == previous.claimed:
            return previous.claims, []
        before = set(_wanted(previous))
        added = [claim for claim in wanted if claim not in before]
        if len(before) + len(added) == len(wanted):
            claims = previous.claims.copy()
            if not claims.claim_all(added):
                return claims, []
    claims = Claims()
    return claims, claims.claim_all(wanted)


class _PartPlanner:
    """Pickles a part's plans into the pack, each shared view once."""

    def __init__(self, planned: Planned, by_key: dict[str, ArticleRecord]):
        self.planned, self.by_key = planned, by_key
        self.view_digests: dict[int, bytes] = {}
        self.views: list[bytes] = []  # those the part being pickled names
        self.positions: dict[str, dict[str, int]] = {}
        # A dispatch table, not persistent_id: Python is called for the shared views only, not for
        # every string and tuple of 28,000 plans.
        self.shared = {**copyreg.dispatch_table, **{view_type: self.by_digest for view_type in _SHARED_VIEWS}}

    def by_digest(self, view) -> tuple:
        digest = self.view_digests.get(id(view))
        if digest is None:
            data = pickle.dumps(view, protocol=5)
            digest = self.view_digests[id(view)] = hashlib.sha256(data).digest()
            if digest not in self.planned.packed:
                self.planned.packed.add(digest, data)
        self.views.append(digest)
        return _shared_view, (digest,)

    def position(self, key: str, comment_id: str) -> int:
        if key not in self.positions:
            self.positions[key] = {id: place for place, id in enumerate(self.by_key[key].comments.ids)}
        return self.positions[key][comment_id]

    def add(self, inputs: bytes, pages: list[PlannedPage]) -> PlannedPart:
        self.planned.planned += 1
        self.views = []
        made = []
        for plan, lastmod in pages:
            try:
                path = output_path(plan.url_path)
            except UnsafePath:  # claimed with the others, which says why: then nothing is made
                path = plan.url_path
            buffer = io.BytesIO()
            pickler = pickle.Pickler(buffer, protocol=5)
            pickler.dispatch_table = self.shared
            pickler.dump(plan)
            digest = hashlib.sha256(buffer.getbuffer()).digest()
            if digest not in self.planned.packed:
                self.planned.packed.add(digest, buffer.getvalue())
            made.append(PageInputs(path, digest, plan.articles,
                                   tuple((key, self.position(key, id)) for key, id in plan.comments),
                                   plan.url_path, plan.source, lastmod and rfc3339(lastmod)))
            self.planned.unpacked[path] = plan
        return PlannedPart(inputs, tuple(made), tuple(dict.fromkeys(self.views)))


def _digest_of(settings: str, name: str, inputs) -> bytes:
    return inputs_digest((settings, name, inputs))
