"""The strategist's and the analyst's flows end to end in Chromium: sign in to "Vår portfölj",
answer a participation claim, judge a suggested overlap, take after a proven solution, link one's
own initiative as the same work; compare organisations and their KPIs with the county's and the
country's. Every page is screenshotted at both widths and checked by axe-core (`screenshot`)."""

import pytest
from sqlalchemy.engine import Engine

from app.adoptions import service as adoption_service
from app.analytics.overlaps import judgements
from app.auth import service as auth_service
from app.core.caller import ADMIN
from app.core.db import session_scope
from app.initiatives import reads as initiative_reads
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite
from tests.conftest import wait_until_indexed
from tests.factories import make_initiative
from tests.web.browser import BROWSER_MARKS, screenshot, shown

pytestmark = BROWSER_MARKS
NIGHT = "Kameran ersätter nattliga besök hos brukare i hemtjänsten, så att sömnen inte störs."


@pytest.fixture
def strategist(committed: Engine) -> dict:
    """Göteborg (1480) plans what Sundsvall (2281) runs; Stockholm (0180) lists Göteborg as a
    funder of its own initiative; yearly figures for the KPI comparison."""
    with session_scope(committed) as session:
        proven = make_initiative(
            session,
            title="Digital nattillsyn med kamera i hemtjänsten",
            owner="2281",
            status="in_operation",
            category="welfare_technology",
            summary=NIGHT,
            realised_benefit_sek_per_year=1_000_000,
        )
        planned = make_initiative(
            session,
            title="Nattillsyn via kamera hos brukare i hemtjänsten",
            owner="1480",
            status="planned",
            category="welfare_technology",
            summary=NIGHT,
        )
        claimed = make_initiative(
            session,
            title="Gemensam e-arkivtjänst",
            owner="0180",
            category="administration",
            summary="En e-arkivtjänst för kommunernas slutarkiv, upphandlad tillsammans.",
            tags=["e-arkiv"],
            participants=[{"organisation": "1480", "role": "funder", "contribution_sek": 500_000}],
        )
        for code, held, used in (("2281", 10, 5), ("2262", 30, 3), ("1480", 40, 30)):
            figures = FiguresWrite(datasets_held=held, datasets_used=used)
            organisation_service.record_figures(session, code, 2025, figures, ADMIN)
        _key, secret = auth_service.mint(session, "1480")
    wait_until_indexed(committed)
    return {"proven": proven.id, "planned": planned.id, "claimed": claimed.id, "key": secret}


def sign_in(tab, key: str) -> None:
    tab.goto("/logga-in")
    tab.get_by_label("Organisationens nyckel").fill(key)
    tab.get_by_role("button", name="Logga in").click()


class TestStrategist:
    def test_portfolio_answer_a_claim_and_judge_a_suggestion(self, page, strategist, committed):
        sign_in(page, strategist["key"])
        assert page.locator("h1").inner_text() == "Vår portfölj"
        claims = page.locator("section[aria-labelledby=ansprak]")
        assert claims.locator("h3").all_inner_texts() == ["Gemensam e-arkivtjänst"]
        asked = page.locator("section[aria-labelledby=bedoma]")
        assert asked.locator("h3").all_inner_texts() == ["Digital nattillsyn med kamera i hemtjänsten"]
        screenshot(page, "var-portfolj")

        claims.get_by_role("button", name="Bekräfta").click()
        assert page.locator(".flash").inner_text() == "Deltagandet är bekräftat."
        assert "Inga anspråk väntar på ert svar." in claims.inner_text()
        asked.get_by_role("button", name="Samma sak", exact=True).click()
        assert page.locator("h1").inner_text() == "Vår portfölj"
        assert "Er bedömning är sparad: samma sak." in page.locator(".flash").inner_text()
        assert "Inga förslag väntar på er bedömning." in asked.inner_text()
        screenshot(page, "var-portfolj-besvarad")

        with session_scope(committed) as session:
            read = initiative_reads.read(session, strategist["claimed"])
            assert [(p.organisation, p.status) for p in read.participants] == [("1480", "confirmed")]
            [judgement] = judgements.of_pair(session, strategist["planned"], strategist["proven"])
            assert (judgement.judge, judgement.verdict) == ("1480", "same")

    def test_take_after_a_proven_solution_and_link_the_same_work(self, page, strategist, committed):
        sign_in(page, strategist["key"])
        page.goto(f"/initiativ/{strategist['proven']}")
        acts = page.locator("section.acts")
        screenshot(page, "initiativ-inloggad")
        acts.get_by_label("Hur långt har ni kommit?").select_option(label="Testar")
        acts.get_by_label("Sedan (ÅÅÅÅ-MM-DD, valfritt)").fill("2026-10-01")
        acts.get_by_label("Kommentar (valfritt)").first.fill("Start i höst i två hemtjänstområden")
        acts.get_by_role("button", name="Vi vill ta efter detta").click()
        assert page.locator(".flash").inner_text() == "Registrerat: ni tar efter initiativet (testar)."

        acts.get_by_label("Ert initiativ").select_option(label="Nattillsyn via kamera hos brukare i hemtjänsten")
        acts.get_by_role("button", name="Vi gör samma sak").click()
        assert page.locator(".flash").inner_text() == (
            "Sparat: ”Nattillsyn via kamera hos brukare i hemtjänsten” gör samma sak som det här initiativet."
        )
        screenshot(page, "ta-efter")

        with session_scope(committed) as session:
            [adoption] = adoption_service.list_for_initiative(session, strategist["proven"])
            assert (adoption.organisation_code, adoption.status, str(adoption.since_date)) == (
                "1480",
                "piloting",
                "2026-10-01",
            )
            [judgement] = judgements.of_pair(session, strategist["proven"], strategist["planned"])
            assert (judgement.judge, judgement.verdict) == ("1480", "same")


class TestAnalyst:
    def test_compare_organisations_side_by_side(self, page, strategist):
        page.goto("/jamfor?org=2281&org=1480")
        portfolio = page.locator("section[aria-labelledby=portfolj]")
        assert portfolio.locator("thead th[scope=col]").all_inner_texts()[1:] == ["Sundsvall", "Göteborg"]
        kpis = page.locator("section[aria-labelledby=nyckeltal]")
        utilisation = kpis.locator("tr", has_text="Datautnyttjande").locator("td")
        assert [shown(cell) for cell in utilisation.all()] == ["50,0 % (2025)", "75,0 % (2025)"]
        screenshot(page, "jamfor")

    def test_an_organisations_kpis_beside_its_county_and_the_country(self, page, strategist):
        page.goto("/organisation/2281")
        box = page.locator("div.kpi", has=page.locator("h3", has_text="Datautnyttjande"))
        table = box.locator("table.bar-chart")
        assert table.locator("caption").inner_text() == "Datautnyttjande 2025, jämfört med länet och Sverige"
        rows = [[shown(cell) for cell in row.locator("th, td").all()] for row in table.locator("tbody tr").all()]
        # Σ used ÷ Σ held: county 22 is Sundsvall and Timrå (8 of 40), the country all three (68 of 80).
        assert rows == [["Sundsvall", "50,0 %"], ["Region Västernorrland", "20,0 %"], ["Sverige", "47,5 %"]]
        page.locator("#nyckeltal").scroll_into_view_if_needed()
        screenshot(page, "organisation-nyckeltal")
