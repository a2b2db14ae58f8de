"""Who a proven initiative is a scaling candidate for: only what the registry knows counts, and
the absence of a record is not the absence of a solution.

For a proven initiative P (live, in operation or scaled, realised benefit above 0) and another
organisation X:

- X is **not a candidate** when it runs something of P's duplication cluster (owns a member in
  operation or scaled, takes part in one, belongs to a federation that owns one, or has an
  adoption of one in operation), has recorded an adoption of any member of the cluster (any
  status but abandoned), takes part in P, or owns an initiative that people judged different
  from P (its work is not P's).
- X is a **known need** when it owns a member of P's cluster that is an idea, planned, a pilot
  or being implemented: it is building what already exists.
- X is a **potential** candidate when none of that applies, it is a peer of P's owner (regions
  for a region's initiative, municipalities for anyone else's) and it reports to the registry
  (has registered an initiative in the last `REPORTING_YEARS` years). The registry does not know
  whether X already has a solution: potential figures are shown apart, never added to known ones.
- Organisations that report nothing are not candidates at all.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.core.enums import OPERATING_STATUSES, Basis, InitiativeStatus

REPORTING_YEARS = 2
BUILDING_STATUSES = (
    InitiativeStatus.idea,
    InitiativeStatus.planned,
    InitiativeStatus.pilot,
    InitiativeStatus.implementation,
)


@dataclass(frozen=True)
class Member:
    """A live initiative of P's cluster (P among them)."""

    id: str
    owner: str
    status: InitiativeStatus


@dataclass(frozen=True)
class Records:
    """What organisations have recorded about the members of one cluster."""

    adopters: Mapping[str, set[str]]  # member id → organisations with an adoption, not abandoned
    operating_adopters: Mapping[str, set[str]]  # member id → adoptions in operation
    participants: Mapping[str, set[str]]  # member id → participating organisations
    judged_different: set[str]  # owners of initiatives judged different from P
    federation_members: Mapping[str, Iterable[str]]


@dataclass(frozen=True)
class Candidate:
    organisation: str
    basis: Basis
    # For a known need: the organisation's own initiative that does the same work.
    own_initiative_id: str | None = None


def candidates(
    proven: Member, cluster: list[Member], records: Records, peers: Iterable[str], reporting: set[str]
) -> list[Candidate]:
    """Who P is a candidate for: known needs (in member order), then potential ones (in peer order)."""
    excluded = _excluded(proven, cluster, records)
    known: dict[str, str] = {}
    for member in cluster:
        if member.status in BUILDING_STATUSES and member.owner not in excluded:
            known.setdefault(member.owner, member.id)
    found = [Candidate(code, Basis.known_need, own) for code, own in known.items()]
    found += [
        Candidate(code, Basis.potential)
        for code in peers
        if code in reporting and code not in excluded and code not in known
    ]
    return found


def _excluded(proven: Member, cluster: list[Member], records: Records) -> set[str]:
    excluded = {proven.owner, *records.participants.get(proven.id, ()), *records.judged_different}
    for member in cluster:
        excluded |= records.adopters.get(member.id, set()) | records.operating_adopters.get(member.id, set())
        if member.status in OPERATING_STATUSES:
            excluded |= {member.owner, *records.federation_members.get(member.owner, ())}
            excluded |= records.participants.get(member.id, set())
    return excluded
