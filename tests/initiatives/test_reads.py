"""The read module other domains use: typed rows, facet counts, and what the analytics read."""

from sqlalchemy import delete, update

from app.core.caller import ADMIN
from app.initiatives import derived, documents, export
from app.initiatives import reads as initiative_reads
from app.initiatives import service as initiative_service
from app.initiatives.models import Initiative, InitiativeDocument
from app.initiatives.query import InitiativeQuery
from app.initiatives.records import InitiativeRow
from app.initiatives.schemas import InitiativeRead
from app.organisations.models import Organisation
from tests.factories import make_initiative


def test_the_row_type_has_every_column_of_the_table_in_order():
    assert InitiativeRow._fields == tuple(column.name for column in Initiative.__table__.columns)


class TestFacets:
    def test_each_facet_ignores_its_own_filter_but_applies_the_others(self, session):
        make_initiative(session, owner="2281", category="health", status="pilot")
        make_initiative(session, owner="2281", category="automation", status="pilot")
        make_initiative(session, owner="1480", category="health", status="idea")
        facets = initiative_reads.facet_counts(session, InitiativeQuery(category=["health"], county="22"))
        assert facets.total == 1
        assert facets.category == {"health": 1, "automation": 1}
        assert facets.county == {"22": 1, "14": 1}
        assert facets.status == {"pilot": 1}
        assert facets.organisation == [("2281", "Sundsvall", 1)]
        assert facets.flag["no_solution"] == 1 and facets.flag["pilot_of_proven"] == 0

    def test_archived_initiatives_are_not_counted(self, session):
        initiative_service.archive(session, make_initiative(session, category="education").id, None, ADMIN)
        assert initiative_reads.facet_counts(session, InitiativeQuery(category=["education"])).total == 0


class TestRecords:
    def test_every_matching_initiative_across_batches(self, session, monkeypatch):
        monkeypatch.setattr(export, "BATCH_SIZE", 2)
        for n in range(5):
            make_initiative(session, title=f"Batchprov {n}", category="citizen_dialogue")
        make_initiative(session, title="Utanför", category="education")
        query = InitiativeQuery(category=["citizen_dialogue"], sort="title")
        titles = [record["title"] for record in export.matching_records(session, query)]
        assert titles == [f"Batchprov {n}" for n in range(5)]


class TestDocuments:
    def test_derived_fields_are_the_last_fields_of_the_read(self):
        # representation_json appends them to the stored document, which ends where they begin.
        read_fields = list(InitiativeRead.model_fields)
        assert read_fields[-len(derived.fields()) :] == sorted(derived.fields(), key=read_fields.index)

    def test_a_missing_document_is_written_as_a_write_would_have(self, session):
        row = make_initiative(session, participants=[{"organisation": "22", "role": "partner"}])
        written = documents.current(session, [row.id])[row.id]
        session.execute(delete(InitiativeDocument))
        assert documents.write_missing(session) == 1
        assert documents.current(session, [row.id])[row.id] == written

    def test_a_renamed_owner_is_shown_after_its_documents_are_rewritten(self, session):
        row = make_initiative(session, owner="2281")
        session.execute(update(Organisation).where(Organisation.code == "2281").values(name="Sundsvalls kommun"))
        assert initiative_reads.read(session, row.id).owner_name == "Sundsvall"
        assert documents.rewrite_owned_by(session, ["2281"]) == 1
        assert initiative_reads.read(session, row.id).owner_name == "Sundsvalls kommun"
