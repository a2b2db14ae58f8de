"""The initiative form: its fields as strings, read into the API's own schemas, errors in Swedish.

The form posts flat strings; `payload` turns them into the JSON the API would receive and
`InitiativeCreate`/`InitiativeUpdate` validate it, so the web accepts exactly what the API
accepts. An edit sends only the fields whose text differs from the stored record's, so
values the form cannot show exactly (long decimals, normalised URLs) are never rewritten.

Participants, the budget per year, benefit evidence and links are groups of rows, each cell
named `{group}-{row}-{column}` (`participants-0-organisation`). A row left empty or marked for
removal is none; an edit sends a group only when its rows, read, differ from the stored ones.

Every error is found in one round: pydantic checks each field, and the checks across fields
(dates in order, organisations that exist, a participant or a year listed once) run beside it
on whatever could be read, so nobody fixes one error only to be shown the next.
"""

import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.core.problems import InvalidParameter
from app.core.text import without_control_characters
from app.initiatives.schemas import InitiativeCreate, InitiativeRead, InitiativeUpdate

TEXT_FIELDS = (
    "title",
    "summary",
    "description",
    "category",
    "status",
    "status_date",
    "tags",
    "start_date",
    "end_date",
    "budget_sek",
    "digital_share",
    "expected_benefit_sek_per_year",
    "realised_benefit_sek_per_year",
    "has_benefit_realisation_plan",
    "strategy_refs",
    "solution_name",
    "solution_vendor",
    "solution_url",
    "solution_repository_url",
    "contact_name",
    "contact_email",
    "contact_phone",
)
FORM_FIELDS = ("owner", *TEXT_FIELDS)
MONEY_FIELDS = ("budget_sek", "expected_benefit_sek_per_year", "realised_benefit_sek_per_year")
NESTED = {"solution": ("name", "vendor", "url", "repository_url"), "contact": ("name", "email", "phone")}
GROUPS = {
    "participants": ("organisation", "role", "contribution_sek", "steering_seats"),
    "budget_by_year": ("year", "amount"),
    "benefit_evidence": ("metric", "baseline", "result", "unit", "period", "source_url"),
    "links": ("title", "url"),
}
COLUMN_LABELS = {
    "participants": {
        "organisation": "Organisation",
        "role": "Roll",
        "contribution_sek": "Bidrag (kr)",
        "steering_seats": "Platser i styrgruppen",
    },
    "budget_by_year": {"year": "År", "amount": "Belopp (kr)"},
    "benefit_evidence": {
        "metric": "Mått",
        "baseline": "Utgångsläge",
        "result": "Resultat",
        "unit": "Enhet",
        "period": "Period",
        "source_url": "Källa (webbadress)",
    },
    "links": {"title": "Rubrik", "url": "Webbadress"},
}
MOST_ROWS = 50  # per group, the schema's own limit for benefit evidence and links
EMPTY_ROWS = 2  # offered after the filled rows
REMOVE = "remove"
MORE_ROWS = "fler_rader"  # the button that offers more empty rows of a group and saves nothing
_CELL = re.compile(r"^(participants|budget_by_year|benefit_evidence|links)-(\d+)-([a-z_]+)$")
_CODE = re.compile(r"^[0-9A-Za-z-]{2,32}$")  # OrganisationCode's pattern: only such text is looked up
GENERAL = "_form"
# In the form's order, which the error summary follows.
FORM_LABELS = {
    "title": "Titel",
    "summary": "Sammanfattning",
    "description": "Beskrivning",
    "owner": "Ägare",
    "category": "Kategori",
    "tags": "Nyckelord",
    "participants": "Deltagare",
    "status": "Status",
    "status_date": "Datum då statusen ändrades",
    "start_date": "Startdatum",
    "end_date": "Slutdatum",
    "budget_sek": "Budget",
    "budget_by_year": "Budget per år",
    "digital_share": "Digital andel av budgeten",
    "expected_benefit_sek_per_year": "Förväntad nytta per år",
    "realised_benefit_sek_per_year": "Realiserad nytta per år",
    "has_benefit_realisation_plan": "Plan för nyttorealisering",
    "strategy_refs": "Strategier och styrdokument",
    "benefit_evidence": "Nytta",
    "solution_name": "Lösningens namn",
    "solution_vendor": "Leverantör",
    "solution_url": "Lösningens webbplats",
    "solution_repository_url": "Lösningens källkod",
    "links": "Länkar",
    "contact_name": "Kontaktens namn",
    "contact_email": "Kontaktens e-post",
    "contact_phone": "Kontaktens telefon",
}

