"""The attention chart's geometry: axes with values, one line per series, a legend, and the words a screen reader reads.

`line_chart` turns an `Attention` into plain numbers and strings (positions, ticks, path data); the Jinja template
`_attention.html` only writes them out as SVG, so the page needs no script. Counts (or shares, in percent) go on a
linear axis, or a logarithmic one where the largest value is at least a hundred times the smallest one above 0
(`scale=auto`). A period with no denominator (no articles at all) has no share: its line is broken there; on a log
axis a count of 0 cannot be placed either and is drawn as a break too (the table beside the chart gives every number).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .attention import Attention

WIDTH, LEFT, RIGHT, TOP, PLOT_HEIGHT, BOTTOM = 760, 64, 36, 12, 260, 44
LEGEND_ROW = 18
LOG_RANGE = 100  # auto: a log axis where max / min (above 0) reaches this
MAX_MARKED = 400  # points per line that get a marker with its own title
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")  # Okabe-Ito, told apart without red/green
DASHES = ("", "7 3", "2 3", "9 3 2 3", "4 4", "1 3")  # and by dash, for print and colour blindness


@dataclass
class Point:
    x: float
    y: float
    title: str


@dataclass
class Line:
    label: str
    colour: str
    dash: str
    paths: list[str] = field(default_factory=list)  # one path per unbroken run of values
    points: list[Point] = field(default_factory=list)  # markers (each point where few, else lone points only)
    legend_y: float = 0.0


@dataclass
class Tick:
    pos: float
    text: str


@dataclass
class Chart:
    """Everything the SVG template writes."""

    width: int
    height: int
    plot: tuple[float, float, float, float]  # left, top, right, bottom of the plotting area
    log: bool
    x_title: str
    y_title: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    lines: list[Line]
    title: str
    desc: str
    empty: bool = False


def percent(share: float | None) -> str:
    """Write a share (0..1) as a percentage with three significant digits."""
    if share is None:
        return "no articles"
    pct = share * 100
    if pct == 0:
        return "0%"
    digits = min(6, max(0, 2 - math.floor(math.log10(pct))))
    return f"{pct:.{digits}f}%"


def value_text(value: float, shares: bool) -> str:
    return percent(value) if shares else f"{int(value):,}"


def line_chart(att: Attention) -> Chart:
    """Lay out the chart of an attention result."""
    shares = att.request.normalise
    values = [s.shares if shares else [float(c) for c in s.counts] for s in att.series]
    positive = [v for vs in values for v in vs if v]
    log = att.request.scale == "log" or (att.request.scale == "auto" and len(positive) > 1
                                         and max(positive) >= LOG_RANGE * min(positive))
    legend_height = LEGEND_ROW * len(att.series) + 8
    top = TOP + legend_height
    left, right, bottom = LEFT, WIDTH - RIGHT, top + PLOT_HEIGHT
    unit = att.unit
    what = f"share of {att.base_name}" if shares else "articles"
    y_title = (f"% of {_short_base(att)} per {unit}" if shares else f"articles per {unit}") + (" (log scale)" if log else "")
    title = f"{'Share' if shares else 'Number'} of matching articles per {unit}" + (
        f", {att.periods[0]} to {att.periods[-1]}" if att.periods else "")
    if log and positive:
        low, high = 10 ** math.floor(math.log10(min(positive))), 10 ** math.ceil(math.log10(max(positive)))
        high = high * 10 if high == low else high
        span = math.log10(high) - math.log10(low)

        def y_of(v: float | None) -> float | None:
            return None if not v else bottom - (bottom - top) * (math.log10(v) - math.log10(low)) / span

        y_ticks = _log_ticks(low, high, shares)
    else:
        step = _nice_step(max(positive, default=0) / 4 or (0.0025 if shares else 1), whole=not shares)
        high = step * max(1, math.ceil(max(positive, default=0) / step))

        def y_of(v: float | None) -> float | None:
            return None if v is None else bottom - (bottom - top) * v / high

        y_ticks = [(step * i, value_text(step * i, shares)) for i in range(round(high / step) + 1)]
    n = len(att.periods)

    def x_of(i: int) -> float:
        return (left + right) / 2 if n == 1 else left + (right - left) * i / (n - 1)

    lines = []
    for k, (series, vals) in enumerate(zip(att.series, values)):
        line = Line(series.label, COLOURS[k % len(COLOURS)], DASHES[k % len(DASHES)],
                    legend_y=TOP + LEGEND_ROW * k + LEGEND_ROW / 2)
        run: list[tuple[float, float, str]] = []
        for i, v in enumerate(vals + [None]):
            y = y_of(v) if i < n else None
            if y is None:
                if len(run) == 1 or (run and n <= MAX_MARKED):
                    line.points += [Point(px, py, t) for px, py, t in run]
                if len(run) > 1:
                    line.paths.append("M" + " L".join(f"{px:.1f},{py:.1f}" for px, py, _ in run))
                run = []
                continue
            count, base = series.counts[i], series.base[i]
            tip = f"{series.label}, {att.periods[i]}: {count:,} article{'s' if count != 1 else ''}, " \
                  f"{percent(series.shares[i])} of {base:,}"
            run.append((x_of(i), y, tip))
        lines.append(line)
    desc = _describe(att, values, shares, log, what)
    return Chart(WIDTH, bottom + BOTTOM, (left, top, right, bottom), log, f"period ({unit})", y_title,
                 [Tick(x_of(i), att.periods[i]) for i in _x_ticks(n)],
                 [Tick(y, text) for v, text in y_ticks if (y := y_of(v)) is not None], lines, title, desc, not n)


def _short_base(att: Attention) -> str:
    if att.request.share_of == "all" or att.base_name == "all articles in the archive":
        return "all articles"
    return "articles of the source" if att.request.split else "articles with the same filters"


def _describe(att: Attention, values: list[list], shares: bool, log: bool, what: str) -> str:
    """Summarise the chart in words (its `<desc>`): each line's total and highest point."""
    if not att.periods:
        return "No dated articles match."
    parts = [f"One line per search, {len(att.periods)} {att.unit}s from {att.periods[0]} to {att.periods[-1]}, "
             f"{what} on a {'logarithmic' if log else 'linear'} axis."]
    for series, vals in zip(att.series, values):
        known = [(v, p) for v, p in zip(vals, att.periods) if v is not None]
        peak = max(known, key=lambda item: item[0], default=None)
        text = f"{series.label}: {series.dated:,} dated articles"
        if peak and peak[0]:
            text += f", highest {value_text(peak[0], shares)} in {peak[1]}"
        if series.undated:
            text += f", {series.undated:,} undated not drawn"
        parts.append(text + ".")
    return " ".join(parts)


def _nice_step(value: float, whole: bool) -> float:
    """Return the smallest round step (1, 2, 2.5 or 5 times a power of ten; whole numbers for counts) of `value` or more."""
    exponent = math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * 10**exponent
        if step >= value and (not whole or step == int(step)):
            return max(step, 1) if whole else step
    return 10 ** (exponent + 1)


def _log_ticks(low: float, high: float, shares: bool) -> list[tuple[float, str]]:
    powers = [10**e for e in range(round(math.log10(low)), round(math.log10(high)) + 1)]
    ticks = [p * f for p in powers for f in ((1, 2, 5) if len(powers) <= 3 else (1,)) if p * f <= high]
    if not shares:
        ticks = [t for t in ticks if t >= 1]
    return [(t, value_text(t, shares)) for t in ticks]


def _x_ticks(n: int) -> list[int]:
    """Pick at most about nine periods to label, evenly, the first and last among them."""
    if n <= 9:
        return list(range(n))
    step = math.ceil((n - 1) / 8)
    picked = list(range(0, n, step))
    if n - 1 - picked[-1] < step / 2:
        picked[-1] = n - 1
    else:
        picked.append(n - 1)
    return picked
