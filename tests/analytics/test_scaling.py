import pytest

from app.analytics.scaling.estimates import (
    OpportunityCost,
    assumptions,
    opportunity_cost,
    peer_kind,
    running_organisations,
    served_population,
)
from app.core.enums import InitiativeStatus, OrganisationKind

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


class TestRunningOrganisations:
    def test_owners_of_operating_members_their_members_and_other_runners(self):
        members = [
            ("2281", InitiativeStatus.in_operation, ()),
            ("0180", InitiativeStatus.pilot, ("1480",)),
            ("itsam", InitiativeStatus.scaled, ()),
        ]
        assert running_organisations(members, MEMBERS) == {"2281", "1480", "itsam", "0180", "9999"}

    def test_an_idea_plan_or_pilot_runs_nothing(self):
        members = [
            (code, status, ())
            for code, status in (
                ("2281", InitiativeStatus.idea),
                ("0180", InitiativeStatus.planned),
                ("1480", InitiativeStatus.pilot),
                ("0580", InitiativeStatus.implementation),
            )
        ]
        assert running_organisations(members, MEMBERS) == set()


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
