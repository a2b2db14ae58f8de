from starlette.datastructures import QueryParams

from app.initiatives.query import InitiativeQuery
from app.web import listing


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
