"""What a signed-in organisation does about another's initiative, on the web: take after it
("Vi vill ta efter detta": an adoption), say that its own initiative is the same work ("Vi gör
samma sak": a judgement `same` of the pair) and judge the overlaps the registry suggests.

Each is a form on the initiative page answered with the same services, validation and
permissions as the API; the outcome, or what stopped it, comes back as a message on the page.
"""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from app.adoptions import service as adoption_service
from app.adoptions.schemas import AdoptionCreate
from app.analytics.overlaps import judgements
from app.analytics.overlaps.schemas import JudgementWrite
from app.core.db import SessionDep
from app.core.enums import Verdict
from app.core.problems import Conflict, Forbidden, NotFound, ValidationFailed
from app.initiatives import reads as initiative_reads
from app.initiatives.records import InitiativeRow
from app.web import labels
from app.web.templating import Editor, EditorDep, local_path

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
CsrfField = Annotated[str | None, Form()]
FormText = Annotated[str, Form(max_length=2000)]
# What stops an act and is said on the page (pydantic's ValidationError is a ValueError, as is a bad date).
REFUSED = (ValueError, ValidationFailed, Forbidden, Conflict, NotFound)
WITHDRAW = "ta-bort"  # the verdict button that withdraws the organisation's own judgement


@router.post("/initiativ/{initiative_id}/ta-efter")
def take_after(
    initiative_id: uuid.UUID,
    editor: EditorDep,
    session: SessionDep,
    status: FormText = "",
    since_date: FormText = "",
    note: FormText = "",
    csrf: CsrfField = None,
) -> Response:
    """Record that the signed-in organisation adopts the initiative."""
    if not editor.web.is_valid_csrf(csrf):
        return editor.csrf_failed()
    try:
        data = AdoptionCreate.model_validate(
            {
                "organisation": editor.signed_in.organisation_code or "",
                "status": status,
                "since_date": _date(since_date),
                "note": note.strip() or None,
            }
        )
        with session.begin_nested():
            adoption_service.create(session, initiative_id, data, editor.signed_in)
    except REFUSED as refusal:
        return _back(editor, initiative_id, f"Användningen registrerades inte: {_reason(refusal)}")
    label = labels.ADOPTION_LABELS[data.status].lower()
    return _back(editor, initiative_id, f"Registrerat: ni tar efter initiativet ({label}).")


@router.post("/initiativ/{initiative_id}/samma-sak")
def same_work(
    initiative_id: uuid.UUID,
    editor: EditorDep,
    session: SessionDep,
    own_initiative_id: FormText = "",
    note: FormText = "",
    csrf: CsrfField = None,
) -> Response:
    """Say that one of the organisation's own initiatives is the same work as this one."""
    if not editor.web.is_valid_csrf(csrf):
        return editor.csrf_failed()
    own = _own_initiative(session, own_initiative_id, editor)
    if own is None:
        return _back(editor, initiative_id, "Välj ett av er organisations egna initiativ.")
    try:
        with session.begin_nested():
            judgements.judge(
                session,
                own.id,
                initiative_id,
                JudgementWrite(verdict=Verdict.same, note=note.strip() or None),
                editor.signed_in,
            )
    except REFUSED as refusal:
        return _back(editor, initiative_id, f"Kopplingen sparades inte: {_reason(refusal)}")
    return _back(editor, initiative_id, f"Sparat: ”{own.title}” gör samma sak som det här initiativet.")


@router.post("/initiativ/{initiative_id}/overlapp/{other_id}/bedomning")
def judge_overlap(
    initiative_id: uuid.UUID,
    other_id: uuid.UUID,
    editor: EditorDep,
    session: SessionDep,
    verdict: FormText = "",
    csrf: CsrfField = None,
    next: FormText = "",
) -> Response:
    """Judge a suggested overlap: the same work, related, or different; `verdict=ta-bort`
    withdraws the organisation's own judgement. Then back to the initiative, or to `next` (a page
    of this site: "Vår portfölj" sends its own)."""
    if not editor.web.is_valid_csrf(csrf):
        return editor.csrf_failed()
    try:
        with session.begin_nested():
            if verdict == WITHDRAW:
                judgements.withdraw(session, initiative_id, other_id, editor.signed_in)
            else:
                data = JudgementWrite.model_validate({"verdict": verdict})
                judgements.judge(session, initiative_id, other_id, data, editor.signed_in)
    except REFUSED as refusal:
        return _back(editor, initiative_id, f"Bedömningen sparades inte: {_reason(refusal)}", next)
    if verdict == WITHDRAW:
        return _back(editor, initiative_id, "Er bedömning är borttagen.", next)
    saved = f"Er bedömning är sparad: {labels.VERDICT_LABELS[Verdict(verdict)].lower()}."
    return _back(editor, initiative_id, saved, next)


def _own_initiative(session: SessionDep, value: str, editor: Editor) -> InitiativeRow | None:
    try:
        row = initiative_reads.get(session, uuid.UUID(value))
    except ValueError:
        return None
    return row if row is not None and row.owner_code == editor.signed_in.organisation_code else None


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value.strip() else None


def _reason(refusal: Exception) -> str:
    """What stopped an act, in Swedish."""
    if isinstance(refusal, Forbidden):
        return "er organisation får inte göra det här för det här initiativet."
    if isinstance(refusal, Conflict):
        return "det finns redan en sådan uppgift. Ändra den i stället."
    if isinstance(refusal, NotFound):
        return "initiativet finns inte."
    return "kontrollera uppgifterna (status och datum i formen ÅÅÅÅ-MM-DD)."


def _back(editor: Editor, initiative_id: uuid.UUID, message: str, next: str = "") -> Response:
    editor.web.flash(message)
    return editor.redirect(local_path(next) if next else f"/initiativ/{initiative_id}")
