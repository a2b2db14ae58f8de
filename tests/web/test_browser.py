"""End to end in Debian's headless Chromium against the app served on 127.0.0.1.

Each scenario creates its own committed data, uses the pages as a visitor would (typing,
clicking, submitting) and checks what the page shows. Screenshots of every page, at a
desktop and a phone width, are written to tests/artifacts/ for people to look at.
"""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from app.auth import service as auth_service
from app.core.db import session_scope
from app.demo.loader import load_demo
from tests.conftest import wait_until_indexed
from tests.factories import make_initiative
from tests.web.browser import BROWSER_MARKS, VIEWPORTS, screenshot, shown

FALL_TEXT = "Sensorer i golv och säng larmar personalen innan en brukare faller, så att fallolyckor minskar."
pytestmark = BROWSER_MARKS


@pytest.fixture
def portfolio(committed: Engine) -> dict[str, str]:
    with session_scope(committed) as session:
        fall = make_initiative(
            session,
            title="Fallprevention med sensorer i särskilt boende",
            owner="2281",
            status="in_operation",
            category="welfare_technology",
            tags=["fallprevention", "sensorer"],
            budget_sek=2_400_000,
            summary=FALL_TEXT,
            realised_benefit_sek_per_year=1_800_000,
            benefit_evidence=[{"metric": "Fallolyckor", "baseline": 100, "result": 36, "unit": "per år"}],
        )
        pilot = make_initiative(
            session,
            title="Pilot: sensorer mot fallolyckor på äldreboenden",
            owner="1480",
            status="pilot",
            category="welfare_technology",
            tags=["fallprevention", "sensorer"],
            budget_sek=900_000,
            summary=FALL_TEXT,
        )
        bygglov = make_initiative(
            session,
            title="E-tjänst för bygglov",
            owner="1480",
            category="e_service",
            status="planned",
            tags=["bygglov"],
            summary="Ansök om bygglov digitalt.",
        )
        _key, secret = auth_service.mint(session, "2281")
    wait_until_indexed(committed)
    return {"fall": str(fall.id), "pilot": str(pilot.id), "bygglov": str(bygglov.id), "key": secret}


class TestPages:
    def test_each_page_opens_and_reads_in_swedish(self, page, portfolio):
        for name, path, heading in (
            ("start", "/", "Vem gör vad i offentlig digitalisering?"),
            ("initiativ", "/initiativ", "Initiativ"),
            ("initiativ-detalj", f"/initiativ/{portfolio['fall']}", "Fallprevention med sensorer i särskilt boende"),
            ("organisation", "/organisation/1480", "Göteborg"),
            ("organisationer", "/organisation?county=22", "Organisationer"),
            ("dubbelarbete", "/dubbelarbete", "Dubbelarbete"),
            ("om", "/om", "Om registret"),
            ("sa-raknar-vi", "/sa-raknar-vi", "Så räknar vi"),
            ("logga-in", "/logga-in", "Logga in"),
        ):
            response = page.goto(path)
            assert response.status == 200, path
            assert page.locator("html").get_attribute("lang") == "sv"
            assert page.locator("h1").first.inner_text() == heading
            screenshot(page, name)

    def test_the_skip_link_is_the_first_stop_for_the_keyboard(self, page, portfolio):
        page.goto("/")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused == "Hoppa till innehållet"
        assert page.locator(".skip-link").is_visible()


