from tests.factories import make_initiative, make_key


def adopt(client, initiative, headers, organisation="0180", status="piloting", **extra):
    return client.post(
        f"/api/v1/initiatives/{initiative.id}/adoptions",
        json={"organisation": organisation, "status": status, **extra},
        headers=headers,
    )


class TestCreateAdoption:
    def test_adopter_records_it_and_the_initiative_counts_it(self, client, session):
        initiative = make_initiative(session, owner="2281")
        response = adopt(client, initiative, make_key(session, "0180"), since_date="2026-03-01")
        assert response.status_code == 201, response.text
        assert response.json()["organisation"] == "0180"
        counts = client.get(f"/api/v1/initiatives/{initiative.id}").json()["adoption_counts"]
        assert counts == {"considering": 0, "piloting": 1, "in_operation": 0, "abandoned": 0}

    def test_second_adoption_by_the_same_organisation_is_409(self, client, session):
        initiative = make_initiative(session, owner="2281")
        headers = make_key(session, "0180")
        adopt(client, initiative, headers)
        response = adopt(client, initiative, headers, status="in_operation")
        assert response.status_code == 409
        assert [a["status"] for a in client.get(f"/api/v1/initiatives/{initiative.id}/adoptions").json()["items"]] == [
            "piloting"
        ]

    def test_originator_cannot_write_anothers_adoption(self, client, session):
        initiative = make_initiative(session, owner="2281")
        response = adopt(client, initiative, make_key(session, "2281"), organisation="0180")
        assert response.status_code == 403

    def test_own_initiative_must_belong_to_adopter(self, client, session):
        initiative = make_initiative(session, owner="2281")
        not_theirs = make_initiative(session, owner="1480")
        response = adopt(client, initiative, make_key(session, "0180"), own_initiative_id=str(not_theirs.id))
        assert response.status_code == 422
        assert response.json()["invalid_parameters"][0]["property"] == "own_initiative_id"


class TestUpdateAndDeleteAdoption:
    def test_adopter_moves_to_in_operation_then_withdraws(self, client, session):
        initiative = make_initiative(session, owner="2281")
        headers = make_key(session, "0180")
        adoption = adopt(client, initiative, headers).json()
        url = f"/api/v1/initiatives/{initiative.id}/adoptions/{adoption['id']}"
        assert client.patch(url, json={"status": "in_operation"}, headers=headers).json()["status"] == "in_operation"
        assert client.delete(url, headers=headers).status_code == 204
        assert client.get(f"/api/v1/initiatives/{initiative.id}/adoptions").json()["items"] == []
        actions = [
            (e["entity"], e["action"])
            for e in client.get(f"/api/v1/initiatives/{initiative.id}/history").json()["items"]
        ]
        assert actions == [
            ("initiative", "create"),
            ("adoption", "create"),
            ("adoption", "update"),
            ("adoption", "delete"),
        ]


class TestAdoptionFilters:
    def test_adopted_by_and_min_adopters(self, client, session, admin_headers):
        popular = make_initiative(session, owner="2281")
        lonely = make_initiative(session, owner="2281")
        for code in ("0180", "1480"):
            adopt(client, popular, admin_headers, organisation=code)
        adopt(client, lonely, admin_headers, organisation="0180", status="abandoned")
        by_stockholm = client.get("/api/v1/initiatives", params={"adopted_by": "0180"}).json()["items"]
        assert [i["id"] for i in by_stockholm] == [str(popular.id)]
        at_least_two = client.get("/api/v1/initiatives", params={"min_adopters": 2}).json()["items"]
        assert [i["id"] for i in at_least_two] == [str(popular.id)]
