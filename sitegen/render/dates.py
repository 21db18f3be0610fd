"""Dates as readers see them: in the site's timezone, written the way the site's language writes them."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime, get_date_format, get_datetime_format, get_time_format

from sitegen.model.types import DateView, Moment


@lru_cache(maxsize=None)
def locale_of(language: str) -> Locale:
    return Locale.parse(language, sep="-")


@lru_cache(maxsize=None)
def _patterns(language: str) -> tuple[str, str]:
    locale = locale_of(language)
    date_pattern = get_date_format("long", locale).pattern
    time_pattern = get_time_format("short", locale).pattern
    both = get_datetime_format("long", locale).replace("{1}", date_pattern).replace("{0}", time_pattern)
    return date_pattern, both


def date_view(moment: Moment, language: str) -> DateView:
    # Keyed by the ISO text, which holds the offset: two zones' equal instants are equal Moments,
    # and the text shown must be the zone's own.
    return _date_view(moment.value.isoformat(), moment.has_time, language)


@lru_cache(maxsize=65536)
def _date_view(iso: str, has_time: bool, language: str) -> DateView:
    date_pattern, datetime_pattern = _patterns(language)
    value = datetime.fromisoformat(iso)
    if has_time:
        text = format_datetime(value, datetime_pattern, tzinfo=value.tzinfo, locale=locale_of(language))
        return DateView(iso, text)
    text = format_datetime(value, date_pattern, tzinfo=value.tzinfo, locale=locale_of(language))
    return DateView(value.date().isoformat(), text)


@lru_cache(maxsize=4096)
def month_title(year: int, month: int, language: str) -> str:
    """"November 2019" in en, "ноябрь 2019" in ru: the stand-alone month name, as a heading uses it."""
    return format_date(date(year, month, 1), "LLLL y", locale=locale_of(language))
