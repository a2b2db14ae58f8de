"""Maps of Sweden as inline SVG, drawn on the server: one path per municipality or county, filled by
its class, from the outlines `scripts/build_map.py` simplified once (`maps/sverige.json`).

Numbers are classed by quantiles of the values above zero, with zero a class of its own and a
missing value ("uppgift saknas") hatched, so neither reads as the other. The palette is
ColorBrewer's YlGnBu, safe for the common kinds of colour blindness.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

MAP_FILE = Path(__file__).parent / "maps" / "sverige.json"
PALETTE = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")  # YlGnBu, light to dark
MISSING_FILL = "url(#uppgift-saknas)"
MISSING = "uppgift saknas"
LEVELS = {"kommun": "kommun", "region": "lan"}  # the page's level → the map file's layer


@dataclass(frozen=True)
class Outline:
    name: str
    d: str


@dataclass(frozen=True)
class Outlines:
    view_box: str
    areas: dict[str, Outline]  # by municipality or county code


@dataclass(frozen=True)
class Shade:
    """One class of the legend."""

    label: str
    fill: str


@dataclass(frozen=True)
class Area:
    name: str
    text: str  # the value as the title and the table show it
    shade: Shade


@cache
def _map_file() -> dict:
    return json.loads(MAP_FILE.read_text(encoding="utf-8"))


def outlines(level: str) -> Outlines:
    data = _map_file()
    layer = data[LEVELS[level]]
    return Outlines(data["viewBox"], {code: Outline(area["name"], area["d"]) for code, area in layer.items()})


def source() -> str:
    """Where the outlines come from and on what terms, as the map file records it."""
    return f"{_map_file()['source']}. {_map_file()['licence']}"


def missing_shade() -> Shade:
    return Shade(MISSING, MISSING_FILL)


def quantile_shades(
    values: Sequence[float | None], classes: int, value_text: Callable[[float], str], zero_label: str = "0"
) -> tuple[list[Shade], list[Shade]]:
    """The legend, and each value's class: zero alone (labelled `zero_label`), then up to
    `classes` quantile classes of the values above zero (fewer when values repeat), then missing."""
    bounds = _lower_bounds(values, classes)
    colours = PALETTE[len(PALETTE) - len(bounds) :]
    legend = [Shade(zero_label, PALETTE[0])]
    for index, low in enumerate(bounds):
        high = bounds[index + 1] if index + 1 < len(bounds) else None
        label = f"{value_text(low)} och mer" if high is None else f"{value_text(low)} till under {value_text(high)}"
        legend.append(Shade(label, colours[index]))
    legend.append(missing_shade())
    return legend, [legend[-1] if value is None else legend[sum(value >= low for low in bounds)] for value in values]


def _lower_bounds(values: Sequence[float | None], classes: int) -> list[float]:
    positive = sorted(value for value in values if value)
    if not positive:
        return []
    return sorted({positive[0]} | {positive[len(positive) * step // classes] for step in range(1, classes)})


def svg_map(level: str, areas: Mapping[str, Area], label: str) -> Markup:
    """Every area of the level filled by its class, as an image that `label` describes; over it, the
    same outlines as links to each organisation, titled with its name and value. The links are
    for the mouse only (hidden from assistive technology, out of the tab order): the table below
    the map holds the same values and links, and an image may not hold links (axe-core's
    nested-interactive)."""
    shape = outlines(level)
    shown = {
        code: areas.get(code) or Area(outline.name, MISSING, missing_shade()) for code, outline in shape.areas.items()
    }
    paths = "".join(
        f'<path id="omrade-{code}" d="{outline.d}" fill="{shown[code].shade.fill}"></path>'
        for code, outline in shape.areas.items()
    )
    links = "".join(
        f'<a href="/organisation/{escape(code)}" tabindex="-1"><title>{escape(area.name)}: {escape(area.text)}</title>'
        f'<use href="#omrade-{code}"></use></a>'
        for code, area in shown.items()
    )
    return Markup(
        f'<div class="map-stack"><svg class="map" viewBox="{shape.view_box}" role="img" aria-label="{escape(label)}">'
        f"{_hatching('uppgift-saknas', 32)}{paths}</svg>"
        f'<svg class="map map-links" viewBox="{shape.view_box}" aria-hidden="true" focusable="false">{links}</svg>'
        "</div>"
    )


def swatch(shade: Shade) -> Markup:
    """A legend's square; a missing value's is hatched like the map's."""
    hatched = shade.fill == MISSING_FILL
    return Markup(
        '<svg class="swatch" viewBox="0 0 18 18" width="18" height="18" aria-hidden="true" focusable="false">'
        f"{_hatching('saknas-ruta', 6) if hatched else ''}"
        f'<rect width="18" height="18" fill="{"url(#saknas-ruta)" if hatched else shade.fill}"></rect></svg>'
    )


def _hatching(pattern_id: str, size: int) -> str:
    return (
        f'<defs><pattern id="{pattern_id}" width="{size}" height="{size}" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="{size}" height="{size}" fill="#eeeeee"></rect>'
        f'<rect width="{size * 3 // 8}" height="{size}" fill="#8c8c8c"></rect></pattern></defs>'
    )
