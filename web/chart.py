"""The time chart of a search: matching articles per month (per year over a long range),
drawn server-side as an inline SVG whose bars are links that narrow the date range.

No chart library, no font, no request anywhere: a few <rect> in <a>, with escaped labels.
The month and year counts come from the engine's `month`/`year` facets (which apply every
filter but the date range), so the bars outside the selected range show what widening it
would find.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from markupsafe import Markup, escape

MAX_MONTH_BARS = 36      # a longer span is drawn per year
BAR_W, GAP, HEIGHT = 10, 2, 100


@dataclass
class Bar:
    key: str              # "2017" or "2017-05": the date_from/date_to the bar links to
    count: int
    label: str            # "05/2017", "2017"
    tick: str = ""        # axis text under the bar ("" for none)
    inside: bool = True   # within the selected date range
    selected: bool = False


@dataclass
class Chart:
    bars: list[Bar]
    unit: str                       # "tháng" or "năm"
    svg: Markup = Markup("")
    peak: Bar | None = None


def _month_index(key: str) -> int:
    return int(key[:4]) * 12 + int(key[5:7]) - 1


def _month_key(i: int) -> str:
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def _span(date_from: str | None, date_to: str | None):
    """First and last month index of the selected range (None for an open end)."""
    lo = _month_index(date_from[:7] if len(date_from) >= 7 else date_from[:4] + "-01") \
        if date_from else None
    hi = _month_index(date_to[:7] if len(date_to) >= 7 else date_to[:4] + "-12") \
        if date_to else None
    return lo, hi


def build_chart(months: list[dict], years: list[dict], date_from: str | None,
                date_to: str | None, link: Callable[[str], str]) -> Chart | None:
    """The chart for a search's month and year facets (all of them: facet_size=200).

    link(key) is the URL of the search narrowed to that month or year. None when there is
    nothing to draw (no dated article matches)."""
    month_counts = {m["value"]: m["count"] for m in months if m["count"]}
    year_counts = {y["value"]: y["count"] for y in years if y["count"]}
    if not year_counts and not month_counts:
        return None
    lo, hi = _span(date_from, date_to)
    if month_counts:
        data_lo = min(_month_index(k) for k in month_counts)
        data_hi = max(_month_index(k) for k in month_counts)
    else:
        data_lo = min(int(y) for y in year_counts) * 12
        data_hi = max(int(y) for y in year_counts) * 12 + 11
    sel_lo = lo if lo is not None else data_lo
    sel_hi = hi if hi is not None else data_hi
    if sel_hi < sel_lo:
        return None
    if sel_hi - sel_lo + 1 <= 24:
        # A short range is drawn whole; a single month shows its year around it.
        start, end = sel_lo, sel_hi
        if start == end:
            start, end = start - start % 12, start - start % 12 + 11
    else:
        start, end = max(sel_lo, data_lo), min(sel_hi, data_hi)
        if end < start:
            return None

    if end - start + 1 <= MAX_MONTH_BARS:
        bars = []
        for i in range(start, end + 1):
            key = _month_key(i)
            bars.append(Bar(key, month_counts.get(key, 0), f"{key[5:7]}/{key[:4]}",
                            inside=sel_lo <= i <= sel_hi,
                            selected=(date_from == key and date_to == key)))
        for n, bar in enumerate(bars):
            month = int(bar.key[5:7])
            if len(bars) <= 12:
                bar.tick = f"T{month}" + (f" {bar.key[:4]}" if n == 0 or month == 1 else "")
            elif month == 1 or n == 0:
                bar.tick = bar.key[:4] if month == 1 or len(bars) - n > 3 else ""
        unit = "tháng"
    else:
        first, last = start // 12, end // 12
        step = max(1, -(-(last - first + 1) // 12))
        bars = []
        for n, y in enumerate(range(first, last + 1)):
            key = f"{y:04d}"
            inside = sel_lo // 12 <= y <= sel_hi // 12
            bars.append(Bar(key, year_counts.get(key, 0), key,
                            tick=key if n % step == 0 else "", inside=inside,
                            selected=(date_from == key and date_to == key)))
        unit = "năm"

    chart = Chart(bars, unit)
    chart.peak = max(bars, key=lambda b: b.count)
    chart.svg = _svg(bars, unit, link)
    return chart


def _svg(bars: list[Bar], unit: str, link: Callable[[str], str]) -> Markup:
    top = max(b.count for b in bars) or 1
    width = len(bars) * BAR_W
    parts = [f'<svg class="chart-svg" viewBox="0 0 {width} {HEIGHT}" '
             f'preserveAspectRatio="none" role="group" '
             f'aria-label="Số bài theo {escape(unit)}" focusable="false">',
             f'<line class="baseline" x1="0" y1="{HEIGHT - 0.5}" x2="{width}" '
             f'y2="{HEIGHT - 0.5}" vector-effect="non-scaling-stroke"/>']
    for i, bar in enumerate(bars):
        x = i * BAR_W
        what = f"Tháng {bar.label}" if unit == "tháng" else f"Năm {bar.label}"
        text = escape(f"{what}: {bar.count:,} bài".replace(",", "."))
        classes = "bar" + ("" if bar.inside else " out") + (" sel" if bar.selected else "")
        if bar.count:
            h = max(4.0, bar.count / top * (HEIGHT - 6))
            rect = (f'<rect class="fill" x="{x + GAP / 2}" y="{HEIGHT - h:.2f}" '
                    f'width="{BAR_W - GAP}" height="{h:.2f}"/>')
            parts.append(
                f'<a class="{classes}" href="{escape(link(bar.key))}" aria-label="{text}">'
                f'<title>{text}</title>'
                f'<rect class="hit" x="{x}" y="0" width="{BAR_W}" height="{HEIGHT}"/>'
                f'{rect}</a>')
        else:
            parts.append(f'<g class="{classes} empty"><title>{text}</title>'
                         f'<rect class="hit" x="{x}" y="0" width="{BAR_W}" height="{HEIGHT}"/></g>')
    parts.append("</svg>")
    return Markup("".join(parts))
