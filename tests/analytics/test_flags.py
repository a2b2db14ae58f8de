import pytest

from app.analytics.flags import EXPLANATIONS, Flag, FlagFacts, flags
from app.core.enums import InitiativeStatus

SOLUTION = {"name": "Tillsynskamera"}


def facts(status=InitiativeStatus.implementation, **overrides) -> FlagFacts:
    values = {
        "has_benefit_realisation_plan": True,
        "expected_benefit_sek_per_year": 100,
        "solution": SOLUTION,
        "strategy_refs": ["Digitaliseringsstrategi"],
        **overrides,
    }
    return FlagFacts(status=status, **values)


def kinds(found) -> list[Flag]:
    return [flag.flag for flag in found]


class TestFlags:
    def test_a_well_grounded_initiative_has_none(self):
        assert flags(facts(), None) == []

    @pytest.mark.parametrize(
        ("plan", "expected", "flagged"),
        [
            (False, None, True),
            (False, 0, True),
            (True, None, False),
            (False, 50, False),
        ],
    )
    def test_no_benefit_realisation_needs_neither_plan_nor_expected_benefit(self, plan, expected, flagged):
        found = flags(facts(has_benefit_realisation_plan=plan, expected_benefit_sek_per_year=expected), None)
        assert (Flag.no_benefit_realisation in kinds(found)) is flagged

    def test_no_solution_only_past_the_idea_stage(self):
        assert kinds(flags(facts(InitiativeStatus.planned, solution=None), None)) == [Flag.no_solution]
        assert flags(facts(InitiativeStatus.idea, solution=None), None) == []

    def test_no_strategy_reference_is_decoupled(self):
        assert kinds(flags(facts(strategy_refs=[]), None)) == [Flag.decoupled_from_strategy]

    def test_pilot_of_proven_names_the_proven_initiative(self):
        found = flags(facts(InitiativeStatus.pilot), "proven-id")
        assert kinds(found) == [Flag.pilot_of_proven] and found[0].proven_initiative_id == "proven-id"

    def test_only_pilots_are_pilots_of_proven(self):
        assert flags(facts(InitiativeStatus.implementation), "proven-id") == []

    def test_discontinued_initiatives_carry_no_flags(self):
        assert (
            flags(
                facts(
                    InitiativeStatus.discontinued,
                    solution=None,
                    strategy_refs=[],
                    has_benefit_realisation_plan=False,
                    expected_benefit_sek_per_year=None,
                ),
                None,
            )
            == []
        )

    def test_flags_come_in_a_fixed_order(self):
        found = flags(
            facts(
                InitiativeStatus.pilot,
                solution=None,
                strategy_refs=[],
                has_benefit_realisation_plan=False,
                expected_benefit_sek_per_year=None,
            ),
            "x",
        )
        assert kinds(found) == list(Flag)

    def test_every_flag_is_explained(self):
        assert set(EXPLANATIONS) == set(Flag)