MONEY_DIGITS = 15  # more than any amount the schema accepts (Money: at most 10**13)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_MONEY_SUFFIX = re.compile(r"(kr|sek|kronor)\.?$", re.IGNORECASE)

MONEY_MESSAGE = "Ange ett belopp i hela kronor, 0 eller mer, t.ex. 1 200 000."
URL_MESSAGE = "Ange en fullständig webbadress som börjar med https://."
NUMBER_MESSAGE = "Ange ett tal, t.ex. 12,5."

FIELD_MESSAGES = {
    **dict.fromkeys((*MONEY_FIELDS, "participants-contribution_sek", "budget_by_year-amount"), MONEY_MESSAGE),
    "digital_share": "Ange en andel mellan 0 och 100 %.",
    "start_date": "Ange ett datum som ÅÅÅÅ-MM-DD.",
    "end_date": "Ange ett datum som ÅÅÅÅ-MM-DD.",
    "status_date": "Ange ett datum som ÅÅÅÅ-MM-DD.",
    **dict.fromkeys(
        ("solution_url", "solution_repository_url", "benefit_evidence-source_url", "links-url"), URL_MESSAGE
    ),
    "contact_email": "Ange en giltig e-postadress, t.ex. namn@kommun.se.",
    "owner": "Ange en organisationskod, t.ex. 2281 för Sundsvalls kommun.",
    "solution_name": "Ange lösningens namn när du fyller i något om lösningen.",
    "category": "Välj en kategori i listan.",
    "status": "Välj en status i listan.",
    "participants-organisation": "Välj en organisation i listan eller skriv dess kod, t.ex. 2281.",
    "participants-role": "Välj en roll.",
    "participants-steering_seats": "Ange ett heltal mellan 0 och 100.",
    "budget_by_year-year": "Ange ett år mellan 2000 och 2100, med fyra siffror.",
    "benefit_evidence-baseline": NUMBER_MESSAGE,
    "benefit_evidence-result": NUMBER_MESSAGE,
}
SERVICE_REASONS = {
    "unknown organisation code": "Det finns ingen organisation med den koden i registret.",
    "must not be before start_date": "Slutdatum får inte vara före startdatum.",
}


DUPLICATE_REASONS = {
    "participants": "Organisationen står redan på rad {row}.",
    "budget_by_year": "Året står redan på rad {row}.",
}
# Rules of the API the form checks itself, pointing at the row (`_duplicate_errors`).
CHECKED_BY_THE_FORM = {"each organisation may appear only once among the participants"}

Schema = TypeVar("Schema", bound=BaseModel)
MissingCodes = Callable[[set[str]], set[str]]
"""The codes among those given that name no organisation in the registry."""


class FormInvalid(Exception):
    """Every error the form's input has, by form field, in the form's order."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def empty_values(owner: str | None = None) -> dict[str, str]:
    values = dict.fromkeys(FORM_FIELDS, "")
    values.update(owner=owner or "", status="idea")
    for group in GROUPS:
        values.update(_group_cells(group, []))
    return values


def values_from_form(form: FormData) -> dict[str, str]:
    """The posted fields; cells of rows beyond `MOST_ROWS` are left out and their group is marked,
    for a message."""
    values = {name: str(form.get(name) or "").strip() for name in FORM_FIELDS}
    for group in GROUPS:
        values.update(_posted_cells(form, group))
    return values


def _posted_cells(form: FormData, group: str) -> dict[str, str]:
    cells: dict[str, str] = {}
    last = -1
    for key, value in form.multi_items():
        match = _CELL.match(key)
        text = str(value).strip()
        if match is None or match[1] != group or match[3] not in (*GROUPS[group], REMOVE) or not text:
            continue
        index = int(match[2]) if len(match[2]) <= 6 else MOST_ROWS  # too long to read: beyond the limit
        last = max(last, index)
        if index < MOST_ROWS:
            cells[key] = text
    shown = max(_whole_number(str(form.get(f"{group}-rows") or "")), last + 1 + EMPTY_ROWS)
    if form.get(MORE_ROWS) == group:
        shown += EMPTY_ROWS
    cells[f"{group}-rows"] = str(min(shown, MOST_ROWS))
    if last >= MOST_ROWS:
        cells[group] = "too many rows"
    return cells


def _whole_number(text: str) -> int:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else 0


def shown_rows(values: Mapping[str, str]) -> dict[str, range]:
    """The rows of each group the form shows: the filled ones and some empty ones."""
    return {group: range(min(_whole_number(values.get(f"{group}-rows", "")), MOST_ROWS)) for group in GROUPS}


def filled_rows(values: Mapping[str, str], group: str) -> list[tuple[int, dict[str, str]]]:
    """The group's rows that say something, each with its index on the form; a row marked for removal is none."""
    rows = []
    for index in range(MOST_ROWS):
        row = {column: values.get(f"{group}-{index}-{column}", "") for column in GROUPS[group]}
        if any(row.values()) and not values.get(f"{group}-{index}-{REMOVE}"):
            rows.append((index, row))
    return rows


