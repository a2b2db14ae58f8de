"""The subscriptions API: who may do what, secrets, URL refusal, filters, the outbox and replays."""

import base64
import uuid

import pytest
from sqlmodel import col, select

from app.changes.models import Change
from app.webhooks import service as webhook_service
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.factories import initiative_payload, make_key

PUBLIC_URL = "https://93.184.215.14/hooks/registry"  # a public address literal: nothing is sent in these tests


def subscribe(client, headers, url=PUBLIC_URL, events=("initiative.*",), **extra):
    return client.post("/api/v1/webhooks", json={"url": url, "events": list(events), **extra}, headers=headers)


def queued(session, webhook_id) -> list[tuple[int, str]]:
    statement = (
        select(WebhookDelivery.sequence, WebhookDelivery.event_type)
        .where(WebhookDelivery.subscription_id == webhook_id)
        .order_by(col(WebhookDelivery.sequence))
    )
    return [tuple(row) for row in session.exec(statement)]


def latest_sequence(session) -> int:
    return max(session.exec(select(Change.sequence)).all() or [0])


class TestCreate:
    def test_answer_holds_the_secret_once(self, client, session):
        headers = make_key(session, "2281")
        response = subscribe(client, headers, description="Ärendesystemet")
        assert response.status_code == 201
        body = response.json()
        assert body["organisation"] == "2281" and body["events"] == ["initiative.*"] and body["is_active"] is True
        assert body["filters"] == {"organisations": [], "counties": [], "categories": []}
        assert body["secret"].startswith("whsec_") and len(base64.b64decode(body["secret"][6:])) == 32
        read = client.get(f"/api/v1/webhooks/{body['id']}", headers=headers).json()
        assert "secret" not in read and read["description"] == "Ärendesystemet"

    def test_the_admin_owns_its_own(self, client, admin_headers):
        assert subscribe(client, admin_headers).json()["organisation"] is None

    def test_without_a_key_is_401(self, client):
        assert subscribe(client, {}).status_code == 401

    def test_unknown_event_type_is_422(self, client, admin_headers):
        response = subscribe(client, admin_headers, events=["initiative.exploded"])
        assert response.status_code == 422
        assert response.json()["invalid_parameters"][0]["property"] == "events.0"


class TestTargets:
    @pytest.mark.parametrize(
        ("url", "reason"),
        [
            ("http://93.184.215.14/hook", "must be an https:// URL"),
            ("ftp://93.184.215.14/hook", "must be an https:// URL"),
            (
                "https://127.0.0.1/hook",
                "must be a public address; 127.0.0.1 is 127.0.0.1 (loopback, private or reserved)",
            ),
            ("https://localhost:8443/hook", "must be a public address; localhost is"),
            ("https://10.1.2.3/hook", "must be a public address; 10.1.2.3 is 10.1.2.3"),
            ("https://192.168.0.10/hook", "must be a public address; 192.168.0.10 is 192.168.0.10"),
            ("https://169.254.169.254/latest", "must be a public address; 169.254.169.254 is 169.254.169.254"),
            ("https://[::1]/hook", "must be a public address; ::1 is ::1"),
            ("https://[::ffff:10.0.0.1]/hook", "must be a public address; ::ffff:10.0.0.1 is ::ffff:a00:1"),
            ("https://user:pw@93.184.215.14/hook", "must not carry a user name or password"),
            ("https:///hook", "has no host"),
        ],
    )
    def test_refused(self, client, admin_headers, url, reason):
        response = subscribe(client, admin_headers, url=url)
        assert response.status_code == 422
        problem = response.json()
        assert problem["type"] == "/problems/validation-failed"
        assert problem["invalid_parameters"][0]["property"] == "url"
        assert problem["invalid_parameters"][0]["reason"].startswith(reason)

    def test_private_and_http_allowed_when_configured(self, app, client, admin_headers):
        app.state.settings = app.state.settings.model_copy(update={"webhook_allow_private": True})
        assert subscribe(client, admin_headers, url="http://127.0.0.1:9/hook").status_code == 201
        assert subscribe(client, admin_headers, url="ftp://127.0.0.1/hook").status_code == 422

    def test_changing_the_url_is_checked_too(self, client, admin_headers):
        created = subscribe(client, admin_headers).json()
        response = client.patch(
            f"/api/v1/webhooks/{created['id']}", json={"url": "https://10.0.0.1/"}, headers=admin_headers
        )
        assert response.status_code == 422
        assert client.get(f"/api/v1/webhooks/{created['id']}", headers=admin_headers).json()["url"] == PUBLIC_URL


