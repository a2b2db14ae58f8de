"""Participation is a claim until the participating organisation confirms it with its own key."""

from tests.factories import make_initiative, make_key

PARTNERS = [
    {"organisation": "2262", "role": "partner", "contribution_sek": 500_000, "steering_seats": 1},
    {"organisation": "0180", "role": "funder", "contribution_sek": 5_000_000, "steering_seats": 3},
]


def listed(session, participants=PARTNERS):
    return make_initiative(session, owner="2281", participants=participants)


def statuses(client, initiative) -> dict[str, str]:
    body = client.get(f"/api/v1/initiatives/{initiative.id}").json()
    return {p["organisation"]: p["status"] for p in body["participants"]}


def answer(client, initiative, code: str, verb: str, headers):
    return client.post(f"/api/v1/initiatives/{initiative.id}/participants/{code}/{verb}", headers=headers)


class TestClaims:
    def test_participants_the_owner_lists_are_claimed(self, client, session):
        initiative = listed(session)
        assert statuses(client, initiative) == {"0180": "claimed", "2262": "claimed"}


class TestConfirm:
    def test_the_participant_confirms_with_its_own_key(self, client, session):
        initiative = listed(session)
        response = answer(client, initiative, "2262", "confirm", make_key(session, "2262"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert [(p["organisation"], p["status"]) for p in body["participants"]] == [
            ("0180", "claimed"),
            ("2262", "confirmed"),
        ]
        assert body["version"] == 2 and response.headers["etag"] == '"2"'

    def test_history_and_feed_record_the_participation_and_who_answered(self, client, session):
        initiative = listed(session)
        answer(client, initiative, "2262", "confirm", make_key(session, "2262"))
        history = client.get(f"/api/v1/initiatives/{initiative.id}/history").json()["items"]
        participation = [entry for entry in history if entry["entity"] == "participation"]
        assert [(e["action"], e["actor_kind"], e["actor_organisation_code"]) for e in participation] == [
            ("create", "admin", None),  # the owner listed 0180 and 2262 (the factory writes as the admin)
            ("create", "admin", None),
            ("update", "organisation", "2262"),
        ]
        assert participation[-1]["changes"] == {"status": {"old": "claimed", "new": "confirmed"}}
        feed = client.get("/api/v1/changes").json()["items"]
        entry = [item for item in feed if item["entity"] == "participation"][-1]
        assert entry["snapshot"] == {
            "initiative_id": str(initiative.id),
            "organisation": "2262",
            "role": "partner",
            "contribution_sek": 500_000,
            "steering_seats": 1,
            "status": "confirmed",
        }

    def test_the_admin_may_answer_on_its_behalf_and_is_recorded(self, client, session, admin_headers):
        initiative = listed(session)
        assert answer(client, initiative, "0180", "decline", admin_headers).status_code == 200
        history = client.get(f"/api/v1/initiatives/{initiative.id}/history").json()["items"]
        assert [(e["entity"], e["actor_kind"]) for e in history][-1] == ("participation", "admin")
        assert statuses(client, initiative) == {"0180": "declined", "2262": "claimed"}

    def test_another_organisations_key_is_403(self, client, session):
        initiative = listed(session)
        for key_of in ("2281", "1480"):  # the owner too: it may claim, not confirm
            response = answer(client, initiative, "2262", "confirm", make_key(session, key_of))
            assert response.status_code == 403
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"] == "/problems/forbidden"
        assert statuses(client, initiative)["2262"] == "claimed"

    def test_an_organisation_not_listed_is_404(self, client, session):
        initiative = listed(session)
        response = answer(client, initiative, "1480", "confirm", make_key(session, "1480"))
        assert response.status_code == 404
        assert response.json()["detail"] == f"1480 is not listed as a participant of the initiative {initiative.id}."

    def test_answering_the_same_again_changes_nothing(self, client, session):
        initiative = listed(session)
        headers = make_key(session, "2262")
        answer(client, initiative, "2262", "confirm", headers)
        again = answer(client, initiative, "2262", "confirm", headers)
        assert again.json()["version"] == 2

    def test_without_a_key_is_401(self, client, session):
        initiative = listed(session)
        assert answer(client, initiative, "2262", "confirm", {}).status_code == 401


class TestOwnerEdits:
    def test_unchanged_participants_keep_their_answers_and_changed_ones_are_claims_again(self, client, session):
        initiative = listed(session)
        answer(client, initiative, "2262", "confirm", make_key(session, "2262"))
        answer(client, initiative, "0180", "confirm", make_key(session, "0180"))
        edited = [
            PARTNERS[0],
            {**PARTNERS[1], "contribution_sek": 9_000_000},
            {"organisation": "1480", "role": "observer"},
        ]
        response = client.patch(
            f"/api/v1/initiatives/{initiative.id}",
            json={"participants": edited},
            headers={**make_key(session, "2281"), "If-Match": '"3"'},
        )
        assert response.status_code == 200, response.text
        assert statuses(client, initiative) == {"0180": "claimed", "1480": "claimed", "2262": "confirmed"}
        history = client.get(f"/api/v1/initiatives/{initiative.id}/history").json()["items"]
        last_write = [e for e in history if e["entity"] == "participation"][-2:]
        assert [(e["action"], e["changes"]) for e in last_write] == [
            (
                "update",
                {
                    "contribution_sek": {"old": 5_000_000, "new": 9_000_000},
                    "status": {"old": "confirmed", "new": "claimed"},
                },
            ),
            ("create", {}),
        ]

    def test_a_removed_participant_is_recorded_as_removed(self, client, session):
        initiative = listed(session)
        client.patch(
            f"/api/v1/initiatives/{initiative.id}",
            json={"participants": [PARTNERS[0]]},
            headers={**make_key(session, "2281"), "If-Match": '"1"'},
        )
        history = client.get(f"/api/v1/initiatives/{initiative.id}/history").json()["items"]
        [removed] = [e for e in history if e["entity"] == "participation" and e["action"] == "delete"]
        assert (removed["actor_organisation_code"], removed["changes"]) == ("2281", {})
        assert statuses(client, initiative) == {"2262": "claimed"}


class TestOrganisationListing:
    def test_a_declined_participation_is_not_listed_and_a_claimed_one_says_so(self, client, session):
        initiative = listed(session)
        answer(client, initiative, "0180", "decline", make_key(session, "0180"))
        assert client.get("/api/v1/organisations/0180/initiatives").json()["items"] == []
        [item] = client.get("/api/v1/organisations/2262/initiatives").json()["items"]
        assert [p["status"] for p in item["participants"] if p["organisation"] == "2262"] == ["claimed"]
