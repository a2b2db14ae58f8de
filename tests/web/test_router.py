import csv
import io
import json
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth import service as auth_service
from app.core.caller import ADMIN
from app.core.db import get_session
from app.initiatives import reads as initiative_reads
from app.initiatives import service as initiative_service
from app.initiatives.schemas import InitiativeUpdate
from app.main import create_app
from tests.conftest import ADMIN_TOKEN
from tests.factories import make_initiative
from tests.web.conftest import sign_in
from tests.web.html import check_page, field_error, hidden_value, main_text, parse, table_rows


class TestStart:
    def test_shows_counts_by_status_and_category(self, client: TestClient, session: Session):
        make_initiative(session, status="pilot", category="welfare_technology")
        make_initiative(session, status="in_operation", category="e_service")
        response = client.get("/")
        assert response.status_code == 200
        text = check_page(response)
        assert "Initiativ per status" in text and "Initiativ per kategori" in text
        assert "välfärdsteknik" in text and "i drift" in text
        assert 'href="/initiativ?status=pilot"' in response.text

    def test_has_a_search_box_that_goes_to_the_list(self, client: TestClient):
        document = parse(client.get("/").text)
        form = document.find(".//form[@role='search']")
        assert form.get("action") == "/initiativ"
        assert form.find(".//input[@name='q']") is not None

    def test_sets_no_cookie_for_readers(self, client: TestClient):
        assert "set-cookie" not in client.get("/").headers

    def test_forbids_scripts_framing_and_other_hosts(self, client: TestClient):
        policy = client.get("/").headers["content-security-policy"]
        assert "script-src 'none'" in policy and "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


class TestInitiatives:
    def test_search_finds_inflected_words(self, client: TestClient, session: Session):
        make_initiative(session, title="Digital nattillsyn i Sundsvall")
        make_initiative(session, title="E-tjänst för bygglov", tags=["bygglov"], summary="Ansök om bygglov digitalt.")
        text = check_page(client.get("/initiativ", params={"q": "nattillsynen"}))
        assert "Digital nattillsyn i Sundsvall" in text
        assert "E-tjänst för bygglov" not in text

    def test_filters_by_category_status_county_and_organisation(self, client: TestClient, session: Session):
        make_initiative(session, title="Sensorer i Sundsvall", owner="2281", category="welfare_technology")
        make_initiative(session, title="Robot i Göteborg", owner="1480", category="automation", status="in_operation")
        assert "Robot i Göteborg" in check_page(client.get("/initiativ?category=automation"))
        assert "Robot i Göteborg" not in check_page(client.get("/initiativ?category=welfare_technology"))
        assert "Sensorer i Sundsvall" in check_page(client.get("/initiativ?county=22"))
        assert "Sensorer i Sundsvall" not in check_page(client.get("/initiativ?status=in_operation"))
        assert "Robot i Göteborg" in check_page(client.get("/initiativ?organisation=1480"))

    def test_facets_count_each_choice_under_the_other_filters(self, client: TestClient, session: Session):
        make_initiative(session, owner="2281", category="automation", status="pilot")
        make_initiative(session, owner="2281", category="automation", status="in_operation")
        make_initiative(session, owner="1480", category="automation", status="pilot")
        document = parse(client.get("/initiativ?county=22&category=automation").text)
        pilot_label = document.find(".//label[@for='status-pilot']")
        operation_label = document.find(".//label[@for='status-in_operation']")
        assert "(1)" in "".join(pilot_label.itertext())
        assert "(1)" in "".join(operation_label.itertext())
        county = document.find(".//select[@id='county']/option[@value='14']")
        assert "(1)" in county.text and county.get("selected") is None
        assert document.find(".//input[@id='category-automation']").get("checked") is not None

    def test_pages_with_a_next_link_that_keeps_the_query(self, client: TestClient, session: Session):
        titles = {
            make_initiative(session, title=f"Pagineringsprov {n:02d}", category="education").title for n in range(27)
        }
        first = client.get("/initiativ?category=education&sort=title")
        next_link = parse(first.text).find(".//a[@rel='next']").get("href")
        assert "category=education" in next_link and "sort=title" in next_link and "cursor=" in next_link
        second = check_page(client.get(next_link))
        assert "Pagineringsprov 26" in second and "Pagineringsprov 00" not in second
        assert parse(client.get(next_link).text).find(".//a[@rel='next']") is None
        assert len(titles) == 27

    def test_ignores_nonsense_in_the_url(self, client: TestClient, session: Session):
        make_initiative(session, title="Tåligt initiativ")
        response = client.get("/initiativ?status=nonsense&category=&sort=drop+table&county=999")
        assert response.status_code == 200
        assert "Tåligt initiativ" in check_page(response)

    def test_a_forged_cursor_is_explained_in_swedish(self, client: TestClient):
        response = client.get("/initiativ?q=x&cursor=not-a-cursor", follow_redirects=False)
        assert response.status_code == 400
        assert "Börja om från listans första sida" in check_page(response)

    def test_offers_downloads_of_the_current_query(self, client: TestClient):
        document = parse(client.get("/initiativ?category=health&q=vård").text)
        hrefs = {a.get("href") for a in document.iter("a")}
        assert "/initiativ.csv?q=v%C3%A5rd&category=health" in hrefs
        assert "/initiativ.xlsx?q=v%C3%A5rd&category=health" in hrefs
        assert "/initiativ.jsonl?q=v%C3%A5rd&category=health" in hrefs


