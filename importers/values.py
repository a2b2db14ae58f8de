"""Reading the values people write in spreadsheets and sources publish.

Each function takes one raw value and returns it in the registry's form, or raises
`ValueError` with a reason a person can act on. Empty values (None, "", "-") are None.
"""

import math
import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from app.core.enums import Category, InitiativeStatus
from app.language.text import normalise

EMPTY_MARKERS = {"", "-", "–", "—", "n/a", "saknas", "uppgift saknas", "okänt", "okänd"}
MAX_EMPTY_MARKER = max(map(len, EMPTY_MARKERS))
EXCEL_EPOCH = date(1899, 12, 30)
# Serial numbers 10000–80000 are the years 1927–2119; anything else in a date column is not a date.
EXCEL_SERIALS = range(10_000, 80_001)
AMOUNT_UNITS = {
    "": 1,
    "kr": 1,
    "kronor": 1,
    "sek": 1,
    ":-": 1,
    "tkr": 10**3,
    "ksek": 10**3,
    "tusen": 10**3,
    "tusenkr": 10**3,
    "mkr": 10**6,
    "mnkr": 10**6,
    "msek": 10**6,
    "mn": 10**6,
    "milj": 10**6,
    "miljkr": 10**6,
    "miljoner": 10**6,
    "miljonerkr": 10**6,
    "mdkr": 10**9,
    "miljarder": 10**9,
    "miljarderkr": 10**9,
}
_AMOUNT = re.compile(r"^(?P<number>[+-]?\d[\d.,]*)(?P<unit>.*)$")
_SPACES = re.compile(r"[\s\u00a0\u202f']+")
SWEDISH_MONTHS = {
    "jan": 1,
    "januari": 1,
    "feb": 2,
    "februari": 2,
    "mar": 3,
    "mars": 3,
    "apr": 4,
    "april": 4,
    "maj": 5,
    "jun": 6,
    "juni": 6,
    "jul": 7,
    "juli": 7,
    "aug": 8,
    "augusti": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "okt": 10,
    "oktober": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_TEXT_DATE = re.compile(r"^(?P<day>\d{1,2})\s+(?P<month>[a-zåäö]+)\.?\s+(?P<year>\d{4})$")
_SLASH_DATE = re.compile(r"^(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>\d{4})$")
_YEAR_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$")
_YEAR = re.compile(r"^(?P<year>\d{4})$")
STATUS_WORDS: dict[str, str] = {
    "idé": InitiativeStatus.idea,
    "ide": InitiativeStatus.idea,
    "idéstadium": InitiativeStatus.idea,
    "förstudie": InitiativeStatus.idea,
    "planerad": InitiativeStatus.planned,
    "planerat": InitiativeStatus.planned,
    "planering": InitiativeStatus.planned,
    "pilot": InitiativeStatus.pilot,
    "piloting": InitiativeStatus.pilot,
    "test": InitiativeStatus.pilot,
    "genomförande": InitiativeStatus.implementation,
    "införande": InitiativeStatus.implementation,
    "pågående": InitiativeStatus.implementation,
    "pågår": InitiativeStatus.implementation,
    "i drift": InitiativeStatus.in_operation,
    "drift": InitiativeStatus.in_operation,
    "förvaltning": InitiativeStatus.in_operation,
    "i förvaltning": InitiativeStatus.in_operation,
    "skalad": InitiativeStatus.scaled,
    "skalat": InitiativeStatus.scaled,
    "spridd": InitiativeStatus.scaled,
    "spritt": InitiativeStatus.scaled,
    "avslutad": InitiativeStatus.discontinued,
    "avslutat": InitiativeStatus.discontinued,
    "nedlagd": InitiativeStatus.discontinued,
    "nedlagt": InitiativeStatus.discontinued,
    "avbruten": InitiativeStatus.discontinued,
    "avbrutet": InitiativeStatus.discontinued,
}
CATEGORY_WORDS: dict[str, str] = {
    "välfärdsteknik": Category.welfare_technology,
    "välfärdsteknologi": Category.welfare_technology,
    "e-tjänst": Category.e_service,
    "e-tjänster": Category.e_service,
    "etjänst": Category.e_service,
    "automatisering": Category.automation,
    "rpa": Category.automation,
    "automation": Category.automation,
    "data och ai": Category.data_and_ai,
    "ai": Category.data_and_ai,
    "data": Category.data_and_ai,
    "data & ai": Category.data_and_ai,
    "öppna data": Category.data_and_ai,
    "infrastruktur": Category.infrastructure,
    "it-infrastruktur": Category.infrastructure,
    "skola": Category.education,
    "utbildning": Category.education,
    "lärande": Category.education,
    "hälsa": Category.health,
    "vård": Category.health,
    "hälso- och sjukvård": Category.health,
    "administration": Category.administration,
    "verksamhetsstöd": Category.administration,
    "medborgardialog": Category.citizen_dialogue,
    "delaktighet": Category.citizen_dialogue,
    "övrigt": Category.other,
    "annat": Category.other,
}
TRUE_WORDS = {"ja", "j", "yes", "y", "true", "sant", "1", "x"}
FALSE_WORDS = {"nej", "n", "no", "false", "falskt", "0"}
LIST_SEPARATORS = re.compile(r"[,;|\n]")
# Amounts carry decimal commas, so per-year pairs are separated by anything but a comma.
_PAIR_SEPARATORS = re.compile(r"[;|\n]")
_YEAR_AMOUNT = re.compile(r"^(?P<year>\d{4})\s*[:=]\s*(?P<amount>.+)$")
BUDGET_YEARS = range(2000, 2101)


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if not isinstance(value, str):
        return False
    stripped = value.strip()
    # lower() is enough for these markers, and much cheaper than full normalisation.
    return len(stripped) <= MAX_EMPTY_MARKER and stripped.lower() in EMPTY_MARKERS


def text(value: Any) -> str | None:
    """Text with runs of whitespace collapsed; numbers as written (42.0 becomes "42")."""
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def long_text(value: Any) -> str | None:
    """Text that keeps its line breaks (descriptions)."""
    if is_empty(value):
        return None
    return str(value).strip()


def amount(value: Any) -> int | None:
    """Whole kronor from 1200000, "1 200 000 kr", "1,2 mnkr", "500 tkr" or "1.200.000:-".

    A comma is the Swedish decimal sign; more than one comma or dot in a number are
    thousands separators.
    """
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    if isinstance(value, (int, float)):
        return round(_finite(value, value))
    compact = _SPACES.sub("", normalise(str(value)))
    match = _AMOUNT.match(compact)
    unit = match["unit"].rstrip(".") if match else None
    if match is None or unit not in AMOUNT_UNITS:
        raise ValueError(f"{value!r} is not an amount in kronor (e.g. 1 200 000 kr, 1,2 mnkr or 500 tkr)")
    return round(_finite(_decimal_number(match["number"], str(value)) * AMOUNT_UNITS[unit], value))


def _finite(number: float, original: Any) -> float:
    if not math.isfinite(number):
        raise ValueError(f"{original!r} is not an amount in kronor (not a finite number)")
    return number


def _decimal_number(number: str, original: str) -> float:
    for separator in (",", "."):
        if number.count(separator) > 1:
            number = number.replace(separator, "")
    if "," in number and "." in number:
        decimal = "," if number.rindex(",") > number.rindex(".") else "."
        number = number.replace("." if decimal == "," else ",", "")
    try:
        return float(number.replace(",", "."))
    except ValueError:
        raise ValueError(f"{original!r} is not an amount in kronor") from None


def amounts_by_year(value: Any) -> dict[int, int] | None:
    """Whole kronor per year from "2024: 1,2 mnkr; 2025: 800 tkr" (pairs separated by semicolons,
    bars or line breaks; a colon or = between year and amount), or from a {year: amount} mapping."""
    if is_empty(value):
        return None
    pairs = value.items() if isinstance(value, dict) else (_year_pair(part) for part in _split_pairs(value))
    found: dict[int, int] = {}
    for year, raw in pairs:
        checked = _budget_year(year, value)
        if checked in found:
            raise ValueError(f"{value!r} names the year {checked} twice")
        spent = amount(raw)
        if spent is None or spent < 0:
            raise ValueError(f"{value!r} has no amount of 0 kr or more for {checked}")
        found[checked] = spent
    return dict(sorted(found.items())) or None


def _split_pairs(value: Any) -> list[str]:
    return [part for part in _PAIR_SEPARATORS.split(str(value)) if part.strip()]


def _year_pair(part: str) -> tuple[str, str]:
    match = _YEAR_AMOUNT.match(part.strip())
    if match is None:
        raise ValueError(f"{part.strip()!r} is not a year and an amount (e.g. 2024: 1,2 mnkr)")
    return match["year"], match["amount"]


def _budget_year(year: Any, original: Any) -> int:
    try:
        number = int(str(year).strip())
    except ValueError:
        raise ValueError(f"{original!r} names {year!r}, which is not a year") from None
    if number not in BUDGET_YEARS:
        raise ValueError(f"{original!r} names the year {number}; years 2000–2100 are accepted")
    return number


def share(value: Any) -> float | None:
    """A share 0–1 from 0.4, "0,4", "40 %" or 40."""
    if is_empty(value):
        return None
    raw = normalise(str(value)).replace(" ", "").replace("\u00a0", "")
    is_percent = raw.endswith("%")
    try:
        number = float(raw.rstrip("%").replace(",", "."))
    except ValueError:
        raise ValueError(f"{value!r} is not a share (e.g. 0,4 or 40 %)") from None
    return number / 100 if is_percent or 1 < number <= 100 else number


def day(value: Any, *, is_end: bool = False) -> date | None:
    """A date from a date cell, an Excel serial number, ISO text, "1 mars 2024", "01/03/2024",
    "2024-03" or "2024". A month or year alone means its first day, or its last for an end date."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _excel_serial(value)
    raw = normalise(" ".join(str(value).split()))
    if raw.replace(".", "", 1).isdigit() and len(raw.split(".")[0]) == 5:
        return _excel_serial(float(raw))
    return _text_date(raw, is_end) or _fail_date(value)


def _excel_serial(serial: float) -> date:
    if int(serial) not in EXCEL_SERIALS:
        raise ValueError(f"{serial!r} is not a date (as an Excel serial number it is out of range)")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def _text_date(raw: str, is_end: bool) -> date | None:
    try:
        return datetime.fromisoformat(raw.upper()).date() if "t" in raw else date.fromisoformat(raw[:10])
    except ValueError:
        pass
    if match := _TEXT_DATE.match(raw):
        month = SWEDISH_MONTHS.get(match["month"])
        return date(int(match["year"]), month, int(match["day"])) if month else None
    if match := _SLASH_DATE.match(raw):
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    if match := _YEAR_MONTH.match(raw):
        return _period_edge(int(match["year"]), int(match["month"]), is_end)
    if match := _YEAR.match(raw):
        return _period_edge(int(match["year"]), 12 if is_end else 1, is_end)
    return None


def _period_edge(year: int, month: int, is_end: bool) -> date:
    if not is_end:
        return date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _fail_date(value: Any) -> date:
    raise ValueError(f"{value!r} is not a date (e.g. 2024-03-01, 1 mars 2024 or 2024)")


def flag(value: Any) -> bool | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    word = normalise(str(value).strip())
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{value!r} is not yes or no (ja/nej)")


def word_list(value: Any) -> list[str] | None:
    """Items of a list, or of text separated by commas, semicolons, bars or line breaks."""
    if is_empty(value):
        return None
    items = value if isinstance(value, list) else LIST_SEPARATORS.split(str(value))
    cleaned = [text(item) for item in items]
    return list(dict.fromkeys(item for item in cleaned if item)) or None


def vocabulary_term(value: Any, words: dict[str, str], allowed: type[StrEnum], label: str) -> str | None:
    """A registry term from a source's word: the source's own words first, then the registry's values."""
    if is_empty(value):
        return None
    word = normalise(" ".join(str(value).split()))
    if word in words:
        return words[word]
    if word.replace(" ", "_") in allowed.__members__:
        return word.replace(" ", "_")
    raise ValueError(f"{value!r} is not a known {label}; known words: {', '.join(sorted(words))}")


def external_id(value: Any) -> str | None:
    identifier = text(value)
    if identifier is not None and len(identifier) > 200:
        raise ValueError("the record id is longer than 200 characters")
    return identifier