class TestSearch:
    def test_a_figure_leads_to_the_paragraph_that_explains_it(self, page, portfolio):
        page.goto("/organisation/1480")
        page.locator("section[aria-labelledby='vanta'] a[href='/sa-raknar-vi#alternativkostnad']").first.click()
        assert page.url.endswith("/sa-raknar-vi#alternativkostnad")
        section = page.locator("#alternativkostnad")
        assert section.is_visible() and section.inner_text() == "7. Alternativkostnad"
        assert "folkmängden här ÷ folkmängden hos ägaren" in shown(page.locator("main"))
        page.goto("/om")
        page.locator("main a[href='/sa-raknar-vi']").click()
        assert page.locator("h1").inner_text() == "Så räknar vi"

    def test_search_from_the_start_page_and_open_an_initiative(self, page, portfolio):
        page.goto("/")
        page.get_by_label("Sök bland initiativen").fill("bygglov")
        page.get_by_role("button", name="Sök").click()
        page.wait_for_url("**/initiativ?q=bygglov")
        results = page.locator(".results")
        assert "1 initiativ" in results.locator("h2").inner_text()
        assert "E-tjänst för bygglov" in results.inner_text()
        assert "Fallprevention" not in results.inner_text()
        screenshot(page, "sokresultat")
        results.get_by_role("link", name="E-tjänst för bygglov").click()
        assert page.locator("h1").inner_text() == "E-tjänst för bygglov"
        assert "Göteborg" in page.locator(".page-head").inner_text()

    def test_filters_are_kept_in_the_url(self, page, portfolio):
        page.goto("/initiativ")
        page.get_by_label("välfärdsteknik").check()
        page.locator("#status-pilot").check()
        page.get_by_role("button", name="Visa initiativ").click()
        assert "category=welfare_technology" in page.url and "status=pilot" in page.url
        text = page.locator(".results").inner_text()
        assert "Pilot: sensorer mot fallolyckor" in text and "Fallprevention med sensorer" not in text


class TestOverlaps:
    def test_follow_an_overlap_from_a_pilot_to_the_proven_solution(self, page, portfolio):
        page.goto(f"/initiativ/{portfolio['pilot']}")
        flags = page.locator("section[aria-labelledby='flaggor']")
        assert "Pilot av beprövad lösning" in flags.inner_text()
        overlaps = page.locator("section[aria-labelledby='samma-sak']")
        assert "Sundsvall" in overlaps.inner_text() and "båda handlar om" in overlaps.inner_text()
        overlaps.get_by_role("link", name="Fallprevention med sensorer i särskilt boende").click()
        assert page.locator("h1").inner_text() == "Fallprevention med sensorer i särskilt boende"
        back = page.locator("section[aria-labelledby='samma-sak']")
        assert "Pilot: sensorer mot fallolyckor på äldreboenden" in back.inner_text()

    def test_duplication_is_filtered_by_county(self, page, portfolio):
        page.goto("/dubbelarbete")
        assert "Fallprevention med sensorer" in page.locator("main").inner_text()
        page.get_by_label("Län").select_option(label="Västernorrlands län")
        page.get_by_role("button", name="Visa").click()
        assert "county=22" in page.url
        assert "Inget dubbelarbete hittades med de här filtren" in page.locator("main").inner_text()

    def test_flag_filter_finds_the_pilot_of_a_proven_solution(self, page, portfolio):
        page.goto("/initiativ")
        page.locator("#flag-pilot_of_proven").check()
        page.get_by_role("button", name="Visa initiativ").click()
        assert "flag=pilot_of_proven" in page.url
        results = page.locator(".results")
        assert "1 initiativ" in results.locator("h2").inner_text()
        assert "Pilot av beprövad lösning" in results.locator(".card").inner_text()


