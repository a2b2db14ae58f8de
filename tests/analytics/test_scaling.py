import pytest

from app.analytics.scaling.candidates import Candidate, Member, Records, candidates
from app.analytics.scaling.estimates import (
    OpportunityCost,
    assumptions,
    opportunity_cost,
    peer_kind,
    served_population,
)
from app.core.enums import Basis, InitiativeStatus, OrganisationKind

POPULATIONS = {"2281": 100_000, "2262": 18_000, "0180": 1_000_000}
BY_COUNTY = {"22": ["2281", "2262", "2260"]}
MEMBERS = {"itsam": ["2281", "0180", "9999"]}


class TestPeerKind:
    def test_regions_take_regions_and_municipalities_everyone_elses(self):
        assert peer_kind(OrganisationKind.region) == OrganisationKind.region
        for kind in (OrganisationKind.municipality, OrganisationKind.municipal_federation, OrganisationKind.company):
            assert peer_kind(kind) == OrganisationKind.municipality


class TestServedPopulation:
    def test_own_population_first(self):
        found = served_population("2281", OrganisationKind.municipality, "22", POPULATIONS, BY_COUNTY, MEMBERS)
        assert found == 100_000

    def test_region_serves_its_county_known_municipalities(self):
        assert served_population("22", OrganisationKind.region, "22", POPULATIONS, BY_COUNTY, MEMBERS) == 118_000

    def test_federation_serves_its_members(self):
        assert (
            served_population("itsam", OrganisationKind.municipal_federation, None, POPULATIONS, BY_COUNTY, MEMBERS)
            == 1_100_000
        )

    def test_unknown_without_any_known_figure(self):
        assert (
            served_population("gr", OrganisationKind.municipal_federation, None, POPULATIONS, BY_COUNTY, MEMBERS)
            is None
        )
        assert served_population("2260", OrganisationKind.municipality, "22", POPULATIONS, BY_COUNTY, MEMBERS) is None


def member(key: str, owner: str, status: InitiativeStatus) -> Member:
    return Member(key, owner, status)


def records(**overrides) -> Records:
    fields = {
        "adopters": {},
        "operating_adopters": {},
        "participants": {},
        "judged_different": set(),
        "federation_members": MEMBERS,
        **overrides,
    }
    return Records(**fields)


PROVEN = member("p", "0180", InitiativeStatus.in_operation)
PEERS = ["0180", "1480", "2262", "2281", "0580"]


class TestCandidates:
    def test_organisations_building_the_same_are_known_needs_reporting_peers_potential(self):
        cluster = [PROVEN, member("own", "2281", InitiativeStatus.pilot), member("plan", "1480", InitiativeStatus.idea)]
        found = candidates(PROVEN, cluster, records(), PEERS, reporting={"2262", "2281", "1480"})
        assert found == [
            Candidate("2281", Basis.known_need, "own"),
            Candidate("1480", Basis.known_need, "plan"),
            Candidate("2262", Basis.potential),
        ]

    def test_who_runs_adopts_takes_part_or_was_judged_different_is_no_candidate(self):
        cluster = [PROVEN, member("theirs", "itsam", InitiativeStatus.scaled)]
        found = candidates(
            PROVEN,
            cluster,
            records(
                adopters={"p": {"1480"}},
                participants={"p": {"2262"}},
                judged_different={"0580"},
            ),
            [*PEERS, "9999"],
            reporting=set(PEERS) | {"9999"},
        )
        # 2281 and 9999 belong to itsam, which runs a member of the cluster.
        assert found == []

    def test_an_abandoned_adoption_is_no_record_of_having_it(self):
        found = candidates(PROVEN, [PROVEN], records(adopters={}), ["1480"], reporting={"1480"})
        assert found == [Candidate("1480", Basis.potential)]

    def test_organisations_that_report_nothing_are_no_candidates(self):
        assert candidates(PROVEN, [PROVEN], records(), PEERS, reporting=set()) == []


class TestOpportunityCost:
    def test_benefit_scaled_by_population_per_year_and_month(self):
        assert opportunity_cost(1_200_000, 100_000, [50_000]) == OpportunityCost(600_000, 50_000, ())

    def test_sums_over_every_organisation_lacking_it(self):
        assert opportunity_cost(1_200_000, 100_000, [50_000, 25_000]) == OpportunityCost(900_000, 75_000, ())

    def test_rounded_to_whole_kronor(self):
        assert opportunity_cost(1_000, 3, [1]) == OpportunityCost(333, 28, ())

    def test_organisations_without_population_are_left_out_and_named(self):
        assert opportunity_cost(1_200_000, 100_000, [50_000, None]) == OpportunityCost(600_000, 50_000, ("population",))

    @pytest.mark.parametrize(
        ("there", "here", "missing"),
        [
            (None, [5], ("owner_population",)),
            (5, [None], ("population",)),
            (0, [0], ("population", "owner_population")),
        ],
    )
    def test_unknown_naming_the_missing_population(self, there, here, missing):
        assert opportunity_cost(1_000, there, here) == OpportunityCost(None, None, missing)


class TestAssumptions:
    def test_state_the_numbers_used_and_what_is_unknown(self):
        found = " ".join(assumptions(1_000, 200_000, None))
        assert "1000 SEK" in found and "200000" in found and "population here: unknown" in found
