"""Small typed factories: the least data a valid row needs, overridable per test."""

import itertools
from typing import Any

from sqlmodel import Session

from app.auth import service as auth_service
from app.core.caller import ADMIN
from app.core.enums import ParticipationStatus
from app.initiatives import service as initiative_service
from app.initiatives.models import Initiative
from app.initiatives.schemas import InitiativeCreate

_counter = itertools.count(1)


def initiative_payload(**overrides: Any) -> dict[str, Any]:
    payload = {
        "title": f"Digital nattillsyn i hemtjänsten {next(_counter)}",
        "summary": "Kameror ersätter nattliga tillsynsbesök hos brukare som vill det.",
        "owner": "2281",
        "category": "welfare_technology",
        "status": "pilot",
        "tags": ["nattillsyn", "hemtjänst"],
        "budget_sek": 1_200_000,
    }
    return {**payload, **overrides}


def make_initiative(session: Session, **overrides: Any) -> Initiative:
    return initiative_service.create(session, InitiativeCreate.model_validate(initiative_payload(**overrides)), ADMIN)


def confirm_participation(session: Session, initiative: Initiative, organisation_code: str) -> None:
    """The participating organisation confirms what the owner listed (the admin answering for it)."""
    initiative_service.answer_participation(
        session, initiative.id, organisation_code, ParticipationStatus.confirmed, ADMIN
    )


def make_key(session: Session, organisation_code: str) -> dict[str, str]:
    """Authorization headers carrying a fresh key of the organisation."""
    _key, secret = auth_service.mint(session, organisation_code)
    return {"Authorization": f"Bearer {secret}"}