class TestOwnership:
    def test_an_organisation_sees_only_its_own(self, client, session, admin_headers):
        sundsvall, stockholm = make_key(session, "2281"), make_key(session, "0180")
        own = subscribe(client, sundsvall).json()["id"]
        subscribe(client, stockholm)
        subscribe(client, admin_headers)
        assert [w["id"] for w in client.get("/api/v1/webhooks", headers=sundsvall).json()["items"]] == [own]
        assert len(client.get("/api/v1/webhooks", headers=admin_headers).json()["items"]) == 3

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", ""),
            ("PATCH", ""),
            ("DELETE", ""),
            ("POST", "/rotate-secret"),
            ("GET", "/deliveries"),
            ("POST", "/replay?after=0"),
        ],
    )
    def test_another_organisations_key_gets_404(self, client, session, method, path):
        webhook_id = subscribe(client, make_key(session, "2281")).json()["id"]
        response = client.request(
            method,
            f"/api/v1/webhooks/{webhook_id}{path}",
            headers=make_key(session, "0180"),
            json={} if method == "PATCH" else None,
        )
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == f"You have no webhook subscription with the id {webhook_id}."

    def test_an_organisation_cannot_reach_the_admins(self, client, session, admin_headers):
        webhook_id = subscribe(client, admin_headers).json()["id"]
        assert client.get(f"/api/v1/webhooks/{webhook_id}", headers=make_key(session, "2281")).status_code == 404

    def test_the_admin_reaches_every_one(self, client, session, admin_headers):
        webhook_id = subscribe(client, make_key(session, "2281")).json()["id"]
        assert client.delete(f"/api/v1/webhooks/{webhook_id}", headers=admin_headers).status_code == 204
        assert client.get(f"/api/v1/webhooks/{webhook_id}", headers=admin_headers).status_code == 404


class TestUpdate:
    def test_changes_only_what_is_sent(self, client, admin_headers):
        created = subscribe(client, admin_headers, description="a").json()
        body = {"events": ["adoption.created"], "filters": {"categories": ["health"]}}
        updated = client.patch(f"/api/v1/webhooks/{created['id']}", json=body, headers=admin_headers).json()
        assert updated["events"] == ["adoption.created"] and updated["url"] == PUBLIC_URL
        assert updated["filters"] == {"organisations": [], "counties": [], "categories": ["health"]}
        assert updated["description"] == "a"

    def test_disable_and_enable(self, client, admin_headers):
        webhook_id = subscribe(client, admin_headers).json()["id"]
        off = client.patch(f"/api/v1/webhooks/{webhook_id}", json={"is_active": False}, headers=admin_headers).json()
        assert (off["is_active"], off["disabled_reason"]) == (False, "Disabled by its owner.")
        on = client.patch(f"/api/v1/webhooks/{webhook_id}", json={"is_active": True}, headers=admin_headers).json()
        assert (on["is_active"], on["disabled_reason"], on["disabled_at"]) == (True, None, None)


class TestRotateSecret:
    def test_new_secret_and_the_old_one_overlaps(self, client, session, admin_headers):
        created = subscribe(client, admin_headers).json()
        rotated = client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", headers=admin_headers).json()
        assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
        assert rotated["previous_secret_expires_at"] > created["created_at"]
        subscription = session.get(WebhookSubscription, uuid.UUID(created["id"]))
        assert webhook_service.signing_keys(subscription) == [rotated["secret"], created["secret"]]


class TestOutbox:
    def test_each_change_is_queued_with_its_event_type(self, client, session, admin_headers):
        webhook_id = subscribe(client, admin_headers, events=["initiative.*", "adoption.created"]).json()["id"]
        before = latest_sequence(session)
        created = client.post("/api/v1/initiatives", json=initiative_payload(), headers=admin_headers).json()
        client.patch(
            f"/api/v1/initiatives/{created['id']}",
            json={"budget_sek": 5},
            headers={**admin_headers, "If-Match": f'"{created["version"]}"'},
        )
        client.post(
            f"/api/v1/initiatives/{created['id']}/adoptions",
            json={"organisation": "0180", "status": "piloting"},
            headers=admin_headers,
        )
        sequences = session.exec(
            select(Change.sequence).where(col(Change.sequence) > before).order_by(col(Change.sequence))
        ).all()
        assert queued(session, uuid.UUID(webhook_id)) == list(
            zip(sequences, ["initiative.created", "initiative.updated", "adoption.created"], strict=True)
        )
