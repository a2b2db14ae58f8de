"""The flag rules exist twice: in Python (`app.analytics.flags`, for each initiative's `flags`) and in
SQL (`app.initiatives.query.flag_condition`, for `?flag=`). Both must flag the same initiatives."""

import itertools

import pytest

from app.analytics.flags import Flag
from app.initiatives import service as initiative_service
from app.initiatives.query import InitiativeQuery
from tests.factories import make_initiative

RULE_FLAGS = [Flag.no_benefit_realisation, Flag.no_solution, Flag.decoupled_from_strategy]


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


@pytest.mark.parametrize("flag", RULE_FLAGS, ids=str)
def test_filter_and_read_flag_the_same_initiatives(session, varied_initiatives, flag):
    reads = initiative_service.to_read(session, varied_initiatives)
    flagged_in_python = {read.id for read in reads if flag in {found.flag for found in read.flags}}
    filtered, _ = initiative_service.list_initiatives(session, InitiativeQuery(flag=[flag], limit=200))
    assert {initiative.id for initiative in filtered} == flagged_in_python
    assert 0 < len(flagged_in_python) < len(varied_initiatives)
