"""Hostile input in the web forms is explained in Swedish next to its field, never a 500 (issue 12)."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.caller import ADMIN
from app.initiatives import service as initiative_service
from tests.factories import make_initiative
from tests.web.html import check_page, field_error, hidden_value


def post_new(client: TestClient, **fields: str):
    form = client.get("/initiativ/nytt")
    data = {"csrf": hidden_value(form.text, "csrf"), "category": "health", "status": "idea", **fields}
    return client.post("/initiativ/nytt", data=data, follow_redirects=False)


class TestNewInitiativeForm:
    def test_a_5000_digit_amount_is_a_field_error(self, client: TestClient, signed_in):
        signed_in("2281")
        response = post_new(client, title="Stort belopp", budget_sek="9" * 5000)
        assert response.status_code == 422
        check_page(response)
        assert "hela kronor" in field_error(response.text, "budget_sek")

    def test_a_5000_digit_share_is_a_field_error(self, client: TestClient, signed_in):
        signed_in("2281")
        response = post_new(client, title="Stor andel", digital_share="9" * 5000)
        assert response.status_code == 422
        assert "mellan 0 och 100" in field_error(response.text, "digital_share")

    def test_nan_as_a_share_is_a_field_error(self, client: TestClient, signed_in):
        signed_in("2281")
        response = post_new(client, title="Ingen andel", digital_share="nan")
        assert response.status_code == 422
        assert "mellan 0 och 100" in field_error(response.text, "digital_share")

    def test_a_control_character_is_named_in_swedish(self, client: TestClient, signed_in, session: Session):
        signed_in("2281")
        response = post_new(client, title="Natt\x00tillsyn", tags="natt\x07, dag")
        assert response.status_code == 422
        expected = "Fel: Texten innehåller osynliga styrtecken (till exempel från en kopierad text); ta bort dem."
        assert field_error(response.text, "title") == expected
        assert field_error(response.text, "tags") == expected

    def test_line_breaks_in_the_description_are_kept(self, client: TestClient, signed_in):
        signed_in("2281")
        response = post_new(client, title="Med stycken", description="Ett.\r\n\r\nTvå.")
        assert response.status_code == 303, response.text


class TestArchivedInitiative:
    def test_the_edit_form_is_refused_in_swedish(self, client: TestClient, signed_in, session: Session):
        initiative = make_initiative(session, owner="2281")
        initiative_service.archive(session, initiative.id, None, ADMIN)
        signed_in("2281")
        response = client.get(f"/initiativ/{initiative.id}/andra")
        assert response.status_code == 409
        assert "Initiativet är arkiverat" in check_page(response)
        page = client.get(f"/initiativ/{initiative.id}")
        assert f"/initiativ/{initiative.id}/andra" not in page.text

    def test_a_posted_edit_is_refused_and_changes_nothing(self, client: TestClient, signed_in, session: Session):
        initiative = make_initiative(session, owner="2281")
        signed_in("2281")
        form = client.get(f"/initiativ/{initiative.id}/andra")
        initiative_service.archive(session, initiative.id, None, ADMIN)
        response = client.post(
            f"/initiativ/{initiative.id}/andra",
            data={"csrf": hidden_value(form.text, "csrf"), "version": "1", "title": "Ändrad titel"},
        )
        assert response.status_code == 409
        assert "Initiativet är arkiverat" in check_page(response)
        assert client.get(f"/api/v1/initiatives/{initiative.id}").json()["title"] == initiative.title
