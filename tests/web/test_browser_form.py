"""The initiative form's groups of rows in Debian's headless Chromium: participants and benefit
evidence typed in, every error shown in one round, fixed, saved, edited (a row removed)."""

import pytest
from sqlalchemy.engine import Engine

from app.auth import service as auth_service
from app.core.db import session_scope
from tests.web.browser import BROWSER_MARKS, VIEWPORTS, screenshot, shown

pytestmark = BROWSER_MARKS


@pytest.fixture
def key(committed: Engine) -> str:
    """A sign-in key of Sundsvall (2281)."""
    with session_scope(committed) as session:
        _key, secret = auth_service.mint(session, "2281")
    return secret


def sign_in(tab, key: str) -> None:
    tab.goto("/logga-in")
    tab.get_by_label("Organisationens nyckel").fill(key)
    tab.get_by_role("button", name="Logga in").click()


def fill_participant(tab, row: int, code: str, role: str, contribution: str = "") -> None:
    tab.get_by_label(f"Deltagare, rad {row}, Organisation").fill(code)
    tab.get_by_label(f"Deltagare, rad {row}, Roll").select_option(label=role)
    tab.get_by_label(f"Deltagare, rad {row}, Bidrag (kr)").fill(contribution)


class TestFormGroups:
    def test_rows_with_every_error_at_once_then_saved_and_edited(self, page, key):
        sign_in(page, key)
        page.goto("/initiativ/nytt")
        page.get_by_label("Titel").fill("AI")
        page.get_by_label("Budget (kr)").fill("en miljon")
        page.get_by_label("Startdatum").fill("2026-05-01")
        page.get_by_label("Slutdatum").fill("2026-01-01")
        fill_participant(page, 1, "2262", "partner", "250 000")
        fill_participant(page, 2, "22", "finansiär")
        page.get_by_role("button", name="Lägg till fler rader (Deltagare)").click()
        assert page.get_by_label("Deltagare, rad 4, Organisation").input_value() == ""
        assert page.get_by_label("Deltagare, rad 1, Bidrag (kr)").input_value() == "250 000"
        page.get_by_label("Budget per år, rad 1, År").fill("2026")
        page.get_by_label("Budget per år, rad 1, Belopp (kr)").fill("400 000")
        page.get_by_label("Nytta, rad 1, Mått").fill("Nattliga besök")
        page.get_by_label("Nytta, rad 1, Utgångsläge").fill("1 200")
        page.get_by_label("Nytta, rad 1, Resultat").fill("många")
        page.get_by_label("Länkar, rad 1, Rubrik").fill("Projektsida")
        page.get_by_label("Länkar, rad 1, Webbadress").fill("https://sundsvall.se/nattillsyn")
        page.get_by_role("button", name="Registrera initiativet").click()

        summary = page.locator(".error-summary")
        assert "Rätta felen nedan" in summary.inner_text()
        assert summary.locator("li").all_inner_texts() == [
            "Titel: Skriv minst 3 tecken.",
            "Slutdatum: Slutdatum får inte vara före startdatum.",
            "Budget: Ange ett belopp i hela kronor, 0 eller mer, t.ex. 1 200 000.",
            "Nytta, rad 1, resultat: Ange ett tal, t.ex. 12,5.",
        ]
        assert "Ange ett tal" in page.locator("#benefit_evidence-0-result-fel").inner_text()
        summary.get_by_role("link", name="Nytta, rad 1, resultat").click()
        assert page.evaluate("location.hash") == "#benefit_evidence-0-result"
        screenshot(page, "formular-grupper-fel")

        page.get_by_label("Titel").fill("Digital nattillsyn i hemtjänsten")
        page.get_by_label("Budget (kr)").fill("1 200 000")
        page.get_by_label("Slutdatum").fill("2027-12-31")
        page.get_by_label("Nytta, rad 1, Resultat").fill("310,5")
        page.get_by_role("button", name="Registrera initiativet").click()
        assert "Initiativet är registrerat" in page.locator(".flash").inner_text()
        participants = shown(page.locator("#deltagare + .table-scroll"))
        assert "Timrå" in participants and "250 000 kr" in participants and "anspråk, ej bekräftat" in participants
        assert "Region Västernorrland" in participants
        assert "Projektsida" in page.locator("main").inner_text()

        page.get_by_role("link", name="Ändra initiativet").click()
        rows = page.locator("#participants")
        assert "Timrå: anspråk, ej bekräftat" in rows.inner_text()
        assert page.get_by_label("Nytta, rad 1, Resultat").input_value() == "310,5"
        assert page.get_by_label("Budget per år, rad 1, År").input_value() == "2026"
        screenshot(page, "formular-grupper")
        page.set_viewport_size(VIEWPORTS["desktop"])
        removed = next(
            row for row in (1, 2) if page.get_by_label(f"Deltagare, rad {row}, Organisation").input_value() == "22"
        )
        page.get_by_label(f"Ta bort raden (Deltagare, rad {removed})").check()
        page.get_by_role("button", name="Spara ändringarna").click()
        assert "Ändringarna är sparade" in page.locator(".flash").inner_text()
        participants = shown(page.locator("#deltagare + .table-scroll"))
        assert "Timrå" in participants and "Region Västernorrland" not in participants
