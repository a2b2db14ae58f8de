"""What a signed-in organisation does about others' initiatives on the web: take after one, link its
own as the same work, and judge suggested overlaps (app/web/acts.py)."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.adoptions import service as adoption_service
from app.analytics.overlaps import judgements
from app.core.caller import ADMIN
from app.initiatives import reads as initiative_reads
from app.initiatives import service as initiative_service
from tests.factories import make_initiative
from tests.web.html import check_page, hidden_value, parse, text

NIGHT = "Kameran ersätter nattliga besök hos brukare i hemtjänsten, så att sömnen inte störs."


@pytest.fixture
def night(session: Session) -> dict:
    """Night supervision by camera, proven in Sundsvall (2281) and planned in Göteborg (1480);
    Stockholm (0180) has an initiative of its own about something else."""
    return {
        "proven": make_initiative(
            session,
            title="Digital nattillsyn med kamera i hemtjänsten",
            owner="2281",
            status="in_operation",
            category="welfare_technology",
            summary=NIGHT,
            realised_benefit_sek_per_year=1_000_000,
        ),
        "planned": make_initiative(
            session,
            title="Nattillsyn via kamera hos brukare i hemtjänsten",
            owner="1480",
            status="planned",
            category="welfare_technology",
            summary=NIGHT,
        ),
        "stockholm": make_initiative(
            session,
            title="Digitalt bygglov",
            owner="0180",
            category="administration",
            tags=["bygglov"],
            summary="Ansökan om bygglov görs i en e-tjänst och handläggningen av ärendet automatiseras.",
            description="Sökande följer sitt ärende och kompletterar ritningar direkt i e-tjänsten.",
        ),
    }


def post(client: TestClient, page_path: str, action: str, **data: str):
    """Post a form of the page as the browser would, with the page's CSRF token."""
    csrf = hidden_value(client.get(page_path).text, "csrf")
    return client.post(action, data={"csrf": csrf, **data})


def section(client: TestClient, path: str, labelled_by: str):
    response = client.get(path)
    check_page(response)
    return parse(response.text).find(f".//section[@aria-labelledby='{labelled_by}']")


class TestTakeAfter:
    def test_records_the_adoption_and_says_so(self, signed_in: Callable[[str], TestClient], session, night):
        client = signed_in("1480")
        proven = f"/initiativ/{night['proven'].id}"
        response = post(
            client, proven, f"{proven}/ta-efter", status="piloting", since_date="2026-10-01", note="Start i höst"
        )
        assert "Registrerat: ni tar efter initiativet (testar)." in response.text
        [adoption] = adoption_service.list_for_initiative(session, night["proven"].id)
        assert (adoption.organisation_code, adoption.status, str(adoption.since_date), adoption.note) == (
            "1480",
            "piloting",
            "2026-10-01",
            "Start i höst",
        )

    def test_a_bad_date_records_nothing_and_says_what_to_fix(self, signed_in, session, night):
        client = signed_in("1480")
        proven = f"/initiativ/{night['proven'].id}"
        response = post(client, proven, f"{proven}/ta-efter", status="piloting", since_date="1 oktober")
        assert "Användningen registrerades inte: kontrollera uppgifterna" in response.text
        assert adoption_service.list_for_initiative(session, night["proven"].id) == []

    def test_twice_is_refused_with_a_message(self, signed_in, session, night):
        client = signed_in("1480")
        proven = f"/initiativ/{night['proven'].id}"
        post(client, proven, f"{proven}/ta-efter", status="considering")
        response = post(client, proven, f"{proven}/ta-efter", status="piloting")
        assert "det finns redan en sådan uppgift" in response.text
        [adoption] = adoption_service.list_for_initiative(session, night["proven"].id)
        assert adoption.status == "considering"

    def test_without_the_form_token_nothing_is_recorded(self, signed_in, session, night):
        client = signed_in("1480")
        response = client.post(f"/initiativ/{night['proven'].id}/ta-efter", data={"status": "piloting"})
        assert response.status_code == 403 and "Formuläret har gått ut" in response.text
        assert adoption_service.list_for_initiative(session, night["proven"].id) == []

    def test_the_owner_is_not_offered_it_and_a_visitor_is_sent_to_sign_in(self, client, signed_in, night):
        proven = f"/initiativ/{night['proven'].id}"
        anonymous = client.post(f"{proven}/ta-efter", data={"status": "piloting"}, follow_redirects=False)
        assert "logga-in" in (anonymous.headers.get("location", "") + anonymous.text)
        owner = signed_in("2281")
        assert section(owner, proven, "ta-efter") is None
        assert "Vi vill ta efter detta" not in owner.get(proven).text


class TestSameWork:
    def test_links_an_own_initiative_as_the_same_work(self, signed_in, session, night):
        client = signed_in("1480")
        proven = f"/initiativ/{night['proven'].id}"
        offered = section(client, proven, "ta-efter")
        assert night["planned"].title in text(offered)
        response = post(client, proven, f"{proven}/samma-sak", own_initiative_id=str(night["planned"].id))
        assert f"Sparat: ”{night['planned'].title}” gör samma sak som det här initiativet." in response.text
        [judgement] = judgements.of_pair(session, night["proven"].id, night["planned"].id)
        assert (judgement.judge, judgement.verdict) == ("1480", "same")

    def test_another_organisations_initiative_cannot_be_linked(self, signed_in, session, night):
        client = signed_in("1480")
        proven = f"/initiativ/{night['proven'].id}"
        response = post(client, proven, f"{proven}/samma-sak", own_initiative_id=str(night["stockholm"].id))
        assert "Välj ett av er organisations egna initiativ." in response.text
        assert judgements.of_pair(session, night["proven"].id, night["stockholm"].id) == []


