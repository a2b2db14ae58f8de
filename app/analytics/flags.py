"""Flags: what to look at in an initiative before more money goes into it.

- `no_benefit_realisation`: neither a benefit-realisation plan nor an expected benefit in SEK.
- `no_solution`: past the idea stage, yet no solution (system, product or vendor) is named.
- `decoupled_from_strategy`: no strategy or steering document is referred to.
- `pilot_of_proven`: a pilot while a proven initiative (in operation or scaled, realised
  benefit above 0) of a different owner is in the pilot's overlap cluster (pairs scoring at
  least `overlap.SAME_WORK_SCORE`, joined through others); the flag links to it.

Discontinued initiatives carry no flags: no more money is going into them.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from app.core.enums import InitiativeStatus


class Flag(StrEnum):
    no_benefit_realisation = "no_benefit_realisation"
    no_solution = "no_solution"
    decoupled_from_strategy = "decoupled_from_strategy"
    pilot_of_proven = "pilot_of_proven"


EXPLANATIONS = {
    Flag.no_benefit_realisation: "Neither a benefit-realisation plan nor an expected benefit in SEK is recorded.",
    Flag.no_solution: "The initiative is past the idea stage, but no solution, product or vendor is named.",
    Flag.decoupled_from_strategy: "The initiative refers to no strategy or steering document.",
    Flag.pilot_of_proven: "A pilot of something another organisation already runs with realised benefit.",
}


@dataclass(frozen=True)
class FlagFacts:
    status: InitiativeStatus
    has_benefit_realisation_plan: bool
    expected_benefit_sek_per_year: int | None
    solution: dict[str, Any] | None
    strategy_refs: Sequence[str]


@dataclass(frozen=True)
class FoundFlag:
    flag: Flag
    proven_initiative_id: str | None = None


class FlagRead(SQLModel):
    """A flag as the API shows it. It lives here, not in `schemas`, because `InitiativeRead` embeds
    it while the analytics schemas embed `InitiativeRead`."""

    flag: Flag
    explanation: str
    proven_initiative_id: uuid.UUID | None = Field(
        default=None, description="For `pilot_of_proven`: the proven initiative."
    )


def flags(facts: FlagFacts, proven_match: str | None) -> list[FoundFlag]:
    """The flags that apply, in `Flag` order; `proven_match` is the best proven overlap, if any."""
    if facts.status == InitiativeStatus.discontinued:
        return []
    found = []
    if not facts.has_benefit_realisation_plan and not facts.expected_benefit_sek_per_year:
        found.append(FoundFlag(Flag.no_benefit_realisation))
    if facts.status != InitiativeStatus.idea and not facts.solution:
        found.append(FoundFlag(Flag.no_solution))
    if not facts.strategy_refs:
        found.append(FoundFlag(Flag.decoupled_from_strategy))
    if facts.status == InitiativeStatus.pilot and proven_match is not None:
        found.append(FoundFlag(Flag.pilot_of_proven, proven_initiative_id=proven_match))
    return found
