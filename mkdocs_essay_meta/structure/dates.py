"""Turning the many ways people write dates in front matter into aware datetimes."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

# YAML 1.1 leaves these as strings: "2024-01-05 10:00", "2024-1-5", "2024-01-05T10:00+02:00".
_DATE_RE = re.compile(
    r"""^\s*
    (?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})
    (?:
        (?:[Tt]|\s+)
        (?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6})\d*)?)?
        \s*(?P<tz>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?
    )?
    \s*$""",
    re.VERBOSE,
)

# The form most dates written as text take (2024-01-05): a match reads as _DATE_RE reads it.
_DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MIDNIGHT = time()

EXPECTED = "a date such as 2024-03-01, 2024-03-01 10:00 or 2024-03-01T10:00:00Z"


def _offset(text: str) -> tzinfo:
    if text in ("Z", "z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_date(value: Any, default_tz: tzinfo = timezone.utc) -> datetime | None:
    """An aware datetime for ``value``, or ``None`` when it is not a date.

    Dates without a time are taken as midnight, and naive values as ``default_tz``.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=default_tz)
    if isinstance(value, date):
        return datetime.combine(value, _MIDNIGHT, tzinfo=default_tz)
    if not isinstance(value, str):
        return None
    if _DAY_RE.fullmatch(value):
        try:
            return datetime(int(value[:4]), int(value[5:7]), int(value[8:]), tzinfo=default_tz)
        except ValueError:  # 2024-02-30
            return None
    m = _DATE_RE.match(value)
    if not m:
        return None
    try:
        tz = _offset(m["tz"]) if m["tz"] else default_tz
        return datetime(
            int(m["y"]), int(m["m"]), int(m["d"]),
            int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0),
            int((m["f"] or "0").ljust(6, "0")),
            tzinfo=tz,
        )
    except ValueError:  # 2024-02-30, 25:00, an offset of 99 hours
        return None
