"""Charts as inline SVG, drawn on the server so pages need no JavaScript.

Bar charts are HTML tables whose value cells hold a proportional SVG bar: the labels and
values stay real text (readable by screen readers, legible at any width) and the bars only
add the picture. Column charts over years are one SVG with a title and description, and
the page shows the same numbers in a table beside it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.web.formatting import number

COLUMN_WIDTH, COLUMN_GAP, PLOT_HEIGHT, LABEL_HEIGHT = 60, 14, 120, 36


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    href: str | None = None


def bar_chart(caption: str, bars: Sequence[Bar], value_text: Callable[[float | None], str] = number) -> Markup:
    """A table of labelled horizontal bars, each as long as its share of the largest value."""
    largest = max((bar.value or 0 for bar in bars), default=0)
    rows = "".join(_bar_row(bar, largest, value_text) for bar in bars)
    return Markup(
        f'<table class="bar-chart"><caption>{escape(caption)}</caption>'
        f'<thead><tr><th scope="col">Vad</th><th scope="col">Värde</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _bar_row(bar: Bar, largest: float, value_text: Callable[[float | None], str]) -> str:
    width = 0 if not largest or not bar.value else max(bar.value / largest * 100, 0.5)
    label = f'<a href="{escape(bar.href)}">{escape(bar.label)}</a>' if bar.href else escape(bar.label)
    return (
        f'<tr><th scope="row">{label}</th><td><span class="bar-value">{escape(value_text(bar.value))}</span>'
        f'<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        f'<rect width="{width:.2f}" height="10"></rect></svg></td></tr>'
    )


def column_chart(
    title: str, points: Sequence[tuple[str, float | None]], value_text: Callable[[float | None], str] = number
) -> Markup:
    """Columns over time (e.g. a KPI per year); a missing value is marked "saknas", never drawn as
    zero, and a zero draws no column. Pass the values as their labels show them (rounded), so
    two columns labelled alike are drawn alike."""
    values = [value for _, value in points if value is not None]
    top = max([*values, 0])
    bottom = min([*values, 0])
    span = (top - bottom) or 1
    zero_y = PLOT_HEIGHT * top / span + 20
    width = len(points) * (COLUMN_WIDTH + COLUMN_GAP) + COLUMN_GAP
    height = PLOT_HEIGHT + LABEL_HEIGHT + 20
    columns = "".join(
        _column(index, label, value, zero_y, span, value_text) for index, (label, value) in enumerate(points)
    )
    description = "; ".join(f"{label}: {value_text(value)}" for label, value in points)
    return Markup(
        f'<svg class="column-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}: {escape(description)}">'
        f"<title>{escape(title)}</title>"
        f'<line class="axis" x1="0" x2="{width}" y1="{zero_y:.1f}" y2="{zero_y:.1f}"></line>{columns}</svg>'
    )


def _column(
    index: int, label: str, value: float | None, zero_y: float, span: float, value_text: Callable[[float | None], str]
) -> str:
    x = COLUMN_GAP + index * (COLUMN_WIDTH + COLUMN_GAP)
    centre = x + COLUMN_WIDTH / 2
    year = f'<text x="{centre}" y="{PLOT_HEIGHT + 20 + 24}" text-anchor="middle">{escape(label)}</text>'
    if value is None:
        return year + f'<text class="missing" x="{centre}" y="{zero_y - 6:.1f}" text-anchor="middle">saknas</text>'
    if value == 0:  # a zero has no column: any sliver would say there is something
        return year + f'<text x="{centre}" y="{zero_y - 6:.1f}" text-anchor="middle">{escape(value_text(value))}</text>'
    length = abs(value) / span * PLOT_HEIGHT
    top = zero_y - length if value >= 0 else zero_y
    caption_y = top - 6 if value >= 0 else top + length + 14
    return (
        year
        + f'<rect x="{x}" y="{top:.1f}" width="{COLUMN_WIDTH}" height="{max(length, 1):.1f}"></rect>'
        + f'<text x="{centre}" y="{caption_y:.1f}" text-anchor="middle">{escape(value_text(value))}</text>'
    )
