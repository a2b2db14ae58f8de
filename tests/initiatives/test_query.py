"""Listing: filters, Swedish full-text search and cursor pagination, against the database."""

from datetime import UTC, datetime, timedelta

from app.initiatives import query as initiative_query
from tests.factories import make_initiative


def ids(response) -> list[str]:
    return [item["id"] for item in response.json()["items"]]


class TestFullTextSearch:
    def test_inflected_forms_match(self, client, session):
        tjanster = make_initiative(session, title="Nya e-tjänster för bygglov", summary=None, tags=[])
        make_initiative(session, title="Fallsensorer i särskilt boende", summary=None, tags=[])
        assert ids(client.get("/api/v1/initiatives", params={"q": "tjänsten"})) == [str(tjanster.id)]
        assert ids(client.get("/api/v1/initiatives", params={"q": "BYGGLOVET"})) == [str(tjanster.id)]

    def test_swedish_letters_fold_case_and_stay_distinct(self, client, session):
        aldre = make_initiative(session, title="Läsplattor i äldreomsorgen", summary=None, tags=[])
        make_initiative(session, title="Aldrig mer papper", summary=None, tags=[])
        assert ids(client.get("/api/v1/initiatives", params={"q": "ÄLDREOMSORG"})) == [str(aldre.id)]

    def test_word_prefix_reaches_compounds_and_all_words_must_match(self, client, session):
        fall = make_initiative(session, title="Fallprevention med sensorer", summary=None, tags=["trygghet"])
        make_initiative(session, title="Fallprevention i skolan", summary=None, tags=[])
        response = client.get("/api/v1/initiatives", params={"q": "fall sensor"})
        assert ids(response) == [str(fall.id)]

    def test_searches_description_and_tags(self, client, session):
        tagged = make_initiative(session, title="Projekt A", summary=None, tags=["nattillsyn"])
        described = make_initiative(
            session, title="Projekt B", summary=None, tags=[], description="Kameror för tillsyn nattetid"
        )
        assert ids(client.get("/api/v1/initiatives", params={"q": "nattillsyn"})) == [str(tagged.id)]
        assert ids(client.get("/api/v1/initiatives", params={"q": "nattetid"})) == [str(described.id)]

    def test_inflections_and_compound_parts_find_what_a_person_expects(self, client, session):
        exchange = make_initiative(session, title="Trygghetslarmsbyte i hemtjänsten", summary=None, tags=[])
        alarm = make_initiative(session, title="Larmet går direkt till nattpatrullen", summary=None, tags=[])
        cameras = make_initiative(session, title="Nattkamerorna i boendet", summary=None, tags=[])
        camera = make_initiative(session, title="En kamera per rum", summary=None, tags=[])
        everything = {str(exchange.id), str(alarm.id)}
        for q in ("larm", "larmet", "larmen"):
            assert set(ids(client.get("/api/v1/initiatives", params={"q": q}))) == everything, q
        for q in ("kamera", "kameran", "kamerorna"):
            assert set(ids(client.get("/api/v1/initiatives", params={"q": q}))) == {str(cameras.id), str(camera.id)}, q

    def test_dator_and_data_stay_apart(self, client, session):
        computers = make_initiative(session, title="Datorer till eleverna", summary=None, tags=[])
        make_initiative(session, title="Öppna data om luftkvalitet", summary=None, tags=[])
        assert ids(client.get("/api/v1/initiatives", params={"q": "dator"})) == [str(computers.id)]

    def test_an_abbreviation_finds_what_is_annotated_with_its_concept(self, client, session):
        named = make_initiative(session, title="Digital ansökan om försörjningsstöd", summary=None, tags=[])
        make_initiative(session, title="Bygglov digitalt", summary=None, tags=[])
        # "Ekonomiskt bistånd" is the concept; its label "försörjningsstöd" is what the text says.
        assert ids(client.get("/api/v1/initiatives", params={"q": "ekonomiskt bistånd"})) == [str(named.id)]

    def test_edit_reindexes(self, client, session, admin_headers):
        initiative = make_initiative(session, title="Chattbot för medborgare", summary=None, tags=[])
        client.patch(
            f"/api/v1/initiatives/{initiative.id}",
            json={"title": "Röstassistent för medborgare"},
            headers={**admin_headers, "If-Match": '"1"'},
        )
        assert ids(client.get("/api/v1/initiatives", params={"q": "chattbot"})) == []
        assert ids(client.get("/api/v1/initiatives", params={"q": "röstassistent"})) == [str(initiative.id)]


