"""The initiative form: its fields as strings, read into the API's own schemas, errors in Swedish.

The form posts flat strings; `payload` turns them into the JSON the API would receive and
`InitiativeCreate`/`InitiativeUpdate` validate it, so the web accepts exactly what the API
accepts. An edit sends only the fields whose text differs from the stored record's, so
values the form cannot show exactly (long decimals, normalised URLs) are never rewritten.
"""

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

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
GENERAL = "_form"
FORM_LABELS = {
    "title": "Titel",
    "summary": "Sammanfattning",
    "description": "Beskrivning",
    "owner": "Ägare",
    "category": "Kategori",
    "status": "Status",
    "status_date": "Datum då statusen ändrades",
    "tags": "Nyckelord",
    "start_date": "Startdatum",
    "end_date": "Slutdatum",
    "budget_sek": "Budget",
    "digital_share": "Digital andel av budgeten",
    "expected_benefit_sek_per_year": "Förväntad nytta per år",
    "realised_benefit_sek_per_year": "Realiserad nytta per år",
    "has_benefit_realisation_plan": "Plan för nyttorealisering",
    "strategy_refs": "Strategier och styrdokument",
    "solution_name": "Lösningens namn",
    "solution_vendor": "Leverantör",
    "solution_url": "Lösningens webbplats",
    "solution_repository_url": "Lösningens källkod",
    "contact_name": "Kontaktens namn",
    "contact_email": "Kontaktens e-post",
    "contact_phone": "Kontaktens telefon",
}

MONEY_DIGITS = 15  # more than any amount the schema accepts (Money: at most 10**13)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_MONEY_SUFFIX = re.compile(r"(kr|sek|kronor)\.?$", re.IGNORECASE)

FIELD_MESSAGES = {
    **dict.fromkeys(MONEY_FIELDS, "Ange ett belopp i hela kronor, 0 eller mer, t.ex. 1 200 000."),
    "digital_share": "Ange en andel mellan 0 och 100 %.",
    "start_date": "Ange ett datum som ÅÅÅÅ-MM-DD.",
    "end_date": "Ange ett datum som ÅÅÅÅ-MM-DD.",
    "status_date": "Ange ett datum som ÅÅÅÅ-MM-DD.",
    "solution_url": "Ange en fullständig webbadress som börjar med https://.",
    "solution_repository_url": "Ange en fullständig webbadress som börjar med https://.",
    "contact_email": "Ange en giltig e-postadress, t.ex. namn@kommun.se.",
    "owner": "Ange en organisationskod, t.ex. 2281 för Sundsvalls kommun.",
    "solution_name": "Ange lösningens namn när du fyller i något om lösningen.",
    "category": "Välj en kategori i listan.",
    "status": "Välj en status i listan.",
}
SERVICE_REASONS = {
    "unknown organisation code": "Det finns ingen organisation med den koden i registret.",
    "must not be before start_date": "Slutdatum får inte vara före startdatum.",
}


def empty_values(owner: str | None = None) -> dict[str, str]:
    values = dict.fromkeys(FORM_FIELDS, "")
    values.update(owner=owner or "", status="idea")
    return values


def values_from_form(form: Mapping[str, Any]) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in FORM_FIELDS}


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
    return values


def read_create(values: dict[str, str]) -> InitiativeCreate:
    """Raises pydantic's ValidationError, as the API's body validation would."""
    return InitiativeCreate.model_validate(payload(values, set(FORM_FIELDS)))


def read_update(values: dict[str, str], stored: dict[str, str]) -> InitiativeUpdate:
    """Only what the user changed; a new status takes its date from the form. The form shows the
    owner to the admin only: a missing owner is no change."""
    changed = {name for name in TEXT_FIELDS if _normalised(values[name]) != _normalised(stored[name])}
    if values["owner"] and values["owner"] != stored["owner"]:
        changed.add("owner")
    if "status" not in changed:
        changed.discard("status_date")
    return InitiativeUpdate.model_validate(payload(values, changed))


def payload(values: dict[str, str], fields: set[str]) -> dict[str, Any]:
    """The API's JSON body for the given form fields; unparseable text is passed on for the schema to reject."""
    body: dict[str, Any] = {}
    for name in fields - {f"{group}_{key}" for group, keys in NESTED.items() for key in keys}:
        body[name] = _field_value(name, values[name])
    for group, keys in NESTED.items():
        if any(f"{group}_{key}" in fields for key in keys):
            body[group] = _nested(group, values)
    return body


def _nested(group: str, values: dict[str, str]) -> dict[str, str | None] | None:
    nested = {key: values[f"{group}_{key}"] or None for key in NESTED[group]}
    if not any(nested.values()):
        return None
    if group == "solution":
        nested["name"] = values["solution_name"]  # required as soon as anything about the solution is given
    return nested


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
    compact = _SPACES.sub("", text).rstrip("%").replace(",", ".")
    if not compact:
        return None
    try:
        return float(compact) / 100
    except ValueError:
        return text


def errors_from_validation(error: ValidationError) -> dict[str, str]:
    """Pydantic's errors as one Swedish message per form field."""
    messages: dict[str, list[str]] = {}
    for item in error.errors():
        field, position = _form_field(item["loc"])
        # An emptied required field arrives as null, which pydantic reports as a wrong type.
        error_type = "missing" if item.get("input") is None else item["type"]
        text = FIELD_MESSAGES.get(field) or _message(error_type, item.get("ctx") or {})
        if position is not None and field not in FIELD_MESSAGES:
            text = f"Värde {position + 1}: {text}"
        messages.setdefault(field, [])
        if text not in messages[field]:
            messages[field].append(text)
    return {field: " ".join(texts) for field, texts in messages.items()}


def errors_from_service(parameters: list[InvalidParameter] | None, detail: str | None) -> dict[str, str]:
    """The service's own checks (unknown organisation, dates in the wrong order) in Swedish."""
    errors = {}
    for parameter in parameters or []:
        field, _ = _form_field(tuple(parameter.property.split(".")))
        errors[field] = SERVICE_REASONS.get(parameter.reason, FIELD_MESSAGES.get(field, "Värdet är inte giltigt."))
    return errors or {GENERAL: "Uppgifterna kunde inte sparas: " + (detail or "okänt fel.")}


def _form_field(location: tuple) -> tuple[str, int | None]:
    parts = [part for part in location if part not in ("body",)]
    if not parts:
        return GENERAL, None
    head = str(parts[0])
    if head in NESTED and len(parts) > 1:
        return f"{head}_{parts[1]}", None
    position = next((part for part in parts[1:] if isinstance(part, int)), None)
    return head, position


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
