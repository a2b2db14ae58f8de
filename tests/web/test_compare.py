"""`/jamfor`: organisations side by side."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.caller import ADMIN
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite
from tests.web.html import check_page, parse, table_rows, text
from tests.web.test_acts import night  # noqa: F401 (fixture)


def section(markup: str, labelled_by: str):
    return parse(markup).find(f".//section[@aria-labelledby='{labelled_by}']")


def columns(markup: str) -> list[str]:
    """The organisations compared: the portfolio table's column headings after the first."""
    return [text(th) for th in section(markup, "portfolj").iter("th") if th.get("scope") == "col"][1:]


class TestCompare:
    def test_portfolios_and_kpis_side_by_side(self, client: TestClient, session: Session, night):  # noqa: F811
        organisation_service.record_figures(
            session, "2281", 2025, FiguresWrite(datasets_held=40, datasets_used=10), ADMIN
        )
        response = client.get("/jamfor?org=2281&org=Göteborg&org=0180")
        check_page(response)
        portfolio = table_rows(section(response.text, "portfolj"))
        assert columns(response.text) == ["Sundsvall", "Göteborg", "Stockholm"]
        assert ["Egna initiativ", "1", "1", "1"] in portfolio
        kpis = {row[0]: row[1:] for row in table_rows(section(response.text, "nyckeltal"))}
        sundsvall, *others = kpis["Datautnyttjande"]
        assert sundsvall == "25,0 % (2025)" and all(value.startswith("saknas") for value in others)
        assert len(kpis) == 7

    def test_shared_work_and_what_each_could_take_after(self, client: TestClient, night):  # noqa: F811
        response = client.get("/jamfor?org=2281&org=1480")
        shared = section(response.text, "gemensamt")
        assert {a.get("href") for a in shared.iter("a")} == {
            f"/initiativ/{night['proven'].id}",
            f"/initiativ/{night['planned'].id}",
        }
        take_after = text(section(response.text, "ta-efter-varandra"))
        assert (
            "Digital nattillsyn med kamera i hemtjänsten från Sundsvall: Göteborg bygger samma sak själv" in take_after
        )
        assert "Inget av de andras beprövade initiativ är ett förslag för Sundsvall." in take_after

    def test_unknown_organisations_are_named_and_the_rest_compared(self, client: TestClient, night):  # noqa: F811
        response = client.get("/jamfor?org=2281&org=Atlantis&org=2281")
        check_page(response)
        assert "”Atlantis” finns inte i registret" in text(parse(response.text))
        assert columns(response.text) == ["Sundsvall"]
        assert section(response.text, "gemensamt") is None

    def test_without_organisations_it_shows_the_form(self, client: TestClient):
        response = client.get("/jamfor")
        assert "Välj två till 4" in check_page(response)
        assert section(response.text, "portfolj") is None
