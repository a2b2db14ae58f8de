""" "Så räknar vi": the page explains every figure, and every figure on the site links to its section."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.caller import ADMIN
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite
from app.web import labels
from tests.factories import make_initiative
from tests.web.html import check_page, column_charts, named, parse, text

METHOD = "/sa-raknar-vi"
SECTIONS = (
    "registrets-innehall",
    "nyckeltal",
    "ar-for-ar",
    "budget-per-ar",
    "saknas",
    "kanda-behov",
    "mojliga-kandidater",
    "tackning",
    "folkmangd",
    "lan-och-riket",
    "dubbelarbete",
    "overlapp",
    "flaggor",
    "karta",
    "avrundning",
    "granser",
)
FALL = (
    "Sensorer i golv och säng larmar personalen innan en brukare faller, så att fallolyckor i särskilt boende minskar."
)


def anchors(markup: str) -> set[str]:
    return {element.get("id") for element in parse(markup).iter() if element.get("id")}


def method_links(markup: str) -> list[str]:
    """The sections of the method page a page links to."""
    return [
        a.get("href").split("#", 1)[1] for a in parse(markup).iter("a") if a.get("href", "").startswith(f"{METHOD}#")
    ]


@pytest.fixture
def figures_everywhere(session: Session, index) -> dict:
    """A proven solution, a pilot of the same elsewhere, and yearly figures: every kind of figure shows."""
    proven = make_initiative(
        session,
        title="Fallprevention med sensorer i särskilt boende",
        owner="2281",
        status="in_operation",
        status_date=date(2023, 1, 1),
        summary=FALL,
        tags=["fallprevention", "sensorer"],
        budget_sek=2_400_000,
        realised_benefit_sek_per_year=1_234_567,
    )
    pilot = make_initiative(
        session,
        title="Pilot: sensorer för fallprevention i särskilt boende",
        owner="1480",
        status="pilot",
        status_date=date(2023, 1, 1),
        summary=FALL,
        tags=["fallprevention", "sensorer"],
        budget_sek=987_654,
        start_date=date(2023, 1, 1),
        end_date=date(2025, 12, 31),
    )
    organisation_service.record_figures(session, "1480", 2024, FiguresWrite(total_turnover_sek=10**9), ADMIN)
    index()
    return {"proven": proven, "pilot": pilot}


class TestMethodPage:
    def test_explains_every_kpi_and_every_other_figure_in_its_own_section(self, client: TestClient):
        response = client.get(METHOD)
        shown = check_page(response)
        ids = anchors(response.text)
        assert [anchor for anchor in (*labels.KPI_ANCHORS.values(), *SECTIONS) if anchor not in ids] == []
        assert parse(response.text).find(".//h1").text == "Så räknar vi"
        for phrase in (
            "folkmängden här ÷ folkmängden hos ägaren",
            "två värdesiffror",
            "fördelas budgeten jämnt",
            "den 31 december",
            "summan av täljarna med summan av nämnarna",
            "att något inte finns i registret betyder inte att det saknas",
        ):
            assert phrase.lower() in shown.lower(), phrase

    def test_its_own_table_of_contents_points_at_sections_that_exist(self, client: TestClient):
        markup = client.get(METHOD).text
        targets = [a.get("href")[1:] for a in parse(markup).iter("a") if a.get("href", "").startswith("#")]
        assert targets and set(targets) <= anchors(markup)

    def test_the_footer_links_to_it(self, client: TestClient):
        assert METHOD in {a.get("href") for a in parse(client.get("/om").text).iter("a")}


class TestFiguresLinkToTheirSection:
    @pytest.mark.parametrize(
        "path", ["/", "/organisation/1480", "/organisation/2281", "/dubbelarbete", "/karta", "/karta?matt=behov"]
    )
    def test_every_link_to_the_method_page_lands_on_a_section(self, client: TestClient, figures_everywhere, path):
        links = method_links(client.get(path).text)
        assert links and set(links) <= anchors(client.get(METHOD).text)

    def test_each_figure_section_of_the_start_page_links_to_its_explanation(
        self, client: TestClient, figures_everywhere
    ):
        document = parse(client.get("/").text)
        for section, anchor in (
            ("lagesbild", "registrets-innehall"),
            ("dubbelarbete", "dubbelarbete"),
            ("vanta", "alternativkostnad"),
        ):
            hrefs = {a.get("href") for a in document.find(f".//section[@aria-labelledby='{section}']").iter("a")}
            assert f"{METHOD}#{anchor}" in hrefs, section

    def test_each_kpi_links_to_its_own_section(self, client: TestClient, figures_everywhere):
        for box in parse(client.get("/organisation/1480").text).iter("div"):
            if box.get("class") == "kpi":
                heading = box.find("h3")
                key = next(k for k, (name, _definition) in labels.KPI_LABELS.items() if name == text(heading))
                assert f"{METHOD}#{labels.KPI_ANCHORS[key]}" in {a.get("href") for a in box.iter("a")}

    def test_initiative_page_links_its_flags_and_overlaps(self, client: TestClient, figures_everywhere):
        links = method_links(client.get(f"/initiativ/{figures_everywhere['pilot'].id}").text)
        assert {"flaggor", "overlapp", "avrundning"} <= set(links)


class TestMoneyIsRoundedToTwoSignificantFigures:
    def test_organisation_page_shows_no_krona_exact_sums(self, client: TestClient, figures_everywhere):
        shown = check_page(client.get("/organisation/1480")).replace("\u00a0", " ")
        assert "990 000 kr" in shown and "987 654" not in shown
        assert "1 234 567" not in shown
        expected_annual = round(1_234_567 * 604_616 / 99_213)  # Göteborg's population ÷ Sundsvall's
        assert f"{expected_annual:,}".replace(",", " ") not in shown
        assert "7,5 mnkr per år" in shown  # 7 523 624 to two significant figures

    def test_start_and_duplication_pages(self, client: TestClient, figures_everywhere):
        start = check_page(client.get("/")).replace("\u00a0", " ")
        duplication = check_page(client.get("/dubbelarbete")).replace("\u00a0", " ")
        assert "3,4 mnkr" in start and "3,4 mnkr" in duplication  # 2 400 000 + 987 654
        assert "3 387 654" not in start + duplication


class TestKpiCharts:
    def test_a_value_labelled_0_0_percent_has_no_column_and_a_missing_year_says_saknas(
        self, client: TestClient, figures_everywhere
    ):
        markup = client.get("/organisation/1480").text
        boxes = {text(box.find("h3")): box for box in parse(markup).iter("div") if box.get("class") == "kpi"}
        [intensity] = column_charts(boxes["Utvecklingsintensitet"])  # 329 218 kr of 1 000 000 000 kr in 2024
        label = "Utvecklingsintensitet: 2023: saknas; 2024: 0,0 %"
        assert (intensity.get("aria-label").replace("\u00a0", " "), named(intensity, "rect")) == (label, [])
        [effect] = column_charts(boxes["Utvecklingseffekt"])
        assert effect.get("aria-label").replace("\u00a0", " ") == "Utvecklingseffekt: 2023: 0,0 %; 2024: 0,0 %"
        assert named(effect, "rect") == []
