"""The form's groups of rows (participants, budget per year, benefit evidence, links) and every
error in one round: real round trips through the web form, read back through the API."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.initiatives import reads as initiative_reads
from app.web import forms
from tests.factories import confirm_participation, make_initiative
from tests.web.html import check_page, field_error, hidden_value, parse, text

TWO_PARTICIPANTS = {
    "participants-0-organisation": "2262",
    "participants-0-role": "partner",
    "participants-0-contribution_sek": "250 000 kr",
    "participants-0-steering_seats": "2",
    "participants-1-organisation": "22",
    "participants-1-role": "funder",
}
EVIDENCE = {
    "benefit_evidence-0-metric": "Nattliga besök",
    "benefit_evidence-0-baseline": "1 200",
    "benefit_evidence-0-result": "310,5",
    "benefit_evidence-0-unit": "per månad",
    "benefit_evidence-0-period": "2025",
    "benefit_evidence-0-source_url": "https://sundsvall.se/rapport",
    "benefit_evidence-1-metric": "Nöjda brukare",
    "benefit_evidence-1-result": "92",
    "benefit_evidence-1-unit": "procent",
}
BUDGET = {
    "budget_by_year-0-year": "2025",
    "budget_by_year-0-amount": "400 000",
    "budget_by_year-1-year": "2026",
    "budget_by_year-1-amount": "800000",
}
LINKS = {"links-0-title": "Projektsida", "links-0-url": "https://sundsvall.se/nattillsyn"}


def post_new(client: TestClient, **fields: str):
    form = client.get("/initiativ/nytt")
    data = {
        "csrf": hidden_value(form.text, "csrf"),
        "title": "Digital nattillsyn",
        "category": "health",
        "status": "idea",
    }
    return client.post("/initiativ/nytt", data=data | fields, follow_redirects=False)


def edit_form(client: TestClient, initiative_id) -> dict[str, str]:
    """What a browser would post back unchanged."""
    document = parse(client.get(f"/initiativ/{initiative_id}/andra").text)
    data = {
        e.get("name"): e.get("value") or ""
        for e in document.iter("input")
        if e.get("name") and (e.get("type") != "checkbox" or e.get("checked") is not None)
    }
    data |= {e.get("name"): (e.text or "") for e in document.iter("textarea")}
    for select in document.iter("select"):
        chosen = [o.get("value") for o in select.iter("option") if o.get("selected") is not None]
        data[select.get("name")] = chosen[0] if chosen else select.find("option").get("value")
    return data


def summary(markup: str) -> list[str]:
    document = parse(markup)
    return [text(item) for item in document.iterfind(".//div[@class='error-summary']//li")]


def created_id(response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[-1]


class TestCreate:
    def test_rows_of_every_group_are_stored(self, client: TestClient, signed_in):
        signed_in("2281")
        response = post_new(client, **TWO_PARTICIPANTS, **EVIDENCE, **BUDGET, **LINKS)
        stored = client.get(f"/api/v1/initiatives/{created_id(response)}").json()
        assert sorted(
            (p["organisation"], p["role"], p["contribution_sek"], p["steering_seats"], p["status"])
            for p in stored["participants"]
        ) == [("22", "funder", None, None, "claimed"), ("2262", "partner", 250_000, 2, "claimed")]
        assert stored["benefit_evidence"] == [
            {
                "metric": "Nattliga besök",
                "baseline": 1200.0,
                "result": 310.5,
                "unit": "per månad",
                "period": "2025",
                "source_url": "https://sundsvall.se/rapport",
            },
            {
                "metric": "Nöjda brukare",
                "baseline": None,
                "result": 92.0,
                "unit": "procent",
                "period": None,
                "source_url": None,
            },
        ]
        assert stored["budget_by_year"] == {"2025": 400_000, "2026": 800_000}
        assert stored["links"] == [{"title": "Projektsida", "url": "https://sundsvall.se/nattillsyn"}]

    def test_empty_rows_and_gaps_between_rows_are_no_rows(self, client: TestClient, signed_in):
        signed_in("2281")
        response = post_new(
            client,
            **{"links-0-title": "", "links-0-url": "", "links-3-title": "Beslut", "links-3-url": "https://a.se/b"},
        )
        stored = client.get(f"/api/v1/initiatives/{created_id(response)}").json()
        assert stored["links"] == [{"title": "Beslut", "url": "https://a.se/b"}]
        assert stored["participants"] == [] and stored["budget_by_year"] is None

    def test_the_form_offers_organisations_and_two_empty_rows_per_group(self, client: TestClient, signed_in):
        signed_in("2281")
        page = client.get("/initiativ/nytt")
        check_page(page)
        document = parse(page.text)
        options = {o.get("value"): text(o) for o in document.iterfind(".//datalist[@id='organisationer']/option")}
        assert options["2262"] == "Timrå" and options["22"] == "Region Västernorrland"
        for group in forms.GROUPS:
            assert hidden_value(page.text, f"{group}-rows") == "2"
        assert document.find(".//input[@id='participants-1-organisation']").get("list") == "organisationer"
        assert document.find(".//input[@id='participants-2-organisation']") is None


class TestAllErrorsInOneRound:
    def test_three_independent_errors_are_shown_together(self, client: TestClient, signed_in, session: Session):
        signed_in("2281")
        response = post_new(client, title="x", budget_sek="en miljon", start_date="2026-05-01", end_date="2026-01-01")
        assert response.status_code == 422
        check_page(response)
        assert field_error(response.text, "title") == "Fel: Skriv minst 3 tecken."
        assert field_error(response.text, "budget_sek").startswith("Fel: Ange ett belopp i hela kronor")
        assert field_error(response.text, "end_date") == "Fel: Slutdatum får inte vara före startdatum."
        listed = summary(response.text)
        assert [item.split(":")[0] for item in listed] == ["Titel", "Slutdatum", "Budget"]
        links = [a.get("href") for a in parse(response.text).iterfind(".//div[@class='error-summary']//a")]
        assert links == ["#title", "#end_date", "#budget_sek"]
        assert client.get("/api/v1/initiatives").json()["items"] == []

    def test_row_errors_name_the_group_and_the_row(self, client: TestClient, signed_in):
        signed_in("2281")
        response = post_new(
            client,
            **EVIDENCE | {"benefit_evidence-1-result": "många"},
            **{"participants-0-organisation": "9999", "participants-0-role": ""},
            **{"links-0-title": "Utan adress", "budget_by_year-0-year": "1999", "budget_by_year-0-amount": "5"},
        )
        assert response.status_code == 422
        listed = summary(response.text)
        assert listed == [
            "Deltagare, rad 1, organisation: Det finns ingen organisation med den koden i registret.",
            "Deltagare, rad 1, roll: Välj en roll.",
            "Budget per år, rad 1, år: Ange ett år mellan 2000 och 2100, med fyra siffror.",
            "Nytta, rad 2, resultat: Ange ett tal, t.ex. 12,5.",
            "Länkar, rad 1, webbadress: Ange en fullständig webbadress som börjar med https://.",
        ]
        assert field_error(response.text, "benefit_evidence-1-result") == "Fel: Ange ett tal, t.ex. 12,5."
        # The entered rows come back as typed.
        document = parse(response.text)
        assert document.find(".//input[@id='benefit_evidence-1-result']").get("value") == "många"
        assert document.find(".//input[@id='participants-0-organisation']").get("value") == "9999"

    def test_a_participant_or_a_year_twice_points_to_the_first_row(self, client: TestClient, signed_in):
        signed_in("2281")
        response = post_new(
            client,
            **TWO_PARTICIPANTS,
            **{"participants-2-organisation": "2262", "participants-2-role": "observer"},
            **{"participants-1-contribution_sek": "-1"},
            **BUDGET,
            **{"budget_by_year-2-year": "2025", "budget_by_year-2-amount": "1"},
        )
        assert response.status_code == 422
        assert field_error(response.text, "participants-2-organisation") == "Fel: Organisationen står redan på rad 1."
        assert field_error(response.text, "participants-1-contribution_sek").startswith("Fel: Ange ett belopp")
        assert field_error(response.text, "budget_by_year-2-year") == "Fel: Året står redan på rad 1."

    def test_a_year_with_a_leading_zero_is_pointed_to_at_its_row(self, client: TestClient, signed_in):
        # "02025" would be read as 2025 and silently replace the amount of the row that says 2025.
        signed_in("2281")
        response = post_new(client, **BUDGET, **{"budget_by_year-2-year": "02025", "budget_by_year-2-amount": "1"})
        assert response.status_code == 422
        assert field_error(response.text, "budget_by_year-2-year") == (
            "Fel: Ange ett år mellan 2000 och 2100, med fyra siffror."
        )

    def test_a_participant_twice_is_one_message_at_its_row(self):
        listed_twice = {"participants-1-organisation": "2262", "participants-1-role": "observer"}
        values = forms.empty_values("2281") | {"title": "Digital nattillsyn", "category": "health"}
        with pytest.raises(forms.FormInvalid) as raised:
            forms.read_create(values | TWO_PARTICIPANTS | listed_twice, lambda codes: set())
        assert raised.value.errors == {"participants-1-organisation": "Organisationen står redan på rad 1."}


class TestHostileRows:
    @pytest.mark.parametrize(
        ("cell", "value", "message"),
        [
            ("participants-0-contribution_sek", "9" * 5000, "Ange ett belopp i hela kronor"),
            ("participants-0-steering_seats", "9" * 5000, "Ange ett heltal mellan 0 och 100."),
            ("benefit_evidence-0-baseline", "9" * 5000, "Ange ett tal"),
            ("benefit_evidence-0-result", "NaN", "Ange ett tal"),
            ("benefit_evidence-0-result", "-Infinity", "Ange ett tal"),
            ("budget_by_year-0-year", "9" * 5000, "Ange ett år mellan 2000 och 2100, med fyra siffror."),
            ("budget_by_year-0-amount", "1e9", "Ange ett belopp i hela kronor"),
            ("benefit_evidence-0-unit", "per\x00år", "osynliga styrtecken"),
            ("links-0-title", "Sida\x1b", "osynliga styrtecken"),
            ("participants-0-organisation", "22\x00", "Välj en organisation i listan"),
        ],
    )
    def test_is_a_readable_error_at_its_cell(self, client: TestClient, signed_in, cell, value, message):
        signed_in("2281")
        group = cell.split("-")[0]
        filled = {
            "participants": {"participants-0-organisation": "22", "participants-0-role": "partner"},
            "benefit_evidence": {"benefit_evidence-0-metric": "Besök"},
            "budget_by_year": {"budget_by_year-0-year": "2025", "budget_by_year-0-amount": "1"},
            "links": {"links-0-title": "Sida", "links-0-url": "https://a.se"},
        }[group]
        response = post_new(client, **(filled | {cell: value}))
        assert response.status_code == 422
        check_page(response)
        assert message in field_error(response.text, cell)

    def test_rows_beyond_the_limit_are_refused_with_a_message(self, client: TestClient, signed_in):
        signed_in("2281")
        rows = {f"links-{i}-title": f"Sida {i}" for i in range(60)} | {
            f"links-{i}-url": f"https://a.se/{i}" for i in range(60)
        }
        response = post_new(client, **rows, **{"participants-99999999999-organisation": "22"})
        assert response.status_code == 422
        check_page(response)
        expected = "Fel: Formuläret tar högst 50 rader här; de som kom efter rad 50 är inte med."
        assert field_error(response.text, "links") == field_error(response.text, "participants") == expected
        assert hidden_value(response.text, "links-rows") == "50"
        assert parse(response.text).find(".//input[@id='links-50-title']") is None

    @pytest.mark.parametrize(("asked", "shown"), [("999", "50"), ("9" * 5000, "2"), ("-3", "2")])
    def test_a_posted_row_count_shows_at_most_the_limit(self, client: TestClient, signed_in, asked, shown):
        signed_in("2281")
        response = post_new(client, **{"links-rows": asked, "title": "x"})
        assert response.status_code == 422
        assert hidden_value(response.text, "links-rows") == shown


class TestMoreRows:
    def test_offers_two_more_rows_keeping_what_was_typed_and_saves_nothing(self, client: TestClient, signed_in):
        signed_in("2281")
        response = post_new(client, **LINKS, fler_rader="links", title="x")
        assert response.status_code == 200
        text_shown = check_page(response)
        assert "Rätta" not in text_shown  # no errors yet: nothing was saved or checked
        assert hidden_value(response.text, "links-rows") == "5"
        document = parse(response.text)
        assert document.find(".//input[@id='links-0-title']").get("value") == "Projektsida"
        assert document.find(".//input[@id='links-4-url']") is not None
        assert client.get("/api/v1/initiatives").json()["items"] == []


class TestEdit:
    def test_removing_a_row_keeps_the_others_and_their_confirmation(
        self, client: TestClient, session: Session, signed_in
    ):
        initiative = make_initiative(
            session,
            owner="2281",
            participants=[{"organisation": "2262", "role": "partner"}, {"organisation": "22", "role": "funder"}],
            benefit_evidence=[{"metric": "A", "result": 0.1}, {"metric": "B", "baseline": 12.25}],
            budget_by_year={2025: 100, 2026: 200},
            links=[{"title": "Sida", "url": "https://a.se/"}],
        )
        confirm_participation(session, initiative, "2262")
        signed_in("2281")
        data = edit_form(client, initiative.id)
        assert data["benefit_evidence-0-result"] == "0,1" and data["benefit_evidence-1-baseline"] == "12,25"
        assert data["budget_by_year-1-year"] == "2026"
        # The API lists participants by code: Region Västernorrland (22) first.
        assert data["participants-0-organisation"] == "22" and data["participants-0-role"] == "funder"
        page = client.get(f"/initiativ/{initiative.id}/andra").text
        assert "Timrå: bekräftat" in text(parse(page).find(".//fieldset[@id='participants']"))
        response = client.post(
            f"/initiativ/{initiative.id}/andra",
            data=data
            | {"participants-0-remove": "on", "benefit_evidence-0-metric": "", "benefit_evidence-0-result": ""},
        )
        assert "Ändringarna är sparade" in check_page(response)
        stored = client.get(f"/api/v1/initiatives/{initiative.id}").json()
        assert [(p["organisation"], p["status"]) for p in stored["participants"]] == [("2262", "confirmed")]
        assert stored["benefit_evidence"] == [
            {"metric": "B", "baseline": 12.25, "result": None, "unit": None, "period": None, "source_url": None}
        ]
        assert stored["budget_by_year"] == {"2025": 100, "2026": 200}
        assert stored["links"] == [{"title": "Sida", "url": "https://a.se/"}]

    def test_an_unchanged_form_changes_no_group(self, client: TestClient, session: Session, signed_in):
        initiative = make_initiative(
            session,
            owner="2281",
            participants=[{"organisation": "2262", "role": "partner", "contribution_sek": 5, "steering_seats": 1}],
            benefit_evidence=[{"metric": "A", "baseline": 1 / 3, "source_url": "https://a.se"}],
            budget_by_year={2025: 100},
        )
        signed_in("2281")
        response = client.post(f"/initiativ/{initiative.id}/andra", data=edit_form(client, initiative.id))
        assert "Inget ändrades" in check_page(response)
        assert initiative_reads.get(session, initiative.id).version == 1

    def test_a_changed_group_is_sent_alone(self):
        stored = forms.empty_values("2281") | {"title": "Digital nattillsyn", "category": "health"} | BUDGET | LINKS
        changed = stored | {"budget_by_year-1-amount": "900 000"}
        update = forms.read_update(changed, stored, lambda codes: set())
        assert update.model_fields_set == {"budget_by_year"}
        assert update.budget_by_year == {2025: 400_000, 2026: 900_000}
        emptied = stored | {"links-0-title": "", "links-0-url": ""}
        assert forms.read_update(emptied, stored, lambda codes: set()).links == []
