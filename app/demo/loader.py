"""The demo portfolio: Swedish example initiatives, adoptions and yearly figures for an empty registry.

`portfolio.json` names each initiative by a short `key` so that adoptions can refer to it.
The key is the loader's own: it is stripped before the entry is validated as an `InitiativeCreate`.
Everything goes through the services, as the API would; the services flush and the caller commits.
Every row the loader writes is marked as demo data (`is_demo`): the web says so on every page
while any is present, and `remove_demo` deletes exactly those rows.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.adoptions import service as adoption_service
from app.adoptions.schemas import AdoptionCreate
from app.analytics.indexer import forget
from app.auth import service as auth_service
from app.changes import service as change_service
from app.core.caller import ADMIN, SYSTEM
from app.core.enums import ParticipationStatus
from app.initiatives import reads as initiative_reads
from app.initiatives import service as initiative_service
from app.initiatives.records import InitiativeRow
from app.initiatives.schemas import InitiativeCreate
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite

PORTFOLIO = Path(__file__).resolve().parent / "portfolio.json"
DEMO_ORGANISATION = "2281"  # Sundsvall: owns initiatives, adopts others' and reports figures in the demo
DEMO_KEY_LABEL = "demo sign-in (registry serve --demo)"

Entry = dict[str, Any]


def load_demo(session: Session) -> int:
    """Load the portfolio into an empty registry and return how many initiatives it created:
    0 when the registry already holds an initiative, so demo rows never mix with real ones."""
    if initiative_reads.exists_any(session):
        return 0
    portfolio = read_portfolio()
    initiatives = _create_initiatives(session, portfolio["initiatives"])
    _create_adoptions(session, portfolio["adoptions"], initiatives)
    _record_figures(session, portfolio["figures"])
    initiative_service.mark_demo(session, [row.id for row in initiatives.values()])
    return len(initiatives)


@dataclass(frozen=True)
class Removed:
    initiatives: int
    adoptions: int
    figures: int
    changes: int


def remove_demo(session: Session) -> Removed:
    """Delete every demo row and what hangs on it: adoptions, judgements, the indexer's tables and
    documents. The registry's only hard delete; real rows stay. The change log is append-only, so
    it keeps the demo's entries and gains a `delete` entry for each demo initiative."""
    ids = initiative_reads.demo_ids(session)
    adoptions = adoption_service.delete_demo(session, ids)
    forget.forget(session, ids)
    changes = change_service.record_deleted_initiatives(session, ids, SYSTEM)
    initiatives = initiative_service.delete_demo(session, ids)
    figures = organisation_service.delete_demo_figures(session)
    _revoke_demo_keys(session)
    return Removed(initiatives=initiatives, adoptions=adoptions, figures=figures, changes=changes)


def demo_sign_in_key(session: Session) -> tuple[str, str]:
    """A fresh key for the demo organisation, for trying the web's forms locally: its name and the
    secret. The key the previous run printed is revoked, so only one is ever valid."""
    _revoke_demo_keys(session)
    _key, secret = auth_service.mint(session, DEMO_ORGANISATION, DEMO_KEY_LABEL)
    organisation = organisation_service.get(session, DEMO_ORGANISATION)
    return (organisation.name if organisation else DEMO_ORGANISATION), secret


def _revoke_demo_keys(session: Session) -> None:
    for key in auth_service.list_keys(session, DEMO_ORGANISATION):
        if key.label == DEMO_KEY_LABEL:
            auth_service.revoke(key)
    session.flush()


def read_portfolio() -> dict[str, list[Entry]]:
    return json.loads(PORTFOLIO.read_text(encoding="utf-8"))


def _create_initiatives(session: Session, entries: list[Entry]) -> dict[str, InitiativeRow]:
    """Create every initiative, and confirm the participations marked `"answer": "confirmed"`
    (the others stay claims, as the owner listed them); returns them by key."""
    created: dict[str, InitiativeRow] = {}
    for entry in entries:
        participants = entry.get("participants", [])
        fields = {name: value for name, value in entry.items() if name not in ("key", "participants")}
        fields["participants"] = [{k: v for k, v in p.items() if k != "answer"} for p in participants]
        row = initiative_service.create(session, InitiativeCreate.model_validate(fields), ADMIN)
        for participant in participants:
            if participant.get("answer") == ParticipationStatus.confirmed:
                row = initiative_service.answer_participation(
                    session, row.id, participant["organisation"], ParticipationStatus.confirmed, ADMIN
                )
        created[entry["key"]] = row
    return created


def _create_adoptions(session: Session, entries: list[Entry], initiatives: dict[str, InitiativeRow]) -> None:
    created = []
    for entry in entries:
        own_key = entry.get("own_initiative")
        data = AdoptionCreate.model_validate(
            {
                "organisation": entry["organisation"],
                "status": entry["status"],
                "since_date": entry.get("since_date"),
                "own_initiative_id": initiatives[own_key].id if own_key else None,
                "note": entry.get("note"),
            }
        )
        created.append(adoption_service.create(session, initiatives[entry["initiative"]].id, data, ADMIN).id)
    adoption_service.mark_demo(session, created)


def _record_figures(session: Session, entries: list[Entry]) -> None:
    for entry in entries:
        fields = {name: value for name, value in entry.items() if name not in ("organisation", "year")}
        organisation_service.record_figures(
            session, entry["organisation"], entry["year"], FiguresWrite.model_validate(fields), ADMIN
        )
    organisation_service.mark_demo_figures(session, [(entry["organisation"], entry["year"]) for entry in entries])
