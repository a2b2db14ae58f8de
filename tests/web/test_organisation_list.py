"""The organisation list: filtered by kind, county, initiatives and reporting, and sorted."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_initiative
from tests.web.html import check_page, parse, table_rows


def names(client: TestClient, **params: str) -> list[str]:
    response = client.get("/organisation", params=params)
    check_page(response)
    return [row[0] for row in table_rows(parse(response.text))]


class TestOrganisationList:
    def test_kind_and_county_filters(self, client: TestClient):
        assert names(client, kind="region", county="22") == ["Region Västernorrland"]
        assert "Sundsvall" in names(client, kind="municipality", county="22")
        assert names(client, kind="municipal_federation", q="göliska") == ["Kommunalförbundet Göliska IT"]

    def test_sorted_by_most_initiatives(self, client: TestClient, session: Session):
        for _ in range(2):
            make_initiative(session, owner="2262")
        make_initiative(session, owner="2281")
        assert names(client, county="22", initiativ="ja", sort="initiativ") == ["Timrå", "Sundsvall"]
        rows = table_rows(parse(client.get("/organisation", params={"county": "22", "sort": "initiativ"}).text))
        assert rows[:2] == [
            ["Timrå", "kommun", "Västernorrlands län", "2", "ja"],
            ["Sundsvall", "kommun", "Västernorrlands län", "1", "ja"],
        ]

    def test_reporting_and_without_initiatives(self, client: TestClient, session: Session):
        make_initiative(session, owner="2281")
        assert names(client, county="22", rapporterar="ja") == ["Sundsvall"]
        without = names(client, county="22", initiativ="nej")
        assert "Sundsvall" not in without and "Timrå" in without
        assert "Sundsvall" not in names(client, county="22", rapporterar="nej")

    def test_nonsense_in_the_url_is_ignored(self, client: TestClient):
        assert names(client, kind="planet", county="99", sort="random", initiativ="kanske") == names(client)

    def test_rows_stack_on_narrow_screens(self, client: TestClient):
        document = parse(client.get("/organisation", params={"county": "22"}).text)
        table = document.find(".//table")
        assert table.get("class") == "stack"
        cells = table.findall(".//tbody/tr")[0].findall("td")
        assert [cell.get("data-label") for cell in cells] == ["Slag", "Län", "Initiativ", "Rapporterar"]
