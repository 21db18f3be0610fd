"""What an import did, as plain data, and the summary the command prints from it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sitegen.diagnostics import Diagnostic


@dataclass(slots=True)
class ImportReport:
    """Counts and notes gathered while an export is turned into files."""

    source: str
    articles: int = 0
    drafts: int = 0
    threads: int = 0
    comments_kept: int = 0
    placeholders: int = 0
    comments_left_out: Counter = field(default_factory=Counter)
    """Reason -> number of comments not shown for it."""
    items_left_out: Counter = field(default_factory=Counter)
    """Reason -> number of posts, pages or threads not imported for it."""
    notes: list[str] = field(default_factory=list)
    """One line each: what a reader of the summary should look at (orphans, unmatched threads...)."""

    def add_comments(self, arranged) -> None:
        """Count an arranged thread's comments (whether or not a thread file is written for it)."""
        self.comments_kept += arranged.kept
        self.placeholders += arranged.placeholders
        self.comments_left_out.update(arranged.left_out)

    def add_thread_file(self, path: str, arranged) -> None:
        """A thread file written at `path`: counted, and its replies moved to the top level named."""
        if arranged.comments:
            self.threads += 1
        if arranged.moved_to_top:
            self.notes.append(f"{path}: replies whose parent is not in the export, kept at the top level: "
                              + ", ".join(arranged.moved_to_top))

    def summary(self, written: int, into: str) -> list[str]:
        lines = [f"imported from {self.source}: {counted(self.articles, 'article')}"
                 + (f" ({self.drafts} as draft: true)" if self.drafts else "")
                 + f", {counted(self.comments_kept, 'comment')} kept in {counted(self.threads, 'thread')}; "
                 f"{counted(written, 'file')} written in {into}"]
        if self.comments_left_out:
            lines.append(f"comments left out: {_listing(self.comments_left_out)}")
        if self.placeholders:
            lines.append(f"  {self.placeholders} of them shown as \"[removed]\", so that their approved "
                         "replies keep their place")
        if self.items_left_out:
            lines.append(f"not imported: {_listing(self.items_left_out)}")
        lines.extend(self.notes)
        return lines


@dataclass(frozen=True, slots=True)
class ImportResult:
    written: tuple[str, ...]
    """Site-relative paths of the files written; empty when there were problems."""
    report: ImportReport
    problems: tuple[Diagnostic, ...] = ()
    """Why nothing was written: the export could not be read, or files exist without --force."""
    not_a_site: bool = False
    """The target folder is not a site and must be (a usage error, as for `sitegen build`)."""


def counted(number: int, noun: str) -> str:
    """"1 comment", "2 comments"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _listing(counts: Counter) -> str:
    return ", ".join(f"{number} {reason}" for reason, number in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
