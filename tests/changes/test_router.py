"""The change feed: a partner replaying it into an empty mirror must end up with the registry."""

from app.initiatives import derived
from tests.factories import initiative_payload, make_initiative, make_key


def replay_feed(client, page_size: int) -> dict[tuple[str, str], dict]:
    mirror: dict[tuple[str, str], dict] = {}
    after = 0
    while True:
        page = client.get("/api/v1/changes", params={"after": after, "limit": page_size}).json()
        for change in page["items"]:
            key = (change["entity"], change["entity_id"])
            if change["action"] == "delete":
                mirror.pop(key, None)
            else:
                mirror[key] = change["snapshot"]
        after = page["last_sequence"]
        if page["next"] is None:
            return mirror


class TestChangeFeed:
    def test_replayed_feed_equals_the_registry(self, client, session, admin_headers):
        kept = make_initiative(session, title="Fallsensorer i särskilt boende")
        changed = make_initiative(session, title="E-tjänst för bygglov")
        archived = make_initiative(session, title="Chattbot för medborgarservice")
        client.patch(
            f"/api/v1/initiatives/{changed.id}",
            json={"status": "in_operation", "tags": ["bygglov"]},
            headers={**admin_headers, "If-Match": '"1"'},
        )
        client.delete(f"/api/v1/initiatives/{archived.id}", headers=admin_headers)
        adoption = client.post(
            f"/api/v1/initiatives/{kept.id}/adoptions",
            json={"organisation": "0180", "status": "piloting"},
            headers=admin_headers,
        ).json()
        withdrawn = client.post(
            f"/api/v1/initiatives/{changed.id}/adoptions",
            json={"organisation": "1480", "status": "considering"},
            headers=admin_headers,
        ).json()
        client.delete(f"/api/v1/initiatives/{changed.id}/adoptions/{withdrawn['id']}", headers=admin_headers)

        mirror = replay_feed(client, page_size=2)

        registry = {}
        for item in client.get("/api/v1/initiatives", params={"include_archived": True}).json()["items"]:
            for name in derived.fields():  # computed from other records at read time; a mirror derives them too
                item.pop(name)
            registry[("initiative", item["id"])] = item
            for a in client.get(f"/api/v1/initiatives/{item['id']}/adoptions").json()["items"]:
                registry[("adoption", a["id"])] = a
        assert mirror == registry
        assert ("adoption", adoption["id"]) in mirror

    def test_resumes_after_a_sequence_without_repeating(self, client, session):
        make_initiative(session)
        first = client.get("/api/v1/changes", params={"limit": 1}).json()
        make_initiative(session)
        rest = client.get("/api/v1/changes", params={"after": first["last_sequence"]}).json()
        sequences = [c["sequence"] for c in first["items"] + rest["items"]]
        assert len(sequences) == 2 and sequences == sorted(set(sequences))


class TestHistory:
    def test_records_who_changed_what(self, client, session):
        headers = make_key(session, "2281")
        created = client.post("/api/v1/initiatives", json=initiative_payload(budget_sek=100), headers=headers).json()
        client.patch(
            f"/api/v1/initiatives/{created['id']}", json={"budget_sek": 250}, headers={**headers, "If-Match": '"1"'}
        )
        entries = client.get(f"/api/v1/initiatives/{created['id']}/history").json()["items"]
        assert [e["action"] for e in entries] == ["create", "update"]
        assert entries[1]["actor_kind"] == "organisation" and entries[1]["actor_organisation_code"] == "2281"
        assert entries[1]["actor_key_id"] is not None
        assert entries[1]["changes"] == {"budget_sek": {"old": 100, "new": 250}}

    def test_unchanged_patch_records_nothing(self, client, session, admin_headers):
        initiative = make_initiative(session, budget_sek=100)
        response = client.patch(
            f"/api/v1/initiatives/{initiative.id}",
            json={"budget_sek": 100},
            headers={**admin_headers, "If-Match": '"1"'},
        )
        assert response.json()["version"] == 1
        assert len(client.get(f"/api/v1/initiatives/{initiative.id}/history").json()["items"]) == 1
