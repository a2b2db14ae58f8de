from tests.factories import make_initiative, make_key


class TestListOrganisations:
    def test_filters_by_kind_and_county(self, client):
        body = client.get("/api/v1/organisations", params={"kind": "municipality", "county": "22"}).json()
        names = {o["name"] for o in body["items"]}
        assert {"Sundsvall", "Härnösand", "Örnsköldsvik"} <= names
        assert all(o["county_code"] == "22" and o["kind"] == "municipality" for o in body["items"])
        assert len(body["items"]) == 7
        assert body["next"] is None

    def test_name_search_folds_case_of_swedish_letters(self, client):
        body = client.get("/api/v1/organisations", params={"q": "ÖRNSKÖLD"}).json()
        assert [o["code"] for o in body["items"]] == ["2284"]

    def test_seed_has_every_municipality_and_region(self, client):
        municipalities = client.get("/api/v1/organisations", params={"kind": "municipality"}).json()["items"]
        regions = client.get("/api/v1/organisations", params={"kind": "region"}).json()["items"]
        assert len(municipalities) == 290 and len(regions) == 21
        assert {"code": "0180", "name": "Stockholm"}.items() <= next(
            m for m in municipalities if m["code"] == "0180"
        ).items()


class TestGetOrganisation:
    def test_federation_lists_its_members(self, client):
        body = client.get("/api/v1/organisations/goliska-it").json()
        assert body["kind"] == "municipal_federation"
        assert body["member_codes"] == ["1444", "1445", "1470", "1471", "1494", "1495"]

    def test_unknown_code_is_404_problem(self, client):
        response = client.get("/api/v1/organisations/9999")
        assert response.status_code == 404
        assert response.json()["detail"] == "No organisation has the code '9999'."


class TestOrganisationInitiatives:
    def test_lists_owned_and_participating(self, client, session):
        owned = make_initiative(session, owner="2281")
        partnered = make_initiative(session, owner="0180", participants=[{"organisation": "2281", "role": "partner"}])
        make_initiative(session, owner="1480")
        items = client.get("/api/v1/organisations/2281/initiatives").json()["items"]
        assert {i["id"] for i in items} == {str(owned.id), str(partnered.id)}


class TestFigures:
    def test_own_key_reports_figures_and_keeps_unsent_fields(self, client, session):
        headers = make_key(session, "2281")
        first = client.put(
            "/api/v1/organisations/2281/figures/2025", json={"datasets_held": 40, "datasets_used": 12}, headers=headers
        )
        assert first.status_code == 200, first.text
        client.put("/api/v1/organisations/2281/figures/2025", json={"kpis_added": 3}, headers=headers)
        figures = {f["year"]: f for f in client.get("/api/v1/organisations/2281/figures").json()}
        assert (figures[2025]["datasets_held"], figures[2025]["datasets_used"], figures[2025]["kpis_added"]) == (
            40,
            12,
            3,
        )
        assert figures[2023]["population"] > 90_000

    def test_other_organisations_key_is_403(self, client, session):
        response = client.put(
            "/api/v1/organisations/2281/figures/2025", json={"datasets_held": 1}, headers=make_key(session, "0180")
        )
        assert response.status_code == 403
        assert client.get("/api/v1/organisations/2281/figures").json()[-1]["year"] == 2023


class TestFiguresUnchanged:
    def test_reporting_the_same_figures_again_keeps_updated_at(self, client, session):
        headers = make_key(session, "2281")
        first = client.put(
            "/api/v1/organisations/2281/figures/2025", json={"datasets_held": 40}, headers=headers
        ).json()
        again = client.put(
            "/api/v1/organisations/2281/figures/2025", json={"datasets_held": 40}, headers=headers
        ).json()
        assert again["updated_at"] == first["updated_at"]
