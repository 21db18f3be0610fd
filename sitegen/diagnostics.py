"""Errors and warnings as values: each names a file, a line where one is known, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    path: str
    """Site-relative POSIX path of the file at fault ("content/2019/macron.md")."""
    line: int | None
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(path: str, line: int | None, message: str) -> Diagnostic:
    return Diagnostic(path, line, message, Severity.ERROR)


def warning(path: str, line: int | None, message: str) -> Diagnostic:
    return Diagnostic(path, line, message, Severity.WARNING)


def has_errors(diagnostics) -> bool:
    return any(d.is_error for d in diagnostics)


def shorten(text: str, limit: int = 60) -> str:
    """Quote user text in a one-line message: printable, and cut short when long."""
    flat = " ".join(str(text).split())
    flat = "".join(ch if ch.isprintable() else "?" for ch in flat)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
