"""New records of a batch are created together; a record the registry refuses is rejected alone."""

from sqlmodel import select

from app.changes import service as change_service
from app.initiatives.models import Initiative
from app.initiatives.schemas import InitiativeCreate
from importers.pipeline import Candidate, Tally, create_new
from tests.factories import initiative_payload


def candidate(external_id: str, **overrides) -> Candidate:
    data = InitiativeCreate.model_validate(initiative_payload(title=f"Initiativ {external_id}", **overrides))
    return Candidate(location=f"line {external_id}", external_id=external_id, data=data)


class TestCreateNew:
    def test_creates_the_batch_with_one_change_each_in_order(self, session):
        tally = Tally()
        create_new(session, "pios", [candidate("1"), candidate("2"), candidate("3")], tally)
        assert tally.counts.created == 3 and tally.rejections == []
        changes = change_service.list_changes(session, after=0, limit=10)
        assert [c.snapshot["external_id"] for c in changes] == ["1", "2", "3"]

    def test_a_refused_record_is_rejected_and_the_others_created(self, session):
        tally = Tally()
        backwards = candidate("2", start_date="2025-01-01", end_date="2024-01-01")
        create_new(session, "pios", [candidate("1"), backwards, candidate("3")], tally)
        assert tally.counts.created == 2
        assert [(r.location, r.reason) for r in tally.rejections] == [("line 2", "end_date is before start_date.")]
        stored = session.exec(select(Initiative.external_id).where(Initiative.source == "pios")).all()
        assert sorted(stored) == ["1", "3"]
        assert len(change_service.list_changes(session, after=0, limit=10)) == 2
