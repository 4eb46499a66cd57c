"""Article dates at their own precision: "2022", "2022-12" or "2022-12-26"."""
from __future__ import annotations

import calendar
import datetime as dt
import re

DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
# "Ngày 26/12", "Chiều 9/5", "sáng 3-1": a day named in the lead of a month-dated article.
LEAD_DAY_RE = re.compile(
    r"\b(?:ngày|sáng|trưa|chiều|tối|đêm|rạng sáng|khuya)\s+(\d{1,2})\s*[/.-]\s*(\d{1,2})\b",
    re.IGNORECASE)


class BadDate(ValueError):
    pass


def parse_date(value: str) -> str:
    """Validate and zero-pad a date, keeping its precision; BadDate if it is not a real date."""
    m = DATE_RE.match(value.strip())
    if not m:
        raise BadDate(f"invalid date {value!r} (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    y, mo, d = (int(g) if g is not None else None for g in m.groups())
    if mo == 0 or d == 0:
        raise BadDate(f"impossible date {value!r}")
    try:
        dt.date(y, mo or 1, d or 1)
    except ValueError:
        raise BadDate(f"impossible date {value!r}") from None
    if y < 1000:
        raise BadDate(f"impossible date {value!r}")
    return f"{y:04d}" + (f"-{mo:02d}" if mo else "") + (f"-{d:02d}" if d else "")


def day_from_lead(date: str, lead: str) -> str:
    """A month-precision date made exact by the day its lead names in that month."""
    if len(date) != 7:
        return date
    y, mo = int(date[:4]), int(date[5:7])
    for m in LEAD_DAY_RE.finditer(lead[:400]):
        day, month = int(m.group(1)), int(m.group(2))
        if month == mo and 1 <= day <= calendar.monthrange(y, mo)[1]:
            return f"{date}-{day:02d}"
    return date


def date_range(date: str) -> tuple[int, int]:
    """First and last day covered by a date of any precision, as yyyymmdd integers."""
    y = int(date[:4])
    if len(date) == 4:
        return y * 10000 + 101, y * 10000 + 1231
    mo = int(date[5:7])
    if len(date) == 7:
        return y * 10000 + mo * 100 + 1, y * 10000 + mo * 100 + calendar.monthrange(y, mo)[1]
    d = int(date[8:10])
    return (y * 10000 + mo * 100 + d,) * 2
