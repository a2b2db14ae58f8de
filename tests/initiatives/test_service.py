"""The one write path for sources: partner systems and importers create and update through
`upsert_from_source`, under the same change-detection rule as the API's own writes."""

from app.core.caller import ADMIN, IMPORTER, Caller
from app.core.enums import ActorKind
from app.initiatives import reads as initiative_reads
from app.initiatives import service as initiative_service
from app.initiatives.query import InitiativeQuery
from app.initiatives.schemas import InitiativeCreate, InitiativeUpdate
from tests.factories import initiative_payload


def records(*titles: str, **overrides) -> list[tuple[str, InitiativeCreate]]:
    return [
        (str(n), InitiativeCreate.model_validate(initiative_payload(title=title, **overrides)))
        for n, title in enumerate(titles)
    ]


def outcomes(results) -> list[str]:
    return [result.outcome for result in results]


class TestUpsertFromSource:
    def test_new_records_are_created_searchable_and_then_recognised_unchanged(self, session):
        batch = records("Fallsensorer i boendet", "Chattbot för kommunen")
        created = initiative_service.upsert_from_source(session, "pios", batch, IMPORTER)
        assert outcomes(created) == ["created", "created"]
        found, _ = initiative_reads.list_page(session, InitiativeQuery(q="fallsensor"))
        assert found == [created[0].initiative_id]
        again = initiative_service.upsert_from_source(session, "pios", batch, IMPORTER)
        assert outcomes(again) == ["unchanged", "unchanged"]
        assert [initiative_reads.get(session, r.initiative_id).version for r in again] == [1, 1]

    def test_one_record_the_registry_refuses_is_rejected_alone(self, session):
        batch = [*records("Ett", "Två"), ("9", records("Tre", owner="9999")[0][1])]
        results = initiative_service.upsert_from_source(session, "pios", batch, IMPORTER)
        assert outcomes(results) == ["created", "created", "rejected"]
        assert "9999" in results[2].problem.detail
        listed, _ = initiative_reads.list_page(session, InitiativeQuery())
        assert sorted(read.title for read in initiative_reads.reads(session, listed)) == ["Ett", "Två"]

    def test_a_changed_record_is_updated_but_fields_edited_in_the_registry_stay(self, session):
        [created] = initiative_service.upsert_from_source(session, "pios", records("Ett", budget_sek=100), IMPORTER)
        initiative_service.update(session, created.initiative_id, InitiativeUpdate(title="Vårt namn"), ADMIN, 1)
        changed = records("Källans nya namn", budget_sek=200, summary="Ny sammanfattning")
        [updated] = initiative_service.upsert_from_source(session, "pios", changed, IMPORTER)
        stored = initiative_reads.get(session, created.initiative_id)
        assert updated.outcome == "updated" and stored.version == 3
        assert (stored.title, stored.budget_sek, stored.summary) == ("Vårt namn", 200, "Ny sammanfattning")
        assert stored.registry_edited_fields == ["title"]

    def test_a_withdrawn_record_published_again_is_reinstated(self, session):
        [created] = initiative_service.upsert_from_source(session, "pios", records("Ett"), IMPORTER)
        assert initiative_service.withdraw(session, [created.initiative_id], IMPORTER) == 1
        assert initiative_service.withdraw(session, [created.initiative_id], IMPORTER) == 0
        [again] = initiative_service.upsert_from_source(session, "pios", records("Ett"), IMPORTER)
        assert again.outcome == "updated"
        assert not initiative_reads.get(session, created.initiative_id).is_withdrawn_at_source

    def test_a_key_writes_only_its_own_organisations_records(self, session):
        sundsvall = Caller(ActorKind.organisation, organisation_code="2281")
        results = initiative_service.upsert_from_source(
            session, "stratsys", [*records("Eget"), ("1", records("Annans", owner="1480")[0][1])], sundsvall
        )
        assert outcomes(results) == ["created", "rejected"] and results[1].problem.status == 403
