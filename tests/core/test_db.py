"""Writing rows through SQLAlchemy Core, and reading ids as text (`app.core.db`)."""

import uuid

from sqlmodel import Session, col, select

from app.analytics.overlaps.models import OverlapPair
from app.core.db import delete_rows, uuid_text
from app.initiatives.models import InitiativeTag
from tests.factories import make_initiative


def tags_by_initiative(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    found: dict[uuid.UUID, set[str]] = {}
    for tag in session.exec(select(InitiativeTag).where(col(InitiativeTag.initiative_id).in_(ids))):
        found.setdefault(tag.initiative_id, set()).add(tag.tag)
    return found


def test_delete_rows_deletes_the_rows_holding_one_of_the_values_and_no_other(session: Session) -> None:
    kept, dropped, also_dropped = (make_initiative(session, tags=[f"tagg {n}", "delad"]) for n in range(3))
    ids = [kept.id, dropped.id, also_dropped.id]

    delete_rows(session, InitiativeTag, "initiative_id", {dropped.id, also_dropped.id})

    assert tags_by_initiative(session, ids) == {kept.id: {"tagg 0", "delad"}}


def test_delete_rows_with_no_values_deletes_nothing(session: Session) -> None:
    initiative = make_initiative(session, tags=["nattillsyn"])

    delete_rows(session, InitiativeTag, "initiative_id", [])

    assert tags_by_initiative(session, [initiative.id]) == {initiative.id: {"nattillsyn"}}


def test_uuid_text_reads_an_id_as_str_writes_it(session: Session) -> None:
    # The edges of the range, every hex digit in each group, and a random one.
    ids = [uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), uuid.UUID("0123abcd-4567-89ef-fedc-ba9876543210"), uuid.uuid4()]
    session.add_all(OverlapPair(initiative_id=i, other_id=i, score=0.5) for i in ids)
    session.flush()

    statement = select(uuid_text(col(OverlapPair.initiative_id)), uuid_text(col(OverlapPair.other_id)))
    read = session.connection().execute(statement).all()

    assert sorted(read) == sorted((str(i), str(i)) for i in ids)
