"""Bar charts drawn on the server as inline SVG: no JavaScript, nothing fetched, readable by
anyone whose browser shows images.

Each chart is one image (``role="img"``) named by its ``<title>`` and summarised by its
``<desc>``; a screen reader announces those and moves on, because the figures themselves are
in the HTML table the page always puts beside the chart, drawn from the same
:class:`Table` rows (:meth:`Table.chart_bars`). Horizontal bars, so long labels (needs,
search words) stay readable, each written above its bar; colours are GOV.UK's blue on white,
with the value written at the end of each bar, so nothing depends on telling colours apart.
The page puts each chart inside a ``govuk-body`` block so its text is in the site's font.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from directory.insights.tables import Table

#: Drawn in a box this wide; the SVG scales to its column (a half column on a desktop, the
#: width of a phone), so 16 units of text stay between about 13 and 19 CSS pixels.
WIDTH = 400
VALUE_WIDTH = 56
LABEL_HEIGHT = 20
BAR = 16
ROW = LABEL_HEIGHT + BAR + 12
TOP = 4
FONT_SIZE = 16
BAR_COLOUR = "#1d70b8"
TEXT_COLOUR = "#0b0c0c"
MAX_LABEL = 44


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "\u2026"


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _shown(value: object) -> str:
    if value is None:
        return "not known"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(_number(value)):,}"


def bar_chart(table: Table) -> Markup:
    """The table's chart as an ``<svg>`` element, or empty markup when it has no chart or no
    rows (the page then says there is nothing to show)."""
    bars = table.chart_bars()
    if table.chart is None or not bars:
        return Markup("")
    chart_id = f"chart-{table.key}"
    largest = max(_number(v) for _, v in bars) or 1.0
    span = WIDTH - VALUE_WIDTH
    height = TOP * 2 + ROW * len(bars)
    top_label, top_value = max(bars, key=lambda bar: _number(bar[1]))
    more = len(table.rows) - len(bars)
    description = (
        f"Bar chart of {len(bars)} {'bar' if len(bars) == 1 else 'bars'}"
        + (f" (the first {len(bars)} rows of {len(table.rows)})" if more > 0 else "")
        + f". Largest: {top_label}, {_shown(top_value)}. "
        "The table beside the chart has every figure."
    )
    parts = [
        f'<svg class="app-chart" id="{chart_id}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="{FONT_SIZE}">',
        f'<title id="{chart_id}-title">{escape(table.chart.title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for n, (label, value) in enumerate(bars):
        y = TOP + n * ROW
        length = max(span * _number(value) / largest, 0.0)
        parts.append(
            f'<g class="app-chart__bar" data-label="{escape(label)}" '
            f'data-value="{escape(_shown(value))}">'
            f'<text x="0" y="{y + LABEL_HEIGHT - 5}" fill="{TEXT_COLOUR}">'
            f"{escape(_short(label))}</text>"
            f'<rect x="0" y="{y + LABEL_HEIGHT}" width="{length:.1f}" height="{BAR}" '
            f'fill="{BAR_COLOUR}"></rect>'
            f'<text x="{length + 6:.1f}" y="{y + LABEL_HEIGHT + BAR - 2}" '
            f'fill="{TEXT_COLOUR}">{escape(_shown(value))}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
