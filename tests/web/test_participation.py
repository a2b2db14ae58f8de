"""The initiative page shows claimed participation as such and lets the participant answer; and
it shows what an initiative takes after (instead of a flag saying it duplicates it)."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.adoptions import service as adoption_service
from app.adoptions.schemas import AdoptionCreate
from app.core.caller import ADMIN
from app.initiatives import reads as initiative_reads
from tests.factories import make_initiative
from tests.web.html import check_page, hidden_value

PARTNERS = [{"organisation": "2262", "role": "partner"}, {"organisation": "0180", "role": "funder"}]


def answer_url(initiative, code: str, verb: str) -> str:
    return f"/initiativ/{initiative.id}/deltagare/{code}/{verb}"


def participation(session: Session, initiative, code: str) -> str:
    read = initiative_reads.read(session, initiative.id)
    return next(p.status for p in read.participants if p.organisation == code)


class TestInitiativePage:
    def test_a_reader_sees_the_claims_and_no_buttons(self, client: TestClient, session: Session):
        initiative = make_initiative(session, owner="2281", participants=PARTNERS)
        response = client.get(f"/initiativ/{initiative.id}")
        assert check_page(response).count("anspråk, ej bekräftat") == 2
        assert "/deltagare/" not in response.text

    def test_the_participant_confirms_on_the_page(self, client: TestClient, session: Session, signed_in):
        initiative = make_initiative(session, owner="2281", participants=PARTNERS)
        signed_in("2262")
        page = client.get(f"/initiativ/{initiative.id}")
        assert answer_url(initiative, "2262", "bekrafta") in page.text
        assert answer_url(initiative, "0180", "bekrafta") not in page.text  # only its own participation
        response = client.post(
            answer_url(initiative, "2262", "bekrafta"), data={"csrf": hidden_value(page.text, "csrf")}
        )
        assert "Deltagandet är bekräftat." in check_page(response)
        assert participation(session, initiative, "2262") == "confirmed"
        assert participation(session, initiative, "0180") == "claimed"

    def test_the_participant_declines_on_the_page(self, client: TestClient, session: Session, signed_in):
        initiative = make_initiative(session, owner="2281", participants=PARTNERS)
        signed_in("0180")
        page = client.get(f"/initiativ/{initiative.id}")
        response = client.post(answer_url(initiative, "0180", "avboja"), data={"csrf": hidden_value(page.text, "csrf")})
        assert "Deltagandet är avböjt." in check_page(response)
        assert participation(session, initiative, "0180") == "declined"

    def test_another_organisation_is_refused_in_swedish(self, client: TestClient, session: Session, signed_in):
        initiative = make_initiative(session, owner="2281", participants=PARTNERS)
        signed_in("2281")
        page = client.get(f"/initiativ/{initiative.id}")
        response = client.post(
            answer_url(initiative, "2262", "bekrafta"), data={"csrf": hidden_value(page.text, "csrf")}
        )
        assert response.status_code == 403
        assert "Bara organisationen 2262 själv" in check_page(response)
        assert participation(session, initiative, "2262") == "claimed"

    def test_a_form_without_its_token_changes_nothing(self, client: TestClient, session: Session, signed_in):
        initiative = make_initiative(session, owner="2281", participants=PARTNERS)
        signed_in("2262")
        response = client.post(answer_url(initiative, "2262", "bekrafta"), data={"csrf": "fel"})
        assert response.status_code == 403 and "Formuläret har gått ut" in check_page(response)
        assert participation(session, initiative, "2262") == "claimed"


class TestOrganisationPage:
    def test_a_claimed_participation_is_marked(self, client: TestClient, session: Session):
        make_initiative(session, title="Påstått samarbete", owner="2281", participants=PARTNERS)
        text = check_page(client.get("/organisation/2262"))
        assert "Påstått samarbete (ägs av Sundsvall; deltagandet är ett anspråk, ej bekräftat)" in text


class TestTakesAfter:
    def test_a_pilot_recorded_as_adopting_the_proven_one_links_to_it(self, client: TestClient, session: Session):
        original = make_initiative(
            session,
            title="Nattillsyn i drift",
            owner="0180",
            status="in_operation",
            realised_benefit_sek_per_year=10**6,
        )
        pilot = make_initiative(session, title="Vår nattillsyn", owner="2281", status="pilot")
        adoption = AdoptionCreate(organisation="2281", status="piloting", own_initiative_id=pilot.id)
        adoption_service.create(session, original.id, adoption, ADMIN)
        text = check_page(client.get(f"/initiativ/{pilot.id}"))
        assert "Sundsvall har registrerat att det här initiativet tar efter: Nattillsyn i drift (testar)" in text
        assert f'href="/initiativ/{original.id}"' in client.get(f"/initiativ/{pilot.id}").text