class TestDownloadInitiatives:
    def test_csv_holds_only_the_matching_initiatives(self, client: TestClient, session: Session):
        make_initiative(session, title="Med i exporten", category="health")
        make_initiative(session, title="Inte med", category="education")
        response = client.get("/initiativ.csv?category=health")
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        assert response.content.startswith("\ufeff".encode())
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert [row["Titel"] for row in rows] == ["Med i exporten"]
        assert rows[0]["Ägarens kod"] == "2281" and rows[0]["Kategori"] == "hälsa"

    def test_json_lines_has_one_record_per_initiative_across_pages(self, client: TestClient, session: Session):
        for n in range(3):
            make_initiative(session, title=f"Exportprov {n}", category="citizen_dialogue")
        response = client.get("/initiativ.jsonl?category=citizen_dialogue")
        records = [json.loads(line) for line in response.text.splitlines()]
        assert sorted(r["title"] for r in records) == ["Exportprov 0", "Exportprov 1", "Exportprov 2"]

    def test_unknown_format_is_404(self, client: TestClient):
        response = client.get("/initiativ.xml")
        assert response.status_code == 404
        assert "CSV" in check_page(response)


class TestInitiative:
    def test_shows_every_field_in_swedish(self, client: TestClient, session: Session):
        initiative = make_initiative(
            session,
            title="Fallsensorer i särskilt boende",
            status="in_operation",
            category="welfare_technology",
            budget_sek=2_500_000,
            digital_share=0.4,
            realised_benefit_sek_per_year=900_000,
            has_benefit_realisation_plan=True,
            strategy_refs=["Digitaliseringsstrategi 2025"],
            solution={"name": "Fallsensor X", "vendor": "Leverantören AB"},
            participants=[{"organisation": "22", "role": "funder", "contribution_sek": 300_000}],
            benefit_evidence=[{"metric": "Fallolyckor per månad", "baseline": 25, "result": 9, "unit": "st"}],
        )
        text = check_page(client.get(f"/initiativ/{initiative.id}"))
        for expected in (
            "Fallsensorer i särskilt boende",
            "i drift",
            "välfärdsteknik",
            "2 500 000 kr",
            "40 %",
            "900 000 kr",
            "Digitaliseringsstrategi 2025",
            "Fallsensor X från Leverantören AB",
            "Region Västernorrland",
            "finansiär",
            "300 000 kr",
            "Fallolyckor per månad",
            "Sundsvall",
            "Västernorrlands län",
        ):
            assert expected in text, expected

    def test_shows_status_history_and_change_history(self, client: TestClient, session: Session):
        initiative = make_initiative(session, status="pilot")
        initiative_service.update(
            session, initiative.id, InitiativeUpdate(status="in_operation", budget_sek=5), ADMIN, initiative.version
        )
        document = parse(client.get(f"/initiativ/{initiative.id}").text)
        timeline = " ".join("".join(li.itertext()) for li in document.find(".//ol[@class='timeline']"))
        assert "pilot" in timeline and "i drift" in timeline
        history = [" ".join("".join(li.itertext()).split()) for li in document.find(".//ol[@class='history']")]
        assert len(history) == 2
        assert "ändrades av registrets administratör (version 2)" in history[0]
        assert "Ändrat: status, statushistorik, budget." in history[0]
        assert "registrerades" in history[1]

    def test_unknown_or_malformed_id_is_a_swedish_404(self, client: TestClient):
        for path in (f"/initiativ/{uuid.uuid4()}", "/initiativ/inte-ett-id"):
            response = client.get(path)
            assert response.status_code == 404
            assert "Sidan finns inte" in check_page(response)

    def test_owner_signed_in_sees_an_edit_link(self, client: TestClient, session: Session, signed_in):
        initiative = make_initiative(session, owner="2281")
        other = make_initiative(session, owner="1480")
        signed_in("2281")
        assert f"/initiativ/{initiative.id}/andra" in client.get(f"/initiativ/{initiative.id}").text
        assert f"/initiativ/{other.id}/andra" not in client.get(f"/initiativ/{other.id}").text


