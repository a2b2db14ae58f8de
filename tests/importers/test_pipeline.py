"""A batch goes through the registry's one write path: new records are created together, each
counted; a record the registry refuses is rejected alone with its location."""

from app.changes import service as change_service
from app.initiatives import reads as initiative_reads
from app.initiatives.schemas import InitiativeCreate
from importers.pipeline import Candidate, Tally, upsert_batch
from tests.factories import initiative_payload


def candidate(external_id: str, **overrides) -> Candidate:
    data = InitiativeCreate.model_validate(initiative_payload(title=f"Initiativ {external_id}", **overrides))
    return Candidate(location=f"line {external_id}", external_id=external_id, data=data)


class TestUpsertBatch:
    def test_creates_the_batch_with_one_change_each_in_order(self, session):
        tally = Tally()
        upsert_batch(session, "pios", [candidate("1"), candidate("2"), candidate("3")], tally)
        assert tally.counts.created == 3 and tally.rejections == []
        changes = change_service.list_changes(session, after=0, limit=10)
        assert [c.snapshot["external_id"] for c in changes] == ["1", "2", "3"]

    def test_a_refused_record_is_rejected_and_the_others_created(self, session):
        tally = Tally()
        backwards = candidate("2", start_date="2025-01-01", end_date="2024-01-01")
        upsert_batch(session, "pios", [candidate("1"), backwards, candidate("3")], tally)
        assert tally.counts.created == 2
        assert [(r.location, r.reason) for r in tally.rejections] == [("line 2", "end_date is before start_date.")]
        assert sorted(initiative_reads.published_by(session, "pios")) == ["1", "3"]
        assert len(change_service.list_changes(session, after=0, limit=10)) == 2

    def test_a_second_run_counts_unchanged_and_updated(self, session):
        upsert_batch(session, "pios", [candidate("1"), candidate("2")], Tally())
        tally = Tally()
        upsert_batch(session, "pios", [candidate("1"), candidate("2", budget_sek=5)], tally)
        assert (tally.counts.created, tally.counts.unchanged, tally.counts.updated) == (0, 1, 1)
