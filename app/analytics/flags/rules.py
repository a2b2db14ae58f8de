"""Flags: what to look at in an initiative before more money goes into it.

- `no_benefit_realisation`: neither a benefit-realisation plan nor an expected benefit in SEK.
- `no_solution`: past the idea stage, yet no solution (system, product or vendor) is named.
- `decoupled_from_strategy`: no strategy or steering document is referred to.
- `pilot_of_proven`: a pilot while a proven initiative (in operation or scaled, realised
  benefit above 0) of a different owner is in the pilot's overlap cluster (pairs scoring at
  least `scoring.SAME_WORK_SCORE`, joined through others); the flag links to it.

Discontinued initiatives carry no flags: no more money is going into them.

Each rule is written once, as a condition on the initiative's columns: the initiatives list
filters with it (`?flag=`), and every read of an initiative evaluates it for that initiative
(`app.initiatives.reads.flagged`), so the two can never disagree.
"""

import uuid
from collections.abc import Iterable

from sqlalchemy import BindParameter, ColumnElement, String, bindparam, cast, func, or_

from app.core.enums import Flag, InitiativeStatus
from app.initiatives.records import COLUMNS

EXPLANATIONS = {
    Flag.no_benefit_realisation: "Neither a benefit-realisation plan nor an expected benefit in SEK is recorded.",
    Flag.no_solution: "The initiative is past the idea stage, but no solution, product or vendor is named.",
    Flag.decoupled_from_strategy: "The initiative refers to no strategy or steering document.",
    Flag.pilot_of_proven: "A pilot of something another organisation already runs with realised benefit.",
}


def _is_empty(column) -> ColumnElement[bool]:
    # JSON columns may hold SQL NULL, a JSON null or an empty value; as text they read alike on both engines.
    return func.coalesce(cast(column, String), "null").in_(("null", "{}", "[]"))


def conditions(proven_pilot_ids: BindParameter) -> dict[Flag, ColumnElement[bool]]:
    """Each flag's condition; `pilot_of_proven` needs the overlap index, which names the pilots
    that have a proven match (`proven_pilot_ids`, a list)."""
    live = COLUMNS.status != InitiativeStatus.discontinued
    return {
        Flag.no_benefit_realisation: live
        & COLUMNS.has_benefit_realisation_plan.is_(False)
        & (func.coalesce(COLUMNS.expected_benefit_sek_per_year, 0) == 0),
        Flag.no_solution: live & (COLUMNS.status != InitiativeStatus.idea) & _is_empty(COLUMNS.solution),
        Flag.decoupled_from_strategy: live & _is_empty(COLUMNS.strategy_refs),
        Flag.pilot_of_proven: live & COLUMNS.id.in_(proven_pilot_ids),
    }


#: Every flag's condition, the pilots given when it is run (as `proven_pilot_ids`).
RULES = conditions(bindparam("proven_pilot_ids", expanding=True))


def any_of(flags: Iterable[Flag], proven_pilot_ids: Iterable[uuid.UUID]) -> ColumnElement[bool]:
    """The list's filter: carries any of `flags`."""
    rules = conditions(bindparam("proven_pilot_ids", value=list(proven_pilot_ids), expanding=True))
    return or_(*(rules[flag] for flag in flags))
