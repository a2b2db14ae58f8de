"""Every page says so while the demo loader's invented records are in the registry."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.demo.loader import load_demo, remove_demo
from tests.factories import make_initiative
from tests.web.html import check_page, parse

PAGES = ("/", "/initiativ", "/organisation", "/organisation/2281", "/dubbelarbete", "/om", "/logga-in")
BANNER = "Exempeldata."


def banner_text(html: str) -> str | None:
    banner = parse(html).find(".//div[@class='demo-banner']")
    return None if banner is None else " ".join("".join(banner.itertext()).split())


class TestDemoBanner:
    def test_every_page_shows_it_while_demo_records_are_present(self, client: TestClient, session: Session):
        load_demo(session)
        for path in PAGES:
            response = client.get(path)
            check_page(response)
            text = banner_text(response.text)
            assert text is not None and text.startswith(BANNER), path
            assert "registry demo --remove" in text

    def test_no_page_shows_it_without_demo_records(self, client: TestClient, session: Session):
        make_initiative(session)
        for path in PAGES:
            assert banner_text(client.get(path).text) is None, path

    def test_it_goes_away_once_the_demo_is_removed(self, client: TestClient, session: Session):
        load_demo(session)
        remove_demo(session)
        assert banner_text(client.get("/").text) is None