class TestOrganisation:
    def test_lists_the_portfolio(self, client: TestClient, session: Session):
        make_initiative(session, title="Eget initiativ", owner="2281", budget_sek=100_000)
        make_initiative(
            session, title="Delat initiativ", owner="1480", participants=[{"organisation": "2281", "role": "partner"}]
        )
        make_initiative(session, title="Någon annans", owner="1480")
        text = check_page(client.get("/organisation/2281"))
        assert "Sundsvall" in text and "Kommun i Västernorrlands län" in text
        assert "Eget initiativ" in text and "100 000 kr" in text  # two significant figures
        assert "Delat initiativ" in text and "ägs av Göteborg" in text
        assert "Någon annans" not in text

    def test_unknown_code_is_404(self, client: TestClient):
        response = client.get("/organisation/0000")
        assert response.status_code == 404
        assert "0000" in check_page(response)


class TestAbout:
    def test_explains_licence_api_and_change_feed(self, client: TestClient):
        response = client.get("/om")
        text = check_page(response)
        assert "CC0" in text and "kollektiv digitalisering" in text.lower()
        hrefs = {a.get("href") for a in parse(response.text).iter("a")}
        assert {"/docs", "/api/v1/changes"} <= hrefs


class TestSignIn:
    def test_a_valid_key_signs_in_without_keeping_the_key(self, client: TestClient, session: Session):
        _key, secret = auth_service.mint(session, "2281")
        sign_in(client, secret)
        cookie = client.cookies.get("registret_session")
        assert cookie and secret not in cookie
        assert client.get("/").headers["cache-control"] == "no-store"
        header = parse(client.get("/").text).find(".//header")
        assert "Inloggad: Sundsvall" in "".join(header.itertext())

    def test_an_unknown_key_is_refused_in_swedish(self, client: TestClient):
        form = client.get("/logga-in")
        response = client.post("/logga-in", data={"key": "reg_fel", "csrf": hidden_value(form.text, "csrf")})
        assert response.status_code == 422
        assert "Nyckeln är okänd" in check_page(response)
        assert "Inloggad" not in response.text

    def test_a_post_without_the_csrf_token_is_refused(self, client: TestClient, session: Session):
        _key, secret = auth_service.mint(session, "2281")
        client.get("/logga-in")
        response = client.post("/logga-in", data={"key": secret, "csrf": "forged"})
        assert response.status_code == 403
        assert "Formuläret har gått ut" in check_page(response)

    def test_the_admin_token_cannot_sign_in(self, client: TestClient):
        form = client.get("/logga-in")
        response = client.post("/logga-in", data={"key": ADMIN_TOKEN, "csrf": hidden_value(form.text, "csrf")})
        assert response.status_code == 422
        assert "Administratörsnyckeln kan inte användas för att logga in på webben" in check_page(response)
        assert "Inloggad" not in client.get("/").text

    def test_wrong_keys_are_throttled_per_client(self, client: TestClient, session: Session):
        _key, secret = auth_service.mint(session, "2281")
        csrf = hidden_value(client.get("/logga-in").text, "csrf")
        statuses = [client.post("/logga-in", data={"key": f"reg_fel{n}", "csrf": csrf}).status_code for n in range(10)]
        refused = client.post("/logga-in", data={"key": secret, "csrf": csrf})
        assert statuses == [422] * 10
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "60")
        assert "För många misslyckade inloggningar" in check_page(refused)

    def test_a_revoked_key_ends_the_session(self, client: TestClient, session: Session):
        key, secret = auth_service.mint(session, "2281")
        sign_in(client, secret)
        auth_service.revoke(key)
        session.flush()
        response = client.get("/initiativ/nytt", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/logga-in")

    # A browser drops tabs and line breaks from an address before reading it: "/<tab>/host" is "//host".
    @pytest.mark.parametrize(
        "elsewhere",
        ["//evil.example/", "/\t/evil.example", "/\n/evil.example", "/\\evil.example", "https://evil.example"],
    )
    def test_next_may_only_point_inside_the_site(self, client: TestClient, session: Session, elsewhere: str):
        _key, secret = auth_service.mint(session, "2281")
        form = client.get("/logga-in")
        response = client.post(
            "/logga-in",
            data={"key": secret, "csrf": hidden_value(form.text, "csrf"), "next": elsewhere},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"

    def test_next_inside_the_site_is_followed(self, client: TestClient, session: Session):
        _key, secret = auth_service.mint(session, "2281")
        form = client.get("/logga-in")
        response = client.post(
            "/logga-in",
            data={"key": secret, "csrf": hidden_value(form.text, "csrf"), "next": "/initiativ?category=health"},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/initiativ?category=health"

    def test_sign_out_forgets_the_session(self, client: TestClient, signed_in):
        signed_in("2281")
        page = client.get("/")
        client.post("/logga-ut", data={"csrf": hidden_value(page.text, "csrf")})
        assert "Inloggad" not in client.get("/").text


class TestCreateInitiative:
    def test_signed_out_is_sent_to_sign_in(self, client: TestClient):
        response = client.get("/initiativ/nytt", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/logga-in?next=/initiativ/nytt"

    def test_form_has_a_label_for_every_field(self, client: TestClient, signed_in):
        signed_in("2281")
        response = client.get("/initiativ/nytt")
        text = check_page(response)
        assert "Registrera ett initiativ" in text and "Ägare: Sundsvall" in text

    def test_bad_input_is_explained_next_to_each_field(self, client: TestClient, signed_in):
        signed_in("2281")
        form = client.get("/initiativ/nytt")
        response = client.post(
            "/initiativ/nytt",
            data={
                "csrf": hidden_value(form.text, "csrf"),
                "title": "x",
                "category": "welfare_technology",
                "status": "pilot",
                "budget_sek": "mycket",
                "digital_share": "140",
                "solution_url": "inte en adress",
                "start_date": "2026-05-01",
                "end_date": "2026-01-01",
                "contact_email": "nej",
            },
        )
        assert response.status_code == 422
        check_page(response)
        assert field_error(response.text, "title") == "Fel: Skriv minst 3 tecken."
        assert "hela kronor" in field_error(response.text, "budget_sek")
        assert "mellan 0 och 100" in field_error(response.text, "digital_share")
        assert "Lösningens namn" in main_text(response.text)
        assert "e-postadress" in field_error(response.text, "contact_email")
        assert hidden_value(response.text, "csrf")
        assert parse(response.text).find(".//input[@id='budget_sek']").get("value") == "mycket"

    def test_service_checks_come_back_in_swedish(self, client: TestClient, signed_in):
        signed_in("2281")
        form = client.get("/initiativ/nytt")
        response = client.post(
            "/initiativ/nytt",
            data={
                "csrf": hidden_value(form.text, "csrf"),
                "title": "Datum i fel ordning",
                "category": "health",
                "status": "idea",
                "start_date": "2026-05-01",
                "end_date": "2026-01-01",
            },
        )
        assert response.status_code == 422
        assert field_error(response.text, "end_date") == "Fel: Slutdatum får inte vara före startdatum."

    def test_good_input_registers_it_for_the_signed_in_organisation(self, client: TestClient, signed_in, session):
        signed_in("2281")
        form = client.get("/initiativ/nytt")
        response = client.post(
            "/initiativ/nytt",
            data={
                "csrf": hidden_value(form.text, "csrf"),
                "title": "Digitala möten med socialtjänsten",
                "category": "e_service",
                "status": "planned",
                "budget_sek": "1 200 000 kr",
                "digital_share": "75",
                "tags": "videomöte, socialtjänst",
                "solution_name": "Mötesverktyget",
                "has_benefit_realisation_plan": "on",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        page = client.get(response.headers["location"])
        text = check_page(page)
        assert "Initiativet är registrerat" in text
        assert "Digitala möten med socialtjänsten" in text and "1 200 000 kr" in text and "75 %" in text
        assert "ägs av Sundsvall" in text
        created = initiative_reads.read(session, uuid.UUID(response.headers["location"].rsplit("/", 1)[1]))
        assert created.owner == "2281" and created.digital_share == 0.75
        assert created.tags == ["socialtjänst", "videomöte"]

    def test_registering_for_another_organisation_is_forbidden_as_in_the_api(
        self, client: TestClient, signed_in, session
    ):
        signed_in("2281")
        form = client.get("/initiativ/nytt")
        fields = {
            "csrf": hidden_value(form.text, "csrf"),
            "title": "Någon annans",
            "category": "other",
            "status": "idea",
        }
        response = client.post("/initiativ/nytt", data=fields | {"owner": "1480"})
        assert response.status_code == 403 and "Göteborg" in check_page(response)
        assert client.get("/api/v1/initiatives", params={"q": "annans"}).json()["items"] == []


class TestUpdateInitiative:
    def edit_form(self, client: TestClient, initiative_id) -> tuple[str, dict[str, str]]:
        page = client.get(f"/initiativ/{initiative_id}/andra")
        document = parse(page.text)
        data = {
            e.get("name"): e.get("value") or ""
            for e in document.iter("input")
            if e.get("name") and (e.get("type") != "checkbox" or e.get("checked") is not None)
        }
        data |= {e.get("name"): (e.text or "") for e in document.iter("textarea")}
        data |= {
            # As a browser does: the selected option, else the first.
            s.get("name"): next(
                (o.get("value") for o in s.iter("option") if o.get("selected") is not None),
                s.find("option").get("value"),
            )
            for s in document.iter("select")
        }
        return page.text, data

    def test_changes_only_what_was_edited(self, client: TestClient, session: Session, signed_in):
        initiative = make_initiative(
            session, digital_share=0.123456789, participants=[{"organisation": "22", "role": "partner"}]
        )
        signed_in("2281")
        _page, data = self.edit_form(client, initiative.id)
        assert data["version"] == "1" and data["digital_share"] == "12.3456789"
        response = client.post(f"/initiativ/{initiative.id}/andra", data=data | {"title": "Nytt namn på initiativet"})
        assert "Ändringarna är sparade" in check_page(response)
        reloaded = initiative_reads.read(session, initiative.id)
        assert reloaded.title == "Nytt namn på initiativet" and reloaded.version == 2
        assert reloaded.digital_share == 0.123456789
        assert [p.organisation for p in reloaded.participants] == ["22"]

    def test_an_unchanged_form_changes_nothing(self, client: TestClient, session: Session, signed_in):
        initiative = make_initiative(session)
        signed_in("2281")
        _page, data = self.edit_form(client, initiative.id)
        response = client.post(f"/initiativ/{initiative.id}/andra", data=data)
        assert "Inget ändrades" in check_page(response)
        assert initiative_reads.get(session, initiative.id).version == 1

    def test_a_stale_edit_is_refused_and_explained(self, client: TestClient, session: Session, signed_in):
        initiative = make_initiative(session)
        signed_in("2281")
        _page, data = self.edit_form(client, initiative.id)
        initiative_service.update(session, initiative.id, InitiativeUpdate(summary="Någon annans ändring"), ADMIN, 1)
        response = client.post(f"/initiativ/{initiative.id}/andra", data=data | {"title": "Min ändring"})
        assert response.status_code == 409
        text = check_page(response)
        assert "Någon annan har ändrat initiativet" in text and "version 1" in text and "version 2" in text
        assert parse(response.text).find(".//input[@id='title']").get("value") == "Min ändring"
        stored = initiative_reads.get(session, initiative.id)
        assert stored.title != "Min ändring" and stored.summary == "Någon annans ändring"

    def test_bad_input_keeps_the_version_and_explains(self, client: TestClient, session: Session, signed_in):
        initiative = make_initiative(session)
        signed_in("2281")
        _page, data = self.edit_form(client, initiative.id)
        response = client.post(f"/initiativ/{initiative.id}/andra", data=data | {"end_date": "31/12/2026"})
        assert response.status_code == 422
        assert field_error(response.text, "end_date") == "Fel: Ange ett datum som ÅÅÅÅ-MM-DD."
        assert hidden_value(response.text, "version") == "1"

    def test_another_organisations_initiative_is_forbidden(self, client: TestClient, session: Session, signed_in):
        initiative = make_initiative(session, owner="1480")
        signed_in("2281")
        response = client.get(f"/initiativ/{initiative.id}/andra")
        assert response.status_code == 403
        assert "Göteborg" in check_page(response)
        page = client.get("/")
        posted = client.post(
            f"/initiativ/{initiative.id}/andra",
            data={"csrf": hidden_value(page.text, "csrf"), "version": "1", "title": "Kapat"},
        )
        assert posted.status_code == 403
        assert initiative_reads.get(session, initiative.id).title != "Kapat"

    def test_moving_ones_own_initiative_to_another_owner_is_forbidden_as_in_the_api(
        self, client: TestClient, session: Session, signed_in
    ):
        initiative = make_initiative(session, owner="2281")
        signed_in("2281")
        _page, data = self.edit_form(client, initiative.id)
        response = client.post(f"/initiativ/{initiative.id}/andra", data=data | {"owner": "1480"})
        assert response.status_code == 403 and "Sundsvall" in check_page(response)
        assert initiative_reads.get(session, initiative.id).owner_code == "2281"


class TestOrganisations:
    def test_finds_by_name_and_counts_owned_initiatives(self, client: TestClient, session: Session):
        make_initiative(session, owner="2281")
        make_initiative(session, owner="2281")
        response = client.get("/organisation?q=sundsv")
        check_page(response)
        assert table_rows(parse(response.text)) == [["Sundsvall", "kommun", "Västernorrlands län", "2", "ja"]]

    def test_filters_by_county(self, client: TestClient):
        document = parse(client.get("/organisation?county=22").text)
        names = [a.text for a in document.iter("a") if (a.get("href") or "").startswith("/organisation/")]
        assert "Sundsvall" in names and "Region Västernorrland" in names and "Göteborg" not in names


class TestSignInWithoutASecret:
    def test_browsing_works_and_sign_in_says_it_is_off(self, settings, session: Session):

        application = create_app(settings.model_copy(update={"admin_token": None, "session_secret": None}))

        def request_session():
            with session.begin_nested():
                yield session

        application.dependency_overrides[get_session] = request_session
        with TestClient(application) as anonymous:
            assert anonymous.get("/").status_code == 200
            page = anonymous.get("/logga-in")
            assert "Inloggning är inte aktiverad" in check_page(page)
            refused = anonymous.post("/logga-in", data={"key": "reg_x"})
            assert refused.status_code == 503 and "set-cookie" not in refused.headers
        application.state.engine.dispose()


class TestEveryPage:
    """Each page, anonymous and signed in: well-formed HTML5, lang="sv", every field labelled, under 300 KB."""

    PATHS = (
        "/",
        "/initiativ",
        "/initiativ?q=tillsyn&status=pilot",
        "/initiativ/{id}",
        "/organisation",
        "/organisation/2281",
        "/dubbelarbete",
        "/om",
        "/logga-in",
        "/initiativ/{missing}",
    )

    @pytest.mark.parametrize("path", PATHS)
    def test_anonymous(self, client: TestClient, session: Session, path: str):
        initiative = make_initiative(session, participants=[{"organisation": "22", "role": "partner"}])
        response = client.get(path.format(id=initiative.id, missing=uuid.uuid4()))
        assert check_page(response)

    @pytest.mark.parametrize("path", [*PATHS, "/initiativ/nytt", "/initiativ/{id}/andra"])
    def test_signed_in(self, client: TestClient, session: Session, signed_in, path: str):
        initiative = make_initiative(session)
        signed_in("2281")
        response = client.get(path.format(id=initiative.id, missing=uuid.uuid4()))
        assert "Inloggad: Sundsvall" in "".join(parse(response.text).find(".//header").itertext())
        assert check_page(response)


class TestErrorPages:
    def test_unknown_page_address_is_a_swedish_page_for_browsers(self, client):
        response = client.get("/finns-inte", headers={"Accept": "text/html"})
        assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
        assert "Sidan finns inte" in response.text and 'lang="sv"' in response.text

    def test_api_clients_still_get_problem_documents(self, client):
        response = client.get("/api/v1/finns-inte", headers={"Accept": "text/html"})
        assert response.headers["content-type"] == "application/problem+json"
        assert client.get("/finns-inte").json()["type"] == "/problems/not-found"
