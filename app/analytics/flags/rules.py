"""Flags: what to look at in an initiative before more money goes into it.

- `no_benefit_realisation`: neither a benefit-realisation plan nor an expected benefit in SEK.
- `no_solution`: past the idea stage, yet no solution (system, product or vendor) is named.
- `decoupled_from_strategy`: no strategy or steering document is referred to.
- `pilot_of_proven`: a pilot of what another organisation already runs with realised benefit
  (a proven initiative in the pilot's duplication cluster, which the pilot's owner neither
  adopts nor takes part in); the flag links to it.
- `duplicate_of_proven`: the same for an idea, a planned initiative or one being implemented.

The last two stand on the proven matches the indexer keeps (`app.analytics.indexer`), which
people's judgements correct; see docs/analytics/flags.md. Discontinued initiatives carry no
flags: no more money is going into them.

Each rule is written once, as a condition on the initiative's columns: the initiatives list
filters with it (`?flag=`), and every read of an initiative evaluates it for that initiative
(`app.initiatives.reads`), so the two can never disagree.
"""

from sqlalchemy import ColumnElement, String, cast, exists, func
from sqlmodel import col, select

from app.analytics.flags.models import ProvenMatch
from app.core.enums import Flag, InitiativeStatus
from app.initiatives import reads as initiative_reads
from app.initiatives.records import COLUMNS

EXPLANATIONS = {
    Flag.no_benefit_realisation: "Neither a benefit-realisation plan nor an expected benefit in SEK is recorded.",
    Flag.no_solution: "The initiative is past the idea stage, but no solution, product or vendor is named.",
    Flag.decoupled_from_strategy: "The initiative refers to no strategy or steering document.",
    Flag.pilot_of_proven: "A pilot of something another organisation already runs with realised benefit.",
    Flag.duplicate_of_proven: "Being planned or built while another organisation already runs the same with "
    "realised benefit.",
}
DUPLICATING_STATUSES = (InitiativeStatus.idea, InitiativeStatus.planned, InitiativeStatus.implementation)


def _is_empty(column) -> ColumnElement[bool]:
    # JSON columns may hold SQL NULL, a JSON null or an empty value; as text they read alike on both engines.
    return func.coalesce(cast(column, String), "null").in_(("null", "{}", "[]"))


#: The proven initiative an initiative duplicates, if any (a correlated subquery).
PROVEN_MATCH = select(col(ProvenMatch.proven_id)).where(col(ProvenMatch.initiative_id) == COLUMNS.id).scalar_subquery()
_HAS_MATCH = exists().where(col(ProvenMatch.initiative_id) == COLUMNS.id)
# What counts (see `COUNTED`), and not discontinued: no more money is going into it.
_LIVE = (COLUMNS.status != InitiativeStatus.discontinued) & initiative_reads.COUNTED

#: Every flag's condition.
RULES: dict[Flag, ColumnElement[bool]] = {
    Flag.no_benefit_realisation: _LIVE
    & COLUMNS.has_benefit_realisation_plan.is_(False)
    & (func.coalesce(COLUMNS.expected_benefit_sek_per_year, 0) == 0),
    Flag.no_solution: _LIVE & (COLUMNS.status != InitiativeStatus.idea) & _is_empty(COLUMNS.solution),
    Flag.decoupled_from_strategy: _LIVE & _is_empty(COLUMNS.strategy_refs),
    Flag.pilot_of_proven: _LIVE & (COLUMNS.status == InitiativeStatus.pilot) & _HAS_MATCH,
    Flag.duplicate_of_proven: _LIVE & COLUMNS.status.in_(DUPLICATING_STATUSES) & _HAS_MATCH,
}
