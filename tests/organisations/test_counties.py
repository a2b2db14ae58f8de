"""A federation's county comes from its members: one when all are in it, each when they span counties."""

from app.analytics.clusters import service as cluster_service
from app.analytics.clusters.schemas import ClusterQuery
from app.analytics.context import AnalyticsContext
from app.initiatives import reads as initiative_reads
from app.initiatives.query import InitiativeQuery
from tests.factories import make_initiative
from tests.web.html import check_page

ALL_COUNTIES = ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14"]
ALL_COUNTIES += ["17", "18", "19", "20", "21", "22", "23", "24", "25"]
NIGHT = "Digital nattillsyn med kamera i hemtjänsten"
NIGHT_AGAIN = "Nattillsyn via kamera i hemtjänsten"


def organisation(client, code: str) -> dict:
    return client.get(f"/api/v1/organisations/{code}").json()


class TestCountyOfAFederation:
    def test_members_in_one_county_give_it_that_county(self, client):
        # Fyrbodal: fourteen municipalities, all in Västra Götalands län.
        body = organisation(client, "fyrbodal")
        assert (body["county_code"], body["county_codes"]) == ("14", ["14"])

    def test_a_federation_across_a_county_border_is_in_both(self, client):
        # Göteborgsregionen: Kungsbacka (1384) is in Hallands län, the other twelve in Västra Götalands.
        body = organisation(client, "gr")
        assert (body["county_code"], body["county_codes"]) == (None, ["13", "14"])

    def test_members_spanning_counties_put_it_in_each(self, client):
        body = organisation(client, "skr")  # every municipality and region
        assert (body["county_code"], body["county_codes"]) == (None, ALL_COUNTIES)

    def test_a_federation_without_known_members_has_no_county(self, client):
        body = organisation(client, "sambruk")
        assert (body["county_code"], body["county_codes"]) == (None, [])

    def test_a_municipality_is_in_its_own_county(self, client):
        body = organisation(client, "1480")
        assert (body["county_code"], body["county_codes"]) == ("14", ["14"])

    def test_its_web_page_names_the_counties_of_its_members(self, client):
        text = check_page(client.get("/organisation/gr"))
        assert "Kommunalförbund med medlemmar i Hallands län, Västra Götalands län" in text

    def test_the_county_list_includes_its_federations(self, client):
        items = client.get("/api/v1/organisations", params={"county": "14", "kind": "municipal_federation"}).json()
        codes = {item["code"] for item in items["items"]}
        assert {"gr", "fyrbodal", "borasregionen", "goliska-it"} <= codes
        assert "storsthlm" not in codes


class TestCountyViews:
    def test_an_initiative_of_a_federation_shows_its_county(self, session):
        row = make_initiative(session, owner="fyrbodal")
        assert initiative_reads.read(session, row.id).county_code == "14"

    def test_a_county_filter_finds_a_federation_spanning_counties(self, session):
        row = make_initiative(session, owner="skr")
        for county in ("14", "22"):
            ids, _ = initiative_reads.list_page(session, InitiativeQuery(county=county))
            assert ids == [row.id]
        assert initiative_reads.facet_counts(session, InitiativeQuery()).county == dict.fromkeys(ALL_COUNTIES, 1)

    def test_a_countys_duplication_includes_a_municipality_and_its_own_federation(self, session, index):
        make_initiative(session, title=NIGHT, owner="1480", summary=None, tags=[], budget_sek=100)
        make_initiative(session, title=NIGHT_AGAIN, owner="gr", summary=None, tags=[], budget_sek=200)
        index()
        page = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(county="14"))
        assert [sorted(member.owner for member in item.members) for item in page.items] == [["1480", "gr"]]
        assert page.total_budget_sek == 300
        in_halland = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(county="13"))
        assert in_halland.items == []  # there GR is alone: one organisation duplicates nothing
        assert cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(county="22")).items == []
