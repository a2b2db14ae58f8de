from starlette.datastructures import QueryParams

from app.auth.caller import ADMIN
from app.initiatives import service as initiative_service
from app.initiatives.query import InitiativeQuery
from app.web import listing
from tests.factories import make_initiative


class TestQueryFromParams:
    def test_keeps_known_values_and_drops_the_rest(self):
        query = listing.query_from_params(
            QueryParams(
                "q=+nattillsyn+&status=pilot&status=bogus&category=health&county=22&sort=title&organisation=2281"
                "&flag=no_solution&flag=nonsense"
            )
        )
        assert query.flag == ["no_solution"]
        assert query.q == "nattillsyn" and query.status == ["pilot"] and query.category == ["health"]
        assert query.county == "22" and query.sort == "title" and query.organisation == "2281"
        assert query.limit == listing.PAGE_SIZE

    def test_unknown_county_and_sort_fall_back(self):
        query = listing.query_from_params(QueryParams("county=99&sort=drop"))
        assert query.county is None and query.sort == "-updated_at"

    def test_overlong_text_is_cut_not_refused(self):
        assert len(listing.query_from_params(QueryParams("q=" + "a" * 500)).q) == 200


class TestQueryString:
    def test_round_trips_and_drops_defaults_and_the_cursor(self):
        query = InitiativeQuery(q="vård", status=["pilot", "idea"], cursor="abc")
        assert listing.query_string(query) == "q=v%C3%A5rd&status=pilot&status=idea"
        assert listing.query_string(query, cursor="next") == "q=v%C3%A5rd&status=pilot&status=idea&cursor=next"
        assert listing.query_from_params(QueryParams(listing.query_string(query))).status == ["pilot", "idea"]


class TestFacets:
    def test_each_facet_ignores_its_own_filter_but_applies_the_others(self, session):
        make_initiative(session, owner="2281", category="health", status="pilot")
        make_initiative(session, owner="2281", category="automation", status="pilot")
        make_initiative(session, owner="1480", category="health", status="idea")
        facets = listing.facets(session, InitiativeQuery(category=["health"], county="22"))
        assert facets.total == 1
        assert facets.category == {"health": 1, "automation": 1}
        assert facets.county == {"22": 1, "14": 1}
        assert facets.status == {"pilot": 1}
        assert facets.organisation == [("2281", "Sundsvall", 1)]
        assert facets.flag["no_solution"] == 1 and facets.flag["pilot_of_proven"] == 0

    def test_archived_initiatives_are_not_counted(self, session):
        initiative_service.archive(session, make_initiative(session, category="education"), None, ADMIN)
        assert listing.facets(session, InitiativeQuery(category=["education"])).total == 0


class TestRecords:
    def test_every_matching_initiative_across_batches(self, session, monkeypatch):
        monkeypatch.setattr(listing, "EXPORT_BATCH", 2)
        for n in range(5):
            make_initiative(session, title=f"Batchprov {n}", category="citizen_dialogue")
        make_initiative(session, title="Utanför", category="education")
        query = InitiativeQuery(category=["citizen_dialogue"], sort="title")
        titles = [record["title"] for record in listing.records(session, query)]
        assert titles == [f"Batchprov {n}" for n in range(5)]
