"""The numbers page's chart, laid out at build time: comments per month as bars in an SVG the
template draws from these coordinates (no script, nothing fetched), and the same figures as a
table for whoever cannot see it."""

from __future__ import annotations

import itertools
from collections import Counter

from babel.dates import get_month_names

from sitegen.render.dates import locale_of, month_title
from sitegen.render.views import ChartBar, ChartRow, ChartTick, ChartView
from sitegen.render.words import Words

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 4, 10, 26
"""Room for the counts on the left and the years below."""
YEAR_SPACING = 48
"""The room a year's label needs: a digest that starts in November labels the next January, not
both, and one that ends in February does not label its last year past the chart's edge."""
GRIDLINES = 4
"""At most, above zero."""


def _step(largest: int) -> int:
    """A round step (1, 2, 5, 10, 20, ...) that divides 0..largest into at most GRIDLINES parts."""
    step = 1
    for factor in itertools.cycle((2, 2.5, 2)):
        if step * GRIDLINES >= largest:
            return step
        step = round(step * factor)


def comments_chart(months: Counter, words: Words) -> ChartView | None:
    """`months`: (year, month) -> comments written then. None for a digest without comments."""
    language, number = words.language, words.number
    if not months:
        return None
    (first_year, first_month), (last_year, last_month) = min(months), max(months)
    span = [(year, month) for year in range(first_year, last_year + 1) for month in range(1, 13)
            if (first_year, first_month) <= (year, month) <= (last_year, last_month)]
    largest = max(months.values())
    step = _step(largest)
    top_count = step * -(-largest // step)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / len(span)
    gap = slot * 0.15 if slot >= 3 else 0

    bars, years = [], []
    for index, (year, month) in enumerate(span):
        count = months.get((year, month), 0)
        height = plot_height * count / top_count
        x = LEFT + index * slot
        bars.append(ChartBar(round(x + gap / 2, 2), round(TOP + plot_height - height, 2), round(slot - gap, 2),
                             round(height, 2), words.ngettext("%(month)s: %(num)s comment", "%(month)s: %(num)s comments",
                                                              count, month=month_title(year, month, language))))
        if month == 1 or index == 0:
            years.append(ChartTick(round(x, 2), str(year)))
    years = years[::-(-len(years) // 12)]  # at most a dozen year labels, however long the digest
    if first_month != 1 and len(years) > 1 and years[1].position - years[0].position < YEAR_SPACING:
        years.pop(0)  # the first year is a few months only
    if len(years) > 1 and WIDTH - RIGHT - years[-1].position < YEAR_SPACING:
        years.pop()  # so is the last: its label would run past the edge
    levels = tuple(ChartTick(round(TOP + plot_height - plot_height * value / top_count, 2), number(value))
                   for value in range(0, top_count + 1, step))
    busiest = max(span, key=lambda key: (months.get(key, 0), key))
    summary = words.ngettext(
        "Comments per month, %(first)s to %(last)s: %(num)s in all; the busiest month was %(busiest)s, with %(most)s.",
        "Comments per month, %(first)s to %(last)s: %(num)s in all; the busiest month was %(busiest)s, with %(most)s.",
        sum(months.values()), first=month_title(first_year, first_month, language),
        last=month_title(last_year, last_month, language), busiest=month_title(*busiest, language),
        most=number(months[busiest]))
    rows = tuple(ChartRow(str(year), tuple(
        number(months.get((year, month), 0)) if (first_year, first_month) <= (year, month) <= (last_year, last_month)
        else None for month in range(1, 13))) for year in range(first_year, last_year + 1))
    names = get_month_names("abbreviated", context="stand-alone", locale=locale_of(language))
    return ChartView(WIDTH, HEIGHT, TOP, TOP + plot_height, LEFT, tuple(bars), tuple(years), levels,
                     summary, tuple(names[month] for month in range(1, 13)), rows)