def field_label(name: str) -> str:
    """A field's name for the error summary; a cell names its group and row: "Nytta, rad 2, resultat"."""
    match = _CELL.match(name)
    if match is None:
        return FORM_LABELS.get(name, name)
    group, index, column = match.groups()
    return f"{FORM_LABELS[group]}, rad {int(index) + 1}, {COLUMN_LABELS[group][column].lower()}"


def displayable(values: dict[str, str]) -> dict[str, str]:
    """The form's values as the page can show them again: without the control characters the
    registry refuses (an HTML page cannot hold them), the field's error says what was removed."""
    return {name: without_control_characters(value) for name, value in values.items()}


def values_from_initiative(initiative: InitiativeRead) -> dict[str, str]:
    """The stored record as the form shows it."""
    solution = initiative.solution.model_dump(mode="json") if initiative.solution else {}
    contact = initiative.contact.model_dump(mode="json") if initiative.contact else {}
    values = {
        "title": initiative.title,
        "summary": initiative.summary or "",
        "description": initiative.description or "",
        "owner": initiative.owner,
        "category": initiative.category,
        "status": initiative.status,
        "status_date": "",
        "tags": ", ".join(initiative.tags),
        "start_date": initiative.start_date.isoformat() if initiative.start_date else "",
        "end_date": initiative.end_date.isoformat() if initiative.end_date else "",
        "digital_share": "" if initiative.digital_share is None else f"{initiative.digital_share * 100:.10g}",
        "has_benefit_realisation_plan": "on" if initiative.has_benefit_realisation_plan else "",
        "strategy_refs": "\n".join(initiative.strategy_refs),
        **{f"solution_{key}": solution.get(key) or "" for key in NESTED["solution"]},
        **{f"contact_{key}": contact.get(key) or "" for key in NESTED["contact"]},
    }
    values.update(
        {name: "" if getattr(initiative, name) is None else str(getattr(initiative, name)) for name in MONEY_FIELDS}
    )
    budget = sorted((initiative.budget_by_year or {}).items())
    values.update(_group_cells("budget_by_year", [{"year": year, "amount": amount} for year, amount in budget]))
    values.update(_group_cells("participants", [p.model_dump(mode="json") for p in initiative.participants]))
    values.update(_group_cells("benefit_evidence", [e.model_dump(mode="json") for e in initiative.benefit_evidence]))
    values.update(_group_cells("links", [link.model_dump(mode="json") for link in initiative.links]))
    return values


def _group_cells(group: str, rows: list[dict[str, Any]]) -> dict[str, str]:
    cells = {
        f"{group}-{index}-{column}": _cell_text(row.get(column))
        for index, row in enumerate(rows)
        for column in GROUPS[group]
    }
    return cells | {f"{group}-rows": str(min(len(rows) + EMPTY_ROWS, MOST_ROWS))}


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # repr reads back as the same float; the decimal comma is Swedish.
        return repr(value).removesuffix(".0").replace(".", ",")
    return str(value)


def read_create(values: dict[str, str], missing_codes: MissingCodes) -> InitiativeCreate:
    """Raises FormInvalid with every error at once."""
    return _validated(InitiativeCreate, values, {*FORM_FIELDS, *GROUPS}, missing_codes)


def read_update(values: dict[str, str], stored: dict[str, str], missing_codes: MissingCodes) -> InitiativeUpdate:
    """Only what the user changed; a new status takes its date from the form. The form shows the
    owner to the admin only: a missing owner is no change."""
    changed = {name for name in TEXT_FIELDS if _normalised(values[name]) != _normalised(stored[name])}
    changed |= {group for group in GROUPS if _group_value(values, group) != _group_value(stored, group)}
    if values["owner"] and values["owner"] != stored["owner"]:
        changed.add("owner")
    if "status" not in changed:
        changed.discard("status_date")
    return _validated(InitiativeUpdate, values, changed, missing_codes)