class TestJudgeOverlaps:
    def test_an_owner_judges_and_withdraws(self, signed_in, session, night):
        client = signed_in("1480")
        planned = f"/initiativ/{night['planned'].id}"
        judge = f"{planned}/overlapp/{night['proven'].id}/bedomning"
        overlaps = section(client, planned, "samma-sak")
        assert judge in {form.get("action") for form in overlaps.iter("form")}
        response = post(client, planned, judge, verdict="related")
        assert "Er bedömning är sparad: närliggande, inte samma sak." in response.text
        assert [j.verdict for j in judgements.of_pair(session, night["planned"].id, night["proven"].id)] == ["related"]
        assert "Ta bort vår bedömning" in response.text
        response = post(client, planned, judge, verdict="ta-bort")
        assert "Er bedömning är borttagen." in response.text
        assert judgements.of_pair(session, night["planned"].id, night["proven"].id) == []

    def test_an_organisation_with_no_part_in_either_gets_no_buttons_and_is_refused(self, signed_in, session, night):
        client = signed_in("0180")
        planned = f"/initiativ/{night['planned'].id}"
        judge = f"{planned}/overlapp/{night['proven'].id}/bedomning"
        overlaps = section(client, planned, "samma-sak")
        assert night["proven"].title in text(overlaps)
        assert judge not in {form.get("action") for form in overlaps.iter("form")}
        response = post(client, planned, judge, verdict="same")
        assert "Bedömningen sparades inte: er organisation får inte göra det här" in response.text
        assert judgements.of_pair(session, night["planned"].id, night["proven"].id) == []

    def test_an_unknown_verdict_is_refused(self, signed_in, session, night):
        client = signed_in("1480")
        planned = f"/initiativ/{night['planned'].id}"
        response = post(client, planned, f"{planned}/overlapp/{night['proven'].id}/bedomning", verdict="kanske")
        assert "Bedömningen sparades inte" in response.text
        assert judgements.of_pair(session, night["planned"].id, night["proven"].id) == []


class TestOurPortfolio:
    def test_signing_in_lands_on_the_portfolio(self, client: TestClient, session, night):
        from app.auth import service as auth_service

        _key, secret = auth_service.mint(session, "1480")
        form = client.get("/logga-in")
        response = client.post(
            "/logga-in",
            data={"key": secret, "csrf": hidden_value(form.text, "csrf"), "next": hidden_value(form.text, "next")},
        )
        assert response.url.path == "/var-portfolj"
        assert "Vår portfölj" in check_page(response)

    def test_lists_own_initiatives_overlaps_to_judge_and_what_to_take_after(self, signed_in, session, night):
        client = signed_in("1480")
        own = section(client, "/var-portfolj", "egna")
        assert night["planned"].title in text(own) and night["proven"].title not in text(own)
        asked = section(client, "/var-portfolj", "bedoma")
        judge = f"/initiativ/{night['planned'].id}/overlapp/{night['proven'].id}/bedomning"
        assert judge in {form.get("action") for form in asked.iter("form")}
        take_after = text(section(client, "/var-portfolj", "ta-efter-andra"))
        assert night["proven"].title in take_after and "Ni har ett eget initiativ om samma sak" in take_after

    def test_a_judged_suggestion_is_no_longer_asked(self, signed_in, session, night):
        client = signed_in("1480")
        judge = f"/initiativ/{night['planned'].id}/overlapp/{night['proven'].id}/bedomning"
        assert hidden_value(client.get("/var-portfolj").text, "next") == "/var-portfolj"
        response = post(client, "/var-portfolj", judge, verdict="same", next="/var-portfolj")
        assert response.url.path == "/var-portfolj"
        assert "Er bedömning är sparad: samma sak." in response.text
        asked = section(client, "/var-portfolj", "bedoma")
        assert judge not in {form.get("action") for form in asked.iter("form")}
        assert "Inga förslag väntar på er bedömning." in text(asked)

    def test_claims_wait_for_an_answer_and_leave_once_answered(self, signed_in, session, night):
        partners = [{"organisation": "1480", "role": "funder", "contribution_sek": 500_000}]
        claimed = make_initiative(session, title="Gemensam e-arkivtjänst", owner="0180", participants=partners)
        archived = make_initiative(session, title="Arkiverat anspråk", owner="0180", participants=partners)
        initiative_service.archive(session, archived.id, "Fel registrerat", ADMIN)
        client = signed_in("1480")
        claims = section(client, "/var-portfolj", "ansprak")
        assert [text(h3) for h3 in claims.iter("h3")] == ["Gemensam e-arkivtjänst"]
        assert "som finansiär, bidrag 500 000 kr" in text(claims).replace("\u00a0", " ")
        confirm = f"/initiativ/{claimed.id}/deltagare/1480/bekrafta"
        assert confirm in {form.get("action") for form in claims.iter("form")}
        response = post(client, "/var-portfolj", confirm, next="/var-portfolj")
        assert response.url.path == "/var-portfolj"
        assert "Inga anspråk väntar på ert svar." in text(section(client, "/var-portfolj", "ansprak"))
        read = initiative_reads.read(session, claimed.id)
        assert [(p.organisation, p.status) for p in read.participants] == [("1480", "confirmed")]

    def test_an_answer_never_sends_the_browser_to_another_site(self, signed_in, session, night):
        partners = [{"organisation": "1480", "role": "partner"}]
        claimed = make_initiative(session, owner="0180", participants=partners)
        client = signed_in("1480")
        response = post(
            client, "/var-portfolj", f"/initiativ/{claimed.id}/deltagare/1480/avboja", next="//evil.example"
        )
        assert response.url.path == "/"
