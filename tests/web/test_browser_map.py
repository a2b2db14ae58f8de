"""`/karta` end to end in headless Chromium: pick a level and a measure in the form, read the
table the map is drawn from, and look at it at a desktop and a phone width."""

from tests.web.browser import BROWSER_MARKS, screenshot, shown
from tests.web.test_browser import portfolio  # noqa: F401 (fixture)

pytestmark = BROWSER_MARKS


def table_row(tab, name: str) -> list[str]:
    row = tab.locator("table.map-table tbody tr").filter(has=tab.get_by_role("link", name=name, exact=True))
    return [shown(cell) for cell in row.locator("td").all()]


class TestMap:
    def test_switch_measure_and_level_and_read_the_table(self, page, portfolio):  # noqa: F811
        page.goto("/karta")
        assert page.locator("h1").inner_text() == "Karta"
        assert page.locator("table.map-table tbody tr").count() == 290
        assert table_row(page, "Sundsvall") == ["0,10 per 10 000 invånare", "1 initiativ, 99 213 invånare"]
        area = page.locator("svg.map-links a[href='/organisation/2281'] title")
        assert area.text_content() == "Sundsvall: 0,10 per 10 000 invånare"
        screenshot(page, "karta")
        page.locator("svg.map-links a[href='/organisation/2281']").click()
        assert page.locator("h1").inner_text() == "Sundsvall"
        page.go_back()

        page.get_by_label("Mått", exact=True).select_option("behov")
        page.get_by_label("Nivå", exact=True).select_option("region")
        page.get_by_role("button", name="Visa").click()
        page.wait_for_url("**/karta?niva=region&matt=behov*")
        assert page.locator("table.map-table tbody tr").count() == 21
        # Göteborg's pilot: 1,8 mnkr a year in Sundsvall × 604 616 / 99 213 inhabitants ÷ 12 ≈ 914 000 kr
        assert table_row(page, "Västra Götalandsregionen") == ["910 000 kr per månad", "1 känt behov"]
        assert table_row(page, "Region Jämtland Härjedalen") == ["uppgift saknas", "rapporterar inte till registret"]
        assert "Så räknar vi" in shown(page.locator("section[aria-labelledby='matt-rubrik']"))
        screenshot(page, "karta-behov-region")

    def test_who_has_a_solution_and_the_table_by_name(self, page, portfolio):  # noqa: F811
        page.goto("/karta")
        page.get_by_label("Mått", exact=True).select_option("losning")
        page.get_by_label("Lösning", exact=False).select_option(portfolio["fall"])
        page.get_by_role("button", name="Visa").click()
        # Until the page has loaded: its heading comes before its 290 rows, and on a busy machine the
        # table was once read while it was still arriving.
        page.wait_for_url(f"**/karta?*losning={portfolio['fall']}*")
        heading = page.locator("#matt-rubrik")
        assert "Fallprevention med sensorer i särskilt boende" in heading.inner_text()
        assert table_row(page, "Sundsvall") == ["äger lösningen", ""]
        assert table_row(page, "Göteborg") == ["inget registrerat", ""]
        assert page.locator("table.map-table tbody tr th").first.inner_text() == "Sundsvall"
        page.get_by_role("link", name="namn").click()
        assert page.locator("table.map-table tbody tr th").first.inner_text() == "Ale"
        assert "losning=" in page.url and "ordning=namn" in page.url
        screenshot(page, "karta-losning")
