"""The pages' analytics sections: overlaps, flags, duplication clusters, scaling candidates and KPIs."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.caller import ADMIN
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite
from tests.factories import make_initiative
from tests.web.html import check_page, column_charts, parse, table_rows, text

FALL_TEXT = (
    "Sensorer i golv och säng larmar personalen innan en brukare faller, så att fallolyckor i särskilt boende minskar."
)


@pytest.fixture
def fall_prevention(session: Session) -> dict:
    """A proven fall-prevention solution in Sundsvall and a new pilot of the same thing in Göteborg."""
    proven = make_initiative(
        session,
        title="Fallprevention med sensorer i särskilt boende",
        owner="2281",
        status="in_operation",
        category="welfare_technology",
        tags=["fallprevention", "sensorer", "särskilt boende"],
        summary=FALL_TEXT,
        budget_sek=2_400_000,
        realised_benefit_sek_per_year=1_200_000,
        has_benefit_realisation_plan=True,
        strategy_refs=["Välfärdsteknikstrategi"],
        solution={"name": "Fallsensor"},
    )
    pilot = make_initiative(
        session,
        title="Pilot: sensorer för fallprevention i särskilt boende",
        owner="1480",
        status="pilot",
        category="welfare_technology",
        tags=["fallprevention", "sensorer", "särskilt boende"],
        summary=FALL_TEXT,
        budget_sek=900_000,
    )
    return {"proven": proven, "pilot": pilot}


class TestStartAnalytics:
    def test_shows_the_largest_duplication_and_what_waiting_costs(self, client: TestClient, fall_prevention):
        response = client.get("/")
        document = parse(response.text)
        check_page(response)
        duplication = text(document.find(".//section[@aria-labelledby='dubbelarbete']"))
        assert "3,3 mnkr" in duplication.replace("\u00a0", " ")
        waiting = document.find(".//section[@aria-labelledby='vanta']")
        links = {a.get("href") for a in waiting.iter("a")}
        assert f"/initiativ/{fall_prevention['proven'].id}" in links


class TestInitiativeAnalytics:
    def test_lists_the_other_organisation_doing_the_same_with_why(self, client: TestClient, fall_prevention):
        pilot, proven = fall_prevention["pilot"], fall_prevention["proven"]
        document = parse(client.get(f"/initiativ/{pilot.id}").text)
        section = document.find(".//section[@aria-labelledby='samma-sak']")
        assert f"/initiativ/{proven.id}" in {a.get("href") for a in section.iter("a")}
        why = text(section)
        assert "Sundsvall" in why and "båda handlar om" in why and "samma kategori" in why

    def test_explains_flags_in_plain_swedish_and_links_the_proven_solution(self, client: TestClient, fall_prevention):
        pilot, proven = fall_prevention["pilot"], fall_prevention["proven"]
        document = parse(client.get(f"/initiativ/{pilot.id}").text)
        flags = document.find(".//section[@aria-labelledby='flaggor']")
        shown = text(flags)
        assert "Pilot av beprövad lösning" in shown and "Saknar nyttorealisering" in shown
        assert "Frikopplat från strategi" in shown
        assert f"/initiativ/{proven.id}" in {a.get("href") for a in flags.iter("a")}

    def test_an_unflagged_initiative_has_no_flag_section(self, client: TestClient, fall_prevention):
        document = parse(client.get(f"/initiativ/{fall_prevention['proven'].id}").text)
        assert document.find(".//section[@aria-labelledby='flaggor']") is None


class TestOrganisationAnalytics:
    def test_portfolio_shows_flags_and_spend_per_flag(self, client: TestClient, fall_prevention):
        response = client.get("/organisation/1480")
        check_page(response)
        flag_rows = {row[0]: row for row in table_rows(parse(response.text)) if len(row) == 3}
        pilot_row = next(row for name, row in flag_rows.items() if name.startswith("Pilot av beprövad lösning"))
        assert pilot_row[1:] == ["1", "900 000 kr"] and "annan organisation" in pilot_row[0]
        assert any(name.startswith("Saknar lösning") for name in flag_rows)

    def test_what_waiting_costs_for_the_organisation(self, client: TestClient, session: Session, fall_prevention):
        document = parse(client.get("/organisation/1480").text)
        waiting = text(document.find(".//section[@aria-labelledby='vanta']")).replace("\u00a0", " ")
        assert "Fallprevention med sensorer i särskilt boende" in waiting
        assert "per månad" in waiting or "varje månad" in waiting
        assert "Göteborg har ett eget initiativ om samma sak" in waiting

    def test_kpis_over_the_years_with_missing_inputs_named(self, client: TestClient, session: Session, fall_prevention):
        for year, used in ((2024, 10), (2025, 15)):
            figures = FiguresWrite(datasets_held=50, datasets_used=used)
            organisation_service.record_figures(session, "2281", year, figures, ADMIN)
        response = client.get("/organisation/2281")
        check_page(response)
        kpis = kpi_boxes(response.text)
        assert kpis["Datautnyttjande"]["value"] == "30,0 % (2025)"
        assert kpis["Datautnyttjande"]["chart"] == "Datautnyttjande: 2023: saknas; 2024: 20,0 %; 2025: 30,0 %"
        assert (
            "Underlag som saknas: tillagda nyckeltal, borttagna nyckeltal, antal nyckeltal."
            in kpis["Omsättning av nyckeltal"]["text"]
        )
        assert len(kpis) == 7

    def test_kpis_beside_the_county_and_the_country(self, client: TestClient, session: Session):
        for code, held, used in (("2281", 10, 5), ("2262", 30, 3), ("0180", 60, 60)):
            figures = FiguresWrite(datasets_held=held, datasets_used=used)
            organisation_service.record_figures(session, code, 2025, figures, ADMIN)
        kpis = kpi_boxes(client.get("/organisation/2281").text)
        compared = kpis["Datautnyttjande"]["comparison"]
        assert compared["caption"] == "Datautnyttjande 2025, jämfört med länet och Sverige"
        # Σ used ÷ Σ held: county 22 is Sundsvall and Timrå, the country all three.
        assert compared["rows"] == [["Sundsvall", "50,0 %"], ["Region Västernorrland", "20,0 %"], ["Sverige", "68,0 %"]]
        assert kpis["Alternativkostnad"]["comparison"] is None
        assert kpis["Omsättning av nyckeltal"]["comparison"] is None  # unknown everywhere: nothing to compare

    def test_the_kept_county_and_country_figures_follow_every_write(self, client: TestClient, session: Session):
        """They are kept between pages while the data stays the same, never after it changed."""
        for code, held, used in (("2281", 10, 5), ("2262", 30, 3)):
            organisation_service.record_figures(
                session, code, 2025, FiguresWrite(datasets_held=held, datasets_used=used), ADMIN
            )
        before = kpi_boxes(client.get("/organisation/2262").text)["Datautnyttjande"]["comparison"]["rows"]
        assert before[1:] == [["Region Västernorrland", "20,0 %"], ["Sverige", "20,0 %"]]
        organisation_service.record_figures(
            session, "0180", 2025, FiguresWrite(datasets_held=60, datasets_used=60), ADMIN
        )
        after = kpi_boxes(client.get("/organisation/2281").text)["Datautnyttjande"]["comparison"]["rows"]
        assert after == [["Sundsvall", "50,0 %"], ["Region Västernorrland", "20,0 %"], ["Sverige", "68,0 %"]]

    def test_without_yearly_figures_it_says_so(self, client: TestClient):
        assert "Det finns inga årsuppgifter för Göteborgsregionens" in check_page(client.get("/organisation/gr"))


def kpi_boxes(markup: str) -> dict[str, dict[str, str]]:
    """Each KPI box by its heading: the value shown, the chart's accessible name and all its text."""
    boxes = {}
    for box in parse(markup).iter("div"):
        if box.get("class") == "kpi":
            value = box.find(".//p[@class='value']")
            charts = column_charts(box)
            boxes[text(box.find("h3"))] = {
                "value": text(value).replace("\u00a0", " ") if value is not None else None,
                "chart": charts[0].get("aria-label").replace("\u00a0", " ") if charts else None,
                "text": text(box),
                "comparison": comparison(box.find(".//table[@class='bar-chart']")),
            }
    return boxes