class TestConcepts:
    def test_initiatives_show_the_concepts_their_texts_name(self, client, session):
        initiative = make_initiative(
            session, title="Digital nattillsyn i hemtjänsten", summary="Med trygghetslarm.", tags=[]
        )
        concepts = client.get(f"/api/v1/initiatives/{initiative.id}").json()["concepts"]
        assert concepts[:2] == [
            {"id": "digital-nattillsyn", "label": "digital nattillsyn"},
            {"id": "hemtjanst", "label": "hemtjänst"},
        ]
        assert {"id": "trygghetslarm", "label": "trygghetslarm"} in concepts

    def test_the_concept_filter_takes_narrower_concepts_too(self, client, session):
        night = make_initiative(session, title="Digital nattillsyn", summary=None, tags=[])
        make_initiative(session, title="Bygglov digitalt", summary=None, tags=[])
        assert ids(client.get("/api/v1/initiatives", params={"concept": "digital-nattillsyn"})) == [str(night.id)]
        assert ids(client.get("/api/v1/initiatives", params={"concept": "aldreomsorg"})) == [str(night.id)]
        assert ids(client.get("/api/v1/initiatives", params={"concept": "no-such-concept"})) == []


class TestFilters:
    def test_status_category_tag_and_county_combine(self, client, session):
        match = make_initiative(session, owner="2281", status="pilot", category="health", tags=["sensorer"])
        make_initiative(session, owner="0180", status="pilot", category="health", tags=["sensorer"])
        make_initiative(session, owner="2281", status="idea", category="health", tags=["sensorer"])
        make_initiative(session, owner="2281", status="pilot", category="education", tags=["sensorer"])
        make_initiative(session, owner="2281", status="pilot", category="health", tags=["kameror"])
        params = {"county": "22", "status": "pilot", "category": "health", "tag": "Sensorer"}
        assert ids(client.get("/api/v1/initiatives", params=params)) == [str(match.id)]

    def test_repeated_status_means_either(self, client, session):
        pilot = make_initiative(session, status="pilot")
        idea = make_initiative(session, status="idea")
        make_initiative(session, status="scaled")
        found = set(ids(client.get("/api/v1/initiatives", params=[("status", "pilot"), ("status", "idea")])))
        assert found == {str(pilot.id), str(idea.id)}

    def test_updated_since(self, client, session):
        make_initiative(session)
        later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
        assert ids(client.get("/api/v1/initiatives", params={"updated_since": later})) == []
        earlier = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        assert len(ids(client.get("/api/v1/initiatives", params={"updated_since": earlier}))) == 1

    def test_unknown_query_parameter_is_422(self, client):
        response = client.get("/api/v1/initiatives", params={"colour": "grön"})
        assert response.status_code == 422
        assert response.json()["invalid_parameters"][0]["property"] == "colour"


class TestPagination:
    def test_cursor_walks_every_item_once_in_order(self, client, session):
        created = [make_initiative(session, title=f"Initiativ {letter}") for letter in "EDCBA"]
        seen, url = [], "/api/v1/initiatives?sort=title&limit=2"
        while url:
            page = client.get(url).json()
            seen.extend(item["title"] for item in page["items"])
            url = page["next"]
        assert seen == sorted(i.title for i in created)

    def test_newest_change_first_by_default(self, client, session, admin_headers):
        first = make_initiative(session)
        second = make_initiative(session)
        client.patch(
            f"/api/v1/initiatives/{first.id}", json={"budget_sek": 1}, headers={**admin_headers, "If-Match": '"1"'}
        )
        assert ids(client.get("/api/v1/initiatives")) == [str(first.id), str(second.id)]

    def test_limit_above_200_is_422(self, client):
        assert (
            client.get("/api/v1/initiatives", params={"limit": 201}).json()["invalid_parameters"][0]["property"]
            == "limit"
        )


class TestCommonWords:
    def test_common_and_rare_word_strategies_find_the_same_page(self, client, session, monkeypatch):
        matching = [make_initiative(session, title=f"Digital tillsyn {n}", tags=[]) for n in range(4)]
        make_initiative(session, title="Bygglov", summary=None, tags=[])
        rare = ids(client.get("/api/v1/initiatives", params={"q": "tillsyn", "limit": 3}))
        monkeypatch.setattr(initiative_query, "COMMON_TERM_MATCHES", 2)
        initiative_query._is_common.clear()  # the worker remembers which words are common for a minute
        assert initiative_query.common_search_terms(session, "tillsyn") == {"tillsyn"}
        common = ids(client.get("/api/v1/initiatives", params={"q": "tillsyn", "limit": 3}))
        assert common == rare == [str(i.id) for i in reversed(matching)][:3]
