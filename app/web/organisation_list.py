"""The organisation list's filters and order: kind, county, whether it has initiatives, whether it
reports (registered an initiative in the last two years, as the scaling estimates count it)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.core.enums import OrganisationKind
from app.web import labels

SORTS = {"namn": "Namn", "initiativ": "Flest initiativ", "lan": "Län"}
CHOICES = {"ja": True, "nej": False}


@dataclass(frozen=True)
class Filters:
    q: str = ""
    county: str = ""
    kind: str = ""
    has_initiatives: str = ""  # "ja", "nej" or "" (either)
    reporting: str = ""
    sort: str = "namn"

    @property
    def kind_filter(self) -> OrganisationKind | None:
        return OrganisationKind(self.kind) if self.kind else None


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    kind: str
    county_code: str | None
    initiatives: int
    is_reporting: bool


def filters_from_params(params: Mapping[str, str]) -> Filters:
    """The filters in the URL; anything unknown is ignored, as the other lists do."""
    return Filters(
        q=params.get("q", "").strip()[:100],
        county=_known(params.get("county", ""), labels.COUNTY_NAMES),
        kind=_known(params.get("kind", ""), {kind.value for kind in OrganisationKind}),
        has_initiatives=_known(params.get("initiativ", ""), CHOICES),
        reporting=_known(params.get("rapporterar", ""), CHOICES),
        sort=_known(params.get("sort", ""), SORTS) or "namn",
    )


def rows(organisations: Iterable, counts: Mapping[str, int], reporting: set[str], filters: Filters) -> list[Row]:
    found = [
        Row(o.code, o.name, o.kind, o.county_code, counts.get(o.code, 0), o.code in reporting) for o in organisations
    ]
    if filters.has_initiatives:
        found = [row for row in found if (row.initiatives > 0) == CHOICES[filters.has_initiatives]]
    if filters.reporting:
        found = [row for row in found if row.is_reporting == CHOICES[filters.reporting]]
    return sorted(found, key=_order(filters.sort))


def _order(sort: str):
    if sort == "initiativ":
        return lambda row: (-row.initiatives, row.name)
    if sort == "lan":
        return lambda row: (labels.county_name(row.county_code) if row.county_code else "ö", row.name)
    return lambda row: row.name


def _known(value: str, allowed) -> str:
    return value if value in allowed else ""