class TestDuplication:
    def test_lists_clusters_with_members_and_combined_budget(self, client: TestClient, fall_prevention):
        response = client.get("/dubbelarbete")
        shown = check_page(response).replace("\u00a0", " ")
        assert "1 grupper med dubbelarbete, med en sammanlagd budget på 3,3 mnkr" in shown
        rows = table_rows(parse(response.text))
        titles = {row[0] for row in rows}
        assert {
            "Fallprevention med sensorer i särskilt boende",
            "Pilot: sensorer för fallprevention i särskilt boende",
        } <= titles

    def test_filters_by_county_and_category(self, client: TestClient, fall_prevention):
        assert "Inget dubbelarbete hittades med de här filtren" in check_page(client.get("/dubbelarbete?county=22"))
        assert "Inget dubbelarbete hittades" in check_page(client.get("/dubbelarbete?category=e_service"))
        assert "1 grupper" in check_page(client.get("/dubbelarbete?category=welfare_technology&county=zz"))

    def test_a_forged_cursor_goes_back_to_the_first_page(self, client: TestClient):
        response = client.get("/dubbelarbete?category=health&cursor=nonsense", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/dubbelarbete?category=health"


class TestInitiativesFlags:
    def test_filters_by_flag_with_counts(self, client: TestClient, fall_prevention):
        response = client.get("/initiativ?flag=pilot_of_proven")
        shown = check_page(response)
        assert "Pilot: sensorer för fallprevention i särskilt boende" in shown
        assert "Fallprevention med sensorer i särskilt boende" not in shown
        document = parse(response.text)
        assert document.find(".//input[@id='flag-pilot_of_proven']").get("checked") is not None
        assert text(document.find(".//label[@for='flag-pilot_of_proven']")).endswith("(1)")
        assert text(document.find(".//label[@for='flag-no_solution']")).endswith("(1)")

    def test_cards_show_their_flags(self, client: TestClient, fall_prevention):
        document = parse(client.get("/initiativ?organisation=1480").text)
        card = next(article for article in document.iter("article"))
        assert "Pilot av beprövad lösning" in text(card)

    def test_the_flag_filter_survives_paging_and_downloads(self, client: TestClient, fall_prevention):
        document = parse(client.get("/initiativ?flag=no_solution&flag=pilot_of_proven").text)
        hrefs = {a.get("href") for a in document.iter("a")}
        assert "/initiativ.csv?flag=no_solution&flag=pilot_of_proven" in hrefs
        rows = client.get("/initiativ.csv?flag=pilot_of_proven").text.splitlines()
        assert len(rows) == 2 and "Pilot: sensorer" in rows[1]


class TestDuplicationSize:
    def test_a_large_cluster_lists_a_dozen_members_and_counts_the_rest(self, client: TestClient, session: Session):
        codes = [
            "2281",
            "1480",
            "0180",
            "1280",
            "0380",
            "0580",
            "1880",
            "2480",
            "2580",
            "1380",
            "0680",
            "0880",
            "1780",
            "2180",
        ]
        for code in codes:
            make_initiative(
                session,
                title="Sensorer för fallprevention i särskilt boende",
                owner=code,
                category="welfare_technology",
                tags=["fallprevention", "sensorer"],
                summary=FALL_TEXT,
            )
        response = client.get("/dubbelarbete")
        shown = check_page(response)
        assert "… och 2 initiativ till i gruppen." in shown
        assert len(table_rows(parse(response.text))) == 12 + 1  # the members, and the chart's one bar


def comparison(table) -> dict | None:
    if table is None:
        return None
    return {"caption": text(table.find("caption")), "rows": table_rows(table)}
