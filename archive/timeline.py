"""The timeline: how many matching articles fall in each year, month or day, counted from the `sort_old` column.

The granularity follows the span being looked at (the request's date range where it gives both ends, else the
span of the dated matches): more than three years of it gives years, more than two months gives months, less
gives days, so following a bar drills down from years to months to days. Periods without articles inside the
span are kept as empty bars so that the axis is honest. Undated articles are counted apart, never placed on a date.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np

from .model import UNDATED_OLD
from .request import SearchRequest

MAX_BARS = 400  # beyond this many periods only the non-empty ones are drawn


@dataclass(frozen=True)
class Bar:
    """One period of the timeline: its label (`2016`, `2016-09` or `2016-09-09`) and its article count."""

    period: str
    count: int

    @property
    def label(self) -> str:
        return f"{self.period}: {self.count} article{'s' if self.count != 1 else ''}"


@dataclass
class Timeline:
    """Article counts per period, and the number of undated articles."""

    granularity: str = "year"  # year, month or day
    bars: list[Bar] = field(default_factory=list)
    undated: int = 0
    days: dict[int, int] = field(default_factory=dict, repr=False)  # YYYYMMDD: articles, every dated day (attention)

    @property
    def dated(self) -> int:
        return sum(b.count for b in self.bars)

    @property
    def peak(self) -> int:
        return max((b.count for b in self.bars), default=0)

    def __iter__(self):
        """Iterate as (period, count) pairs."""
        return iter([(b.period, b.count) for b in self.bars])

    def __bool__(self) -> bool:
        return bool(self.bars) or bool(self.undated)

    def to_dict(self) -> dict[str, Any]:
        return {"granularity": self.granularity, "bars": [{"period": b.period, "count": b.count} for b in self.bars],
                "undated": self.undated}


def granularity(first: date, last: date) -> str:
    """Pick years, months or days for a span of dates."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > 36:
        return "year"
    if (last - first).days > 62:
        return "month"
    return "day"


def build_timeline(stamps: np.ndarray, req: SearchRequest | None = None) -> Timeline:
    """Count the stamps (YYYYMMDDHHMM integers of the matching articles) per period."""
    undated_mask = stamps == UNDATED_OLD
    dated = stamps[~undated_mask]
    undated = int(undated_mask.sum())
    if req is not None and req.date_from and req.date_to:
        first, last = req.date_from.first.date(), req.date_to.last.date()
    elif len(dated):
        first, last = _day(int(dated.min())), _day(int(dated.max()))
    else:
        return Timeline(undated=undated)
    unit = granularity(first, last)
    day_keys, day_counts = np.unique(dated // 10**4, return_counts=True)  # counted once, summed up per period
    days = {int(k): int(c) for k, c in zip(day_keys, day_counts)}
    divisor = {"year": 10**4, "month": 10**2, "day": 1}[unit]
    found: dict[int, int] = {}
    for day, count in days.items():
        found[day // divisor] = found.get(day // divisor, 0) + count
    if found:  # the axis covers the data even where the request's range is wider or narrower
        first = min(first, _day(int(min(found)) * divisor * 10**4))
        last = max(last, _day(int(max(found)) * divisor * 10**4))
    periods = list(_periods(unit, first, last))
    if len(periods) > MAX_BARS:
        periods = sorted(found)
    return Timeline(unit, [Bar(_label(unit, p), found.get(p, 0)) for p in periods], undated, days)


def _day(stamp: int) -> date:
    """Return the day of a YYYYMMDDHHMM stamp (or a truncated one), clamped to a real date."""
    text = f"{stamp:012d}"
    year, month, day = int(text[:4]), max(1, int(text[4:6])), max(1, int(text[6:8]))
    month = min(month, 12)
    return date(max(year, 1), month, min(day, calendar.monthrange(max(year, 1), month)[1]))


def _periods(unit: str, first: date, last: date):
    """Yield each period key (YYYY, YYYYMM or YYYYMMDD) from first to last."""
    if unit == "year":
        yield from range(first.year, last.year + 1)
    elif unit == "month":
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            yield y * 100 + m
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    else:
        day = datetime.combine(first, datetime.min.time()).toordinal()
        for ordinal in range(day, last.toordinal() + 1):
            d = date.fromordinal(ordinal)
            yield d.year * 10000 + d.month * 100 + d.day


def _label(unit: str, key: int) -> str:
    text = str(key)
    if unit == "year":
        return text
    if unit == "month":
        return f"{text[:4]}-{text[4:6]}"
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}"
