"""Horizontal bar charts as inline SVG, drawn on the server (no chart library, no CDN)."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

ROW_HEIGHT = 22
LABEL_WIDTH = 260
BAR_WIDTH = 300
VALUE_WIDTH = 50
LABEL_CHARACTERS = 22  # longer labels are shortened; the bar's tooltip has the full text


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def bar_chart(rows: list[tuple[str, int]], title: str) -> SafeString:
    """One bar per (label, value); every label and the title are escaped."""
    largest = max((value for _label, value in rows), default=0) or 1
    height = ROW_HEIGHT * max(len(rows), 1) + 4
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    bars = format_html_join(
        "",
        '<g transform="translate(0,{})">'
        '<text x="{}" y="15" text-anchor="end" class="chart__label">{}</text>'
        '<rect x="{}" y="3" width="{}" height="16" rx="2" class="chart__bar">'
        "<title>{}: {}</title></rect>"
        '<text x="{}" y="15" class="chart__value">{}</text></g>',
        (
            (
                index * ROW_HEIGHT,
                LABEL_WIDTH - 8,
                _short(label),
                LABEL_WIDTH,
                round(BAR_WIDTH * value / largest, 1),
                label,
                value,
                LABEL_WIDTH + round(BAR_WIDTH * value / largest, 1) + 6,
                value,
            )
            for index, (label, value) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg" font-size="12">'
        "<style>.chart__bar{{fill:#2e6f95}}.chart__label,.chart__value{{fill:currentColor}}</style>"
        "{}</svg>",
        title,
        width,
        height,
        bars,
    )