def _validated(schema: type[Schema], values: dict[str, str], fields: set[str], missing_codes: MissingCodes) -> Schema:
    errors = _cross_field_errors(values, missing_codes)
    try:
        data = schema.model_validate(payload(values, fields))
    except ValidationError as error:
        errors = errors_from_validation(error, values) | errors
    if errors:
        raise FormInvalid(in_form_order(errors))
    return data


def payload(values: dict[str, str], fields: set[str]) -> dict[str, Any]:
    """The API's JSON body for the given form fields; unparseable text is passed on for the schema to reject."""
    body: dict[str, Any] = {}
    for name in fields - {f"{group}_{key}" for group, keys in NESTED.items() for key in keys} - set(GROUPS):
        body[name] = _field_value(name, values[name])
    for group, keys in NESTED.items():
        if any(f"{group}_{key}" in fields for key in keys):
            body[group] = _nested(group, values)
    for group in GROUPS.keys() & fields:
        body[group] = _group_value(values, group)
    return body


def _nested(group: str, values: dict[str, str]) -> dict[str, str | None] | None:
    nested = {key: values[f"{group}_{key}"] or None for key in NESTED[group]}
    if not any(nested.values()):
        return None
    if group == "solution":
        nested["name"] = values["solution_name"]  # required as soon as anything about the solution is given
    return nested


def _group_value(values: Mapping[str, str], group: str) -> Any:
    rows = [row for _index, row in filled_rows(values, group)]
    if group == "budget_by_year":
        # Keyed by the year as typed, as JSON would send it; pydantic reads it as a number.
        return {row["year"]: _money(row["amount"]) for row in rows} or None
    return [{column: _cell_value(column, text) for column, text in row.items()} for row in rows]


def _cell_value(column: str, text: str) -> Any:
    if column == "contribution_sek":
        return _money(text)
    if column == "steering_seats":
        return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else text or None
    if column in ("baseline", "result"):
        return _decimal(text)
    return text or None


def _field_value(name: str, text: str) -> Any:
    if name == "tags":
        return [tag.strip() for tag in text.split(",") if tag.strip()]
    if name == "strategy_refs":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if name == "has_benefit_realisation_plan":
        return bool(text)
    if name in MONEY_FIELDS:
        return _money(text)
    if name == "digital_share":
        return _share(text)
    return text or None


def _normalised(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines())


def _money(text: str) -> int | str | None:
    compact = _MONEY_SUFFIX.sub("", _SPACES.sub("", text))
    if not compact:
        return None
    # Anything else, a number too long to be an amount among it, goes on as text for the schema to refuse.
    return int(compact) if compact.isascii() and compact.isdigit() and len(compact) <= MONEY_DIGITS else text


def _share(text: str) -> float | str | None:
    number = _decimal(text.strip().rstrip("%"))
    return number / 100 if isinstance(number, float) else number


def _decimal(text: str) -> float | str | None:
    """A finite number with a decimal comma or point; anything else (NaN, 10**5000) goes on as text."""
    compact = _SPACES.sub("", text).replace(",", ".")
    if not compact:
        return None
    try:
        number = float(compact)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _cross_field_errors(values: dict[str, str], missing_codes: MissingCodes) -> dict[str, str]:
    """The checks that need more than one field, on whatever of them could be read."""
    errors = _row_limit_errors(values) | _duplicate_errors(values) | _unknown_organisation_errors(values, missing_codes)
    start, end = _day(values["start_date"]), _day(values["end_date"])
    if start and end and end < start:
        errors["end_date"] = SERVICE_REASONS["must not be before start_date"]
    return errors


def _row_limit_errors(values: dict[str, str]) -> dict[str, str]:
    return {
        group: f"Formuläret tar högst {MOST_ROWS} rader här; de som kom efter rad {MOST_ROWS} är inte med."
        for group in GROUPS
        if values.get(group)
    }


def _duplicate_errors(values: dict[str, str]) -> dict[str, str]:
    errors = {}
    for group, reason in DUPLICATE_REASONS.items():
        column = GROUPS[group][0]
        first_rows: dict[str, int] = {}
        for index, row in filled_rows(values, group):
            key = row[column]
            if key and key in first_rows:
                errors[f"{group}-{index}-{column}"] = reason.format(row=first_rows[key] + 1)
            first_rows.setdefault(key, index)
    return errors


