"""Numbers, money and times as a Swedish reader expects them: "1 200 000 kr", "3,1 mnkr", "12,5 %", local time."""

import math
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NBSP = "\u00a0"
MISSING = "–"


def number(value: float | int | None, decimals: int = 0) -> str:
    """Digits grouped by thousands with a non-breaking space, decimal comma (Swedish convention)."""
    if value is None:
        return MISSING
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def measure(value: float | None) -> str:
    """A measured quantity with only the decimals it needs: 100, 36,5, 0,25."""
    if value is None:
        return MISSING
    text = number(value, 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


def sek(value: int | None) -> str:
    return MISSING if value is None else f"{number(value)}{NBSP}kr"


def compact_sek(value: int | None) -> str:
    """Large sums shortened for charts: 12,5 mnkr, 3,1 mdkr."""
    if value is None:
        return MISSING
    for size, suffix in ((1_000_000_000, "mdkr"), (1_000_000, "mnkr"), (1_000, "tkr")):
        if abs(value) >= size:
            return f"{number(value / size, 1)}{NBSP}{suffix}"
    return sek(value)


def significant(value: float | None, figures: int = 2) -> float | None:
    """Rounded to `figures` significant figures (3 075 708 → 3 100 000): what the pages show of
    estimates and sums, whose last digits the registry does not know."""
    if value is None or value == 0:
        return value
    step = 10.0 ** (math.floor(math.log10(abs(value))) - figures + 1)
    # Halves round away from zero, as people round (845 → 850), not to even as round() does.
    return math.copysign(math.floor(abs(value) / step + 0.5) * step, value)


def significant_number(value: float | None, figures: int = 2) -> str:
    """A small measure to `figures` significant figures, its zeros kept: 1,0, 0,33, 0,050, 12."""
    rounded = significant(value, figures)
    if not rounded:
        return number(rounded)
    return number(rounded, max(0, figures - 1 - math.floor(math.log10(abs(rounded)))))


def significant_sek(value: float | None) -> str:
    """Money to two significant figures, never to the krona: 3,1 mnkr, 26 mnkr, 1,2 mdkr, 850 kr, 12 000 kr."""
    rounded = significant(value)
    if rounded is None:
        return MISSING
    for size, suffix in ((1_000_000_000, "mdkr"), (1_000_000, "mnkr")):
        if abs(rounded) >= size:
            return f"{measure(rounded / size)}{NBSP}{suffix}"
    return sek(round(rounded))


def percent(share: float | None, decimals: int = 1) -> str:
    return MISSING if share is None else f"{number(share * 100, decimals)}{NBSP}%"


def day(value: date | None) -> str:
    return MISSING if value is None else value.isoformat()


def moment(value: datetime | None) -> str:
    """A stored UTC time as Swedish local time, e.g. 2026-11-26 14:03."""
    if value is None:
        return MISSING
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
