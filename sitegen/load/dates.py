"""Read the dates of FORMAT.md: a date, or a date-time with or without an offset.

A date-time without an offset is read in the site's timezone (`timezone:` in sitegen.yaml), as
Hugo and Pelican do; every result is an aware datetime in that timezone.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sitegen.load.schema import Invalid, describe
from sitegen.model.types import Moment

_DATE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?))?"
    r"\s*(?P<offset>Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
EXPECTED = "expected YYYY-MM-DD, YYYY-MM-DD HH:MM or an ISO 8601 date-time like 2019-11-28T10:37:00+03:00"


def parse_moment(value: object, timezone: ZoneInfo) -> Moment:
    if isinstance(value, (datetime, date)):  # only from callers that pass Python values
        value = value.isoformat()
    if not isinstance(value, str):
        raise Invalid(f"{describe(value)} is not a date ({EXPECTED})")
    match = _DATE.match(value.strip())
    if not match:
        raise Invalid(f"{describe(value)} is not a date ({EXPECTED})")
    time = match["time"] or "00:00"
    if len(time.split(":")[0]) == 1:
        time = "0" + time
    offset = match["offset"] or ""
    if offset in ("Z", "z"):
        offset = "+00:00"
    elif offset and ":" not in offset:
        offset = offset[:3] + ":" + (offset[3:] or "00")
    try:
        moment = datetime.fromisoformat(f"{match['date']}T{time}{offset}")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone)
        local = moment.astimezone(timezone)
        # A date at the very ends of the calendar is not an instant every zone can show.
        datetime.fromtimestamp(local.timestamp(), timezone)
    except (ValueError, OverflowError) as exc:
        raise Invalid(f"{describe(value)} is not a date ({exc})") from None
    return Moment(local, has_time=match["time"] is not None)
