"""Read sitegen.yaml into a SiteConfig; every unknown key and wrong value is reported."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitegen.diagnostics import Diagnostic, error, shorten
from sitegen.load.files import Boundary, decode_text, read_regular_file
from sitegen.load.messages import load_site_messages
from sitegen.load.schema import (
    Field, Invalid, boolean, check_mapping, language, nonempty_text, text, text_list, whole_number,
)
from sitegen.load.yaml_lines import parse_yaml
from sitegen.model.types import SiteConfig

CONFIG_FILE = "sitegen.yaml"
PERMALINK_FIELDS = ("year", "month", "day", "slug")


def base_url(value) -> str:
    url = nonempty_text(value)
    try:
        parts = urlsplit(url)
    except ValueError:  # "https://[::1/"
        raise Invalid(f"'{url}' is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(f"expected an absolute http:// or https:// URL, got '{url}'")
    if parts.query or parts.fragment:
        raise Invalid(f"must not have a query or fragment, got '{url}'")
    return url if url.endswith("/") else url + "/"


def timezone(value) -> ZoneInfo:
    name = nonempty_text(value)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long to be a file's
        raise Invalid(f"'{shorten(name)}' is not an IANA timezone name (like UTC or Europe/Moscow)") from None


def permalink(value) -> str:
    pattern = nonempty_text(value)
    try:
        pattern.format(**{name: "x" for name in PERMALINK_FIELDS})
    except (ValueError, KeyError, IndexError):
        if not set(re.findall(r"\{([^}]*)\}", pattern)) - set(PERMALINK_FIELDS):
            raise Invalid(f"'{pattern}' has a '{{' or '}}' that opens or closes no placeholder") from None
    unknown = set(re.findall(r"\{([^}]*)\}", pattern)) - set(PERMALINK_FIELDS)
    if unknown:
        raise Invalid(f"unknown placeholder {{{sorted(unknown)[0]}}} (use {{year}}, {{month}}, {{day}}, {{slug}})")
    if "{slug}" not in pattern:
        raise Invalid("must contain {slug}, so that every article gets its own URL")
    segments = pattern.strip("/").split("/")
    if any(s in ("", ".", "..") for s in segments) or "\\" in pattern or "?" in pattern or "#" in pattern:
        raise Invalid(f"'{pattern}' is not a path like /{{year}}/{{month}}/{{slug}}/")
    return "/" + "/".join(segments) + "/"


def cname(value) -> str:
    host = nonempty_text(value)
    if not re.fullmatch(r"(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}", host):
        raise Invalid(f"'{host}' is not a domain name (like digest.example.org)")
    return host.lower()


FIELDS = {
    "title": Field(nonempty_text, required=True),
    "base_url": Field(base_url, required=True),
    "description": Field(text),
    "language": Field(language),
    "timezone": Field(timezone),
    "per_page": Field(whole_number(1)),
    "comments_per_page": Field(whole_number(1)),
    "permalink": Field(permalink),
    "cname": Field(cname),
    "people": Field(boolean),
    "people_exclude": Field(text_list),
    "search": Field(boolean),
}


PLACEHOLDER_URL = "http://localhost/"


def load_config(root: Path, base_url_override: str | None = None) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """Read ROOT/sitegen.yaml; `base_url_override` (from --base-url) replaces base_url.

    Returns None only when there is no such file. With errors in it, or one that cannot be read,
    the config still comes back, with defaults in place of what was wrong, so the rest of the site
    can be checked too.
    """
    path = root / CONFIG_FILE
    if not os.path.lexists(path):
        return None, [error(CONFIG_FILE, None, "file not found")]
    # A sitegen.yaml there but unreadable (a folder, a FIFO, a link to a hidden file) is the site's
    # error, reported as one: the site is a site, and the rest of it is checked with defaults.
    data, why = read_regular_file(str(path), Boundary(root, verb="read"))
    content, problems = decode_text(data, CONFIG_FILE) if data is not None else (None, [error(CONFIG_FILE, None, why)])
    values: dict = {}
    if content is not None:
        raw, problems = parse_yaml(content, CONFIG_FILE)
        if not problems:  # with a YAML syntax error there is nothing more to check
            values, _, problems = check_mapping({} if raw is None else raw, FIELDS, CONFIG_FILE, 1)
    if base_url_override is not None:
        try:
            values["base_url"] = base_url(base_url_override)
        except Invalid as exc:
            problems.append(error("--base-url", None, str(exc)))
    url = values.pop("base_url", PLACEHOLDER_URL)
    values.setdefault("title", "")
    values["messages"], found = load_site_messages(root, values.get("language", "en"))
    problems += found
    return SiteConfig(base_url=url, base_path=urlsplit(url).path or "/", **values), problems
