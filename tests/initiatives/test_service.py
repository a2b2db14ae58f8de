import pytest

from app.auth.caller import IMPORTER
from app.core.problems import ValidationFailed
from app.initiatives import service as initiative_service
from app.initiatives.query import InitiativeQuery
from app.initiatives.schemas import InitiativeCreate
from tests.factories import initiative_payload


def records(*titles: str, **overrides) -> list[tuple[str, InitiativeCreate]]:
    return [
        (str(n), InitiativeCreate.model_validate(initiative_payload(title=title, **overrides)))
        for n, title in enumerate(titles)
    ]


class TestCreateManyFromSource:
    def test_created_records_are_searchable_and_upsert_recognises_them(self, session):
        created = initiative_service.create_many_from_source(
            session, "pios", records("Fallsensorer i boendet", "Chattbot för kommunen"), IMPORTER
        )
        found, _ = initiative_service.list_initiatives(session, InitiativeQuery(q="fallsensor"))
        assert [i.id for i in found] == [created[0]]
        again, was_created = initiative_service.upsert_from_source(
            session, "pios", "1", records("Ett", "Chattbot för kommunen")[1][1], IMPORTER
        )
        assert (again.id, was_created, again.version) == (created[1], False, 1)

    def test_one_unknown_organisation_writes_nothing(self, session):
        bad = records("Ett", "Två") + records("Tre", owner="9999")
        with pytest.raises(ValidationFailed, match="9999"):
            initiative_service.create_many_from_source(session, "pios", bad, IMPORTER)
        assert initiative_service.list_initiatives(session, InitiativeQuery())[0] == []
