"""publiccode.yml (standard 0.4), the description of public-sector software: read into an
initiative's solution, and written for an initiative whose solution is open source."""

from typing import Any

import yaml
from pydantic import ValidationError

from app.core.enums import Category, InitiativeStatus
from app.core.problems import Conflict
from app.initiatives.schemas import InitiativeRead, Solution

VERSION = "0.4"
SHORT_DESCRIPTION = 150  # the standard's limits on a description's lengths
LONG_DESCRIPTION = (150, 10_000)
PREFERRED_LANGUAGES = ("sv", "en")
DEVELOPMENT_STATUS = {
    InitiativeStatus.idea: "concept",
    InitiativeStatus.planned: "concept",
    InitiativeStatus.pilot: "beta",
    InitiativeStatus.implementation: "development",
    InitiativeStatus.in_operation: "stable",
    InitiativeStatus.scaled: "stable",
    InitiativeStatus.discontinued: "obsolete",
}
# From the standard's list of categories; every initiative is also `local-government`.
CATEGORIES = {
    Category.e_service: "digital-citizenship",
    Category.automation: "workflow-management",
    Category.data_and_ai: "data-analytics",
    Category.infrastructure: "it-management",
    Category.education: "educational-content",
    Category.administration: "document-management",
    Category.citizen_dialogue: "online-community",
}


class InvalidPubliccode(ValueError):
    """The file is not a publiccode.yml the registry can read; the message says why."""


def read_solution(text: str, current: Solution) -> Solution:
    """The solution as the publiccode.yml describes it: name, description, addresses, licence,
    maintenance and platforms from the file, the rest (vendor, its own address) kept."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidPubliccode(f"not YAML: {error}") from error
    if not isinstance(document, dict) or "publiccodeYmlVersion" not in document:
        raise InvalidPubliccode("not a publiccode.yml: it has no publiccodeYmlVersion")
    read = {
        "name": document.get("name"),
        "description": _description(document.get("description")),
        "repository_url": document.get("url"),
        "url": document.get("landingURL") or current.url,
        "licence": (document.get("legal") or {}).get("license"),
        "maintenance": (document.get("maintenance") or {}).get("type"),
        "platforms": document.get("platforms") or [],
    }
    try:
        return Solution.model_validate({**current.model_dump(), **read})
    except ValidationError as error:
        fields = ", ".join(str(e["loc"][0]) for e in error.errors())
        raise InvalidPubliccode(f"publiccode.yml fields the registry cannot take: {fields}") from error


def _description(descriptions: Any) -> str | None:
    if not isinstance(descriptions, dict) or not descriptions:
        return None
    language = next((lang for lang in PREFERRED_LANGUAGES if lang in descriptions), next(iter(descriptions)))
    chosen = descriptions[language] or {}
    text = chosen.get("longDescription") or chosen.get("shortDescription")
    return " ".join(str(text).split())[:2000] if text else None


def write(initiative: InitiativeRead) -> str:
    """A publiccode.yml for the initiative's open-source solution; `Conflict` when it has none."""
    solution = initiative.solution
    if solution is None or not solution.is_open_source:
        raise Conflict(
            f"Initiative {initiative.id} names no open-source solution: a solution needs a licence and a "
            "repository_url for a publiccode.yml."
        )
    platforms = solution.platforms or ["web"]
    document: dict[str, Any] = {
        "publiccodeYmlVersion": VERSION,
        "name": solution.name,
        "url": str(solution.repository_url),
        **({"landingURL": str(solution.url)} if solution.url else {}),
        "platforms": platforms,
        "categories": sorted(
            {"local-government", *([CATEGORIES[initiative.category]] if initiative.category in CATEGORIES else [])}
        ),
        "developmentStatus": DEVELOPMENT_STATUS[initiative.status],
        "softwareType": "standalone/web" if "web" in platforms else "standalone/other",
        "description": {"sv": _describe(initiative, solution)},
        "legal": {"license": solution.licence},
        "maintenance": _maintenance(initiative, solution),
        "localisation": {"localisationReady": False, "availableLanguages": ["sv"]},
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def _describe(initiative: InitiativeRead, solution: Solution) -> dict[str, Any]:
    short = " ".join((initiative.summary or initiative.title).split())
    long = " ".join(part for part in (solution.description, initiative.summary, initiative.description) if part)
    origin = (
        f"Lösningen används i initiativet ”{initiative.title}” som {initiative.owner_name} har registrerat i "
        "Registret för offentlig digitalisering."
    )
    long = f"{long} {origin}".strip() if len(long) < LONG_DESCRIPTION[0] else long
    return {
        "shortDescription": short[: SHORT_DESCRIPTION - 1] + "…" if len(short) > SHORT_DESCRIPTION else short,
        "longDescription": long[: LONG_DESCRIPTION[1]],
        "features": initiative.tags or [initiative.title],
    }


def _maintenance(initiative: InitiativeRead, solution: Solution) -> dict[str, Any]:
    kind = solution.maintenance or "internal"  # unknown: the owner runs what it registered
    if kind in ("community", "none"):
        return {"type": kind}
    contact = initiative.contact
    person = {"name": (contact.name if contact and contact.name else initiative.owner_name)}
    if contact and contact.email:
        person["email"] = str(contact.email)
    return {"type": kind, "contacts": [person]}