def _unknown_organisation_errors(values: dict[str, str], missing_codes: MissingCodes) -> dict[str, str]:
    named = {
        f"participants-{index}-organisation": row["organisation"] for index, row in filled_rows(values, "participants")
    }
    named["owner"] = values["owner"]
    named = {field: code for field, code in named.items() if _CODE.match(code)}
    missing = missing_codes(set(named.values())) if named else set()
    return {field: SERVICE_REASONS["unknown organisation code"] for field, code in named.items() if code in missing}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def in_form_order(errors: dict[str, str]) -> dict[str, str]:
    order = {name: position for position, name in enumerate((GENERAL, *FORM_LABELS))}

    def position(name: str) -> tuple[int, int, int]:
        match = _CELL.match(name)
        if match is None:
            return order.get(name, len(order)), -1, -1
        group, index, column = match.groups()
        return order[group], int(index), GROUPS[group].index(column)

    return dict(sorted(errors.items(), key=lambda item: position(item[0])))


def errors_from_validation(error: ValidationError, values: Mapping[str, str]) -> dict[str, str]:
    """Pydantic's errors as one Swedish message per form field (a group's cells by row)."""
    messages: dict[str, list[str]] = {}
    for item in error.errors():
        if str((item.get("ctx") or {}).get("error")) in CHECKED_BY_THE_FORM:
            continue
        field, position = _form_field(item["loc"], values)
        # An emptied required field arrives as null, which pydantic reports as a wrong type.
        error_type = "missing" if item.get("input") is None else item["type"]
        text = FIELD_MESSAGES.get(_column_of(field)) or _message(error_type, item.get("ctx") or {})
        if position is not None and field not in FIELD_MESSAGES:
            text = f"Värde {position + 1}: {text}"
        messages.setdefault(field, [])
        if text not in messages[field]:
            messages[field].append(text)
    return {field: " ".join(texts) for field, texts in messages.items()}


def errors_from_service(
    parameters: list[InvalidParameter] | None, detail: str | None, values: Mapping[str, str]
) -> dict[str, str]:
    """The service's own checks (unknown organisation, dates in the wrong order) in Swedish."""
    errors = {}
    for parameter in parameters or []:
        location = tuple(int(part) if part.isdigit() else part for part in parameter.property.split("."))
        field, _ = _form_field(location, values)
        errors[field] = SERVICE_REASONS.get(
            parameter.reason, FIELD_MESSAGES.get(_column_of(field), "Värdet är inte giltigt.")
        )
    return errors or {GENERAL: "Uppgifterna kunde inte sparas: " + (detail or "okänt fel.")}


def _form_field(location: tuple, values: Mapping[str, str]) -> tuple[str, int | None]:
    parts = [part for part in location if part not in ("body",)]
    if not parts:
        return GENERAL, None
    head = str(parts[0])
    if head in NESTED and len(parts) > 1:
        return f"{head}_{parts[1]}", None
    if head in GROUPS:
        return _cell(head, parts[1:], values), None
    position = next((part for part in parts[1:] if isinstance(part, int)), None)
    return head, position


def _cell(group: str, parts: list, values: Mapping[str, str]) -> str:
    """The form's cell for a location inside a group: a list's position counts filled rows only,
    the budget's key is the year as typed."""
    rows = filled_rows(values, group)
    if group == "budget_by_year" and parts:
        indexes = [index for index, row in rows if row["year"] == str(parts[0])]
        column = "year" if parts[1:] == ["[key]"] else "amount"
    elif len(parts) > 1 and isinstance(parts[0], int) and parts[0] < len(rows):
        indexes, column = [rows[parts[0]][0]], str(parts[1])
    else:
        indexes, column = [], ""
    return f"{group}-{indexes[-1]}-{column}" if indexes and column in GROUPS[group] else group


def _column_of(field: str) -> str:
    """`participants-3-role` → `participants-role`, the key of the column's message; other fields as they are."""
    match = _CELL.match(field)
    return f"{match[1]}-{match[3]}" if match else field


def _message(error_type: str, context: dict[str, Any]) -> str:
    if error_type == "missing" or (error_type == "string_too_short" and context.get("min_length") == 1):
        return "Fältet måste fyllas i."
    return {
        "string_too_short": f"Skriv minst {context.get('min_length')} tecken.",
        "string_too_long": f"Skriv högst {context.get('max_length')} tecken.",
        "too_long": f"Ange högst {context.get('max_length')} värden.",
        "enum": "Välj ett av alternativen.",
        "string_pattern_mismatch": "Använd bara bokstäver a–z, siffror och bindestreck.",
        "unstorable_value": "Texten innehåller osynliga styrtecken (till exempel från en kopierad text); ta bort dem.",
    }.get(error_type, "Värdet är inte giltigt.")
