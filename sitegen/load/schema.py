"""Declarative checks for YAML mappings: each known key with its kind, unknown keys reported.

A check never stops at the first problem: `check_mapping` returns every value it could read and
a diagnostic for each one it could not, at the line of the offending key.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Callable

from babel import Locale, UnknownLocaleError

from sitegen.diagnostics import Diagnostic, error, shorten
from sitegen.load.yaml_lines import LineDict, LineList


class Invalid(ValueError):
    """A value of the wrong kind; its message says what was expected."""


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"'{shorten(value)}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def text(value: Any) -> str:
    """Text; a bare number is taken as the text it was written as (a handle like 1984)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return getattr(value, "written", str(value))
    raise Invalid(f"expected text, got {describe(value)}")


def nonempty_text(value: Any) -> str:
    result = text(value).strip()
    if not result:
        raise Invalid("must not be empty")
    return result


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise Invalid(f"expected true or false, got {describe(value)}")


def whole_number(minimum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"expected a whole number, got {describe(value)}")
        if value < minimum:
            raise Invalid(f"must be at least {minimum}, got {value}")
        return value

    return check


def text_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Invalid(f"expected a list (like [a, b]), got {describe(value)}")
    items = []
    for position, item in enumerate(value, 1):
        try:
            items.append(nonempty_text(item))
        except Invalid as exc:
            raise Invalid(f"item {position}: {exc}") from None
    return tuple(dict.fromkeys(items))  # repeated entries are dropped, order kept


_WEB_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


def web_url(value: Any) -> str:
    """An absolute http(s) URL, as written by the site's own editors."""
    result = nonempty_text(value)
    if not _WEB_URL.match(result):
        raise Invalid(f"expected an http:// or https:// URL, got {describe(result)}")
    return result


@dataclass(frozen=True, slots=True)
class Field:
    check: Callable[[Any], Any]
    required: bool = False


def check_mapping(
    value: Any,
    fields: dict[str, Field],
    path: str,
    line: int | None,
    where: str = "",
    keep_unknown: bool = False,
) -> tuple[dict[str, Any], dict[str, Any], list[Diagnostic]]:
    """Check `value` against `fields`: (known values, unknown keys and values, diagnostics).

    `where` prefixes every message ("source.", "comments[3].") so nested keys read as paths.
    Unknown keys are errors unless `keep_unknown`, in which case they are returned as extras.
    """
    if not isinstance(value, dict):
        label = where.rstrip(".") or "the file"
        return {}, {}, [error(path, line, f"{label}: expected a mapping of keys, got {describe(value)}")]
    key_line = value.line_of if isinstance(value, LineDict) else (lambda key: line)
    known: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for key, raw in value.items():
        if key not in fields:
            if keep_unknown:
                extra[str(key)] = plain(raw)
                continue
            hint = difflib.get_close_matches(str(key), fields, n=1)
            known_keys = ", ".join(fields)
            suggestion = f"did you mean '{hint[0]}'?" if hint else f"known keys: {known_keys}"
            problems.append(error(path, key_line(key), f"{where}{key}: unknown key ({suggestion})"))
            continue
        if raw is None and not fields[key].required:
            continue  # `key:` with nothing after it means the same as leaving the key out
        try:
            known[key] = fields[key].check(raw)
        except Invalid as exc:
            problems.append(error(path, key_line(key), f"{where}{key}: {exc}"))
    mapping_line = value.line if isinstance(value, LineDict) else line
    for key, spec in fields.items():
        if spec.required and key not in value:
            problems.append(error(path, mapping_line, f"{where}{key}: missing (it is required)"))
    return known, extra, problems


def plain(value: Any) -> Any:
    """The same value with LineDict/LineList turned into dict/list, for templates and caches."""
    if isinstance(value, (LineDict, dict)):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (LineList, list)):
        return [plain(v) for v in value]
    return value


def language(value) -> str:
    code = nonempty_text(value).replace("_", "-")
    try:
        Locale.parse(code, sep="-")
    except (ValueError, UnknownLocaleError):
        raise Invalid(f"'{code}' is not a language tag sitegen knows (like en, ru or pt-BR)") from None
    return code