class TestRegister:
    def test_sign_in_then_submit_bad_and_then_good_input(self, page, portfolio):
        page.goto("/initiativ/nytt")
        assert page.locator("h1").inner_text() == "Logga in"
        page.get_by_label("Organisationens nyckel").fill("reg_fel-nyckel")
        page.get_by_role("button", name="Logga in").click()
        assert "Nyckeln är okänd" in page.locator(".error-summary").inner_text()
        page.get_by_label("Organisationens nyckel").fill(portfolio["key"])
        page.get_by_role("button", name="Logga in").click()
        assert page.locator("h1").inner_text() == "Registrera ett initiativ"
        assert "Inloggad: Sundsvall" in page.locator("header").inner_text()
        screenshot(page, "formular")

        page.get_by_label("Titel").fill("AI")
        page.get_by_label("Budget (kr)").fill("en miljon")
        page.get_by_role("button", name="Registrera initiativet").click()
        summary = page.locator(".error-summary")
        assert "Rätta felen nedan" in summary.inner_text()
        assert "Skriv minst 3 tecken." in page.locator("#title-fel").inner_text()
        assert "hela kronor" in page.locator("#budget_sek-fel").inner_text()
        screenshot(page, "formular-fel")

        page.get_by_label("Titel").fill("AI-stöd för handläggning av försörjningsstöd")
        page.get_by_label("Budget (kr)").fill("1 500 000")
        page.get_by_label("Kategori").select_option(label="data och AI")
        page.get_by_label("Nyckelord").fill("försörjningsstöd, ai")
        page.get_by_role("button", name="Registrera initiativet").click()
        assert "Initiativet är registrerat" in page.locator(".flash").inner_text()
        assert page.locator("h1").inner_text() == "AI-stöd för handläggning av försörjningsstöd"
        facts = shown(page.locator(".facts"))
        assert "1 500 000 kr" in facts and "data och AI" in facts

    def test_edit_shows_the_stored_values_and_saves_a_change(self, page, portfolio):
        page.goto("/logga-in")
        page.get_by_label("Organisationens nyckel").fill(portfolio["key"])
        page.get_by_role("button", name="Logga in").click()
        page.goto(f"/initiativ/{portfolio['fall']}")
        page.get_by_role("link", name="Ändra initiativet").click()
        assert page.get_by_label("Titel").input_value() == "Fallprevention med sensorer i särskilt boende"
        page.get_by_label("Realiserad nytta per år (kr)").fill("2 000 000")
        page.get_by_role("button", name="Spara ändringarna").click()
        assert "Ändringarna är sparade" in page.locator(".flash").inner_text()
        assert "2 000 000 kr" in shown(page.locator(".facts"))
        assert "realiserad nytta per år" in page.locator(".history").inner_text()


@pytest.fixture
def demo(committed: Engine) -> None:
    with session_scope(committed) as session:
        load_demo(session)
    wait_until_indexed(committed)


class TestTrustAndData:
    def test_the_demo_banner_is_on_every_page(self, page, demo):
        for name, path in (
            ("demo-start", "/"),
            ("demo-organisation", "/organisation/2281"),
            ("demo-organisationer", "/organisation?county=22&sort=initiativ"),
            ("demo-dubbelarbete", "/dubbelarbete"),
        ):
            assert page.goto(path).status == 200, path
            banner = page.locator(".demo-banner")
            assert banner.is_visible() and shown(banner).startswith("Exempeldata."), path
            screenshot(page, name)

    def test_organisation_table_stacks_into_labelled_cards_on_a_phone(self, page, demo):
        page.goto("/organisation?county=22&sort=initiativ")
        page.set_viewport_size(VIEWPORTS["phone"])
        first = page.locator("table.stack tbody tr").first
        assert first.locator("th").inner_text() == "Sundsvall"
        label = first.locator("td[data-label=Initiativ]").evaluate("cell => getComputedStyle(cell, '::before').content")
        assert label == '"Initiativ: "'
        box = first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS["phone"]["width"]

    def test_filter_organisations_in_the_form(self, page, demo):
        page.goto("/organisation")
        page.select_option("#county", "22")
        page.select_option("#rapporterar", "ja")
        page.click("form.filters button[type=submit]")
        assert "rapporterar=ja" in page.url and "county=22" in page.url
        names = page.locator("table.stack tbody th").all_inner_texts()
        assert "Sundsvall" in names and len(names) < 8  # Västernorrland has 7 municipalities and a region
        assert set(page.locator("table.stack td[data-label=Rapporterar]").all_inner_texts()) == {"ja"}

    def test_the_duplication_report_downloads_as_excel(self, page, demo):
        page.goto("/dubbelarbete")
        with page.expect_download() as download:
            page.get_by_role("link", name="Excel", exact=True).click()
        assert download.value.suggested_filename == "dubbelarbete.xlsx"
        sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        rows = list(sheet.iter_rows(values_only=True))
        assert (
            rows[0][:4] == ("Dubbelarbete", "Organisationer", "Sammanlagd budget (kr)", "Initiativ") and len(rows) > 2
        )
