"""The flag rules, each written once (`app.analytics.flags.rules`), evaluated against the database:
for an initiative's `flags` and for the list's `?flag=` filter alike."""

import itertools

import pytest

from app.analytics.flags import rules
from app.core.enums import Flag
from app.initiatives import reads as initiative_reads
from app.initiatives.query import InitiativeQuery
from tests.factories import make_initiative

GROUNDED = {
    "has_benefit_realisation_plan": True,
    "expected_benefit_sek_per_year": 100,
    "solution": {"name": "Tillsynskamera"},
    "strategy_refs": ["Digitaliseringsstrategi"],
    "status": "implementation",
}


def flags(session, **overrides) -> list[Flag]:
    row = make_initiative(session, **{**GROUNDED, **overrides})
    return [found.flag for found in initiative_reads.read(session, row.id).flags]


class TestRules:
    def test_a_well_grounded_initiative_has_none(self, session):
        assert flags(session) == []

    @pytest.mark.parametrize(
        ("plan", "expected", "flagged"),
        [(False, None, True), (False, 0, True), (True, None, False), (False, 50, False)],
    )
    def test_no_benefit_realisation_needs_neither_plan_nor_expected_benefit(self, session, plan, expected, flagged):
        found = flags(session, has_benefit_realisation_plan=plan, expected_benefit_sek_per_year=expected)
        assert (Flag.no_benefit_realisation in found) is flagged

    def test_no_solution_only_past_the_idea_stage(self, session):
        assert flags(session, status="planned", solution=None) == [Flag.no_solution]
        assert flags(session, status="idea", solution=None) == []

    def test_no_strategy_reference_is_decoupled(self, session):
        assert flags(session, strategy_refs=[]) == [Flag.decoupled_from_strategy]

    def test_discontinued_initiatives_carry_no_flags(self, session):
        bare = {"solution": None, "strategy_refs": [], "has_benefit_realisation_plan": False}
        assert flags(session, status="discontinued", expected_benefit_sek_per_year=None, **bare) == []

    def test_flags_come_in_a_fixed_order(self, session):
        bare = {"solution": None, "strategy_refs": [], "has_benefit_realisation_plan": False}
        assert flags(session, expected_benefit_sek_per_year=None, **bare) == [
            Flag.no_benefit_realisation,
            Flag.no_solution,
            Flag.decoupled_from_strategy,
        ]

    def test_every_flag_is_explained(self):
        assert set(rules.EXPLANATIONS) == set(Flag)


@pytest.fixture
def varied_initiatives(session):
    """Every combination of the facts the rules read, including empty but present values."""
    combinations = itertools.product(
        ["idea", "pilot", "in_operation", "discontinued"],
        [True, False],
        [None, 0, 250_000],
        [None, {"name": "Tillsynskamera"}],
        [[], ["Digitaliseringsstrategi 2025"]],
    )
    return [
        make_initiative(
            session,
            status=status,
            has_benefit_realisation_plan=plan,
            expected_benefit_sek_per_year=benefit,
            solution=solution,
            strategy_refs=refs,
        )
        for status, plan, benefit, solution, refs in combinations
    ]


@pytest.mark.parametrize("flag", [Flag.no_benefit_realisation, Flag.no_solution, Flag.decoupled_from_strategy], ids=str)
def test_filter_and_read_flag_the_same_initiatives(session, varied_initiatives, flag):
    reads = initiative_reads.reads(session, [row.id for row in varied_initiatives])
    flagged_on_read = {read.id for read in reads if flag in {found.flag for found in read.flags}}
    filtered, _ = initiative_reads.list_page(session, InitiativeQuery(flag=[flag], limit=200))
    assert set(filtered) == flagged_on_read
    assert 0 < len(flagged_on_read) < len(varied_initiatives)
