"""Organisation resolution: a source's code or name → the registry's organisation code.

Rules, tried in order:
1. A code: "2281", "22", "gr"; a kommunkod Excel stripped of its leading zero ("114" → "0114");
   Kolada's region ids ("0022" → "22").
2. An exact name, case-insensitive: "Sundsvall", "Region Västernorrland".
3. A normalised name: the usual ways of writing an organisation's name, built from the
   registry's names: "Sundsvalls kommun", "Göteborgs Stad", "Falu kommun", "Region
   Jönköping", "Västra Götalandsregionen", a federation's abbreviation in parentheses.
Nothing else: a name that matches no organisation, or more than one, stays unresolved and
is reported with its reason. No fuzzy matching, so no organisation is ever guessed.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app.core.enums import OrganisationKind
from app.language.text import normalise
from app.organisations import service as organisation_service
from app.organisations.service import Profile

# Genitives that are not "name + s": the municipality is written this way in its own name.
IRREGULAR_GENITIVES = {"Falun": "Falu"}
MUNICIPALITY_SUFFIXES = ("kommun", "stad", "kommunkoncern", "stadsförvaltning")
_PARENTHESISED = re.compile(r"\((?P<inner>[^)]+)\)")
_SEPARATORS = re.compile(r"[\s\-–—_]+")


class Unresolved(ValueError):
    """The reference names no registry organisation, or several."""


def name_key(name: str) -> str:
    """Case, hyphens and spacing do not matter: "Upplands-Bro" and "upplands bro" meet."""
    return _SEPARATORS.sub(" ", normalise(name)).strip(" .,")


@dataclass
class OrganisationResolver:
    codes: dict[str, str] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> "OrganisationResolver":
        return cls.of(organisation_service.profiles(session).values())

    @classmethod
    def of(cls, organisations: Iterable[Profile]) -> "OrganisationResolver":
        resolver = cls()
        for organisation in organisations:
            resolver.codes[organisation.code.casefold()] = organisation.code
            for alias in aliases(organisation):
                resolver.names.setdefault(name_key(alias), set()).add(organisation.code)
        return resolver

    def resolve(self, reference: Any) -> str:
        """The registry code for a code or name; raises `Unresolved` with the reason."""
        raw = " ".join(str(int(reference) if isinstance(reference, float) else reference).split())
        if not raw:
            raise Unresolved("no organisation given")
        code = self._code(raw)
        if code is not None:
            return code
        matches = self.names.get(name_key(raw), set())
        if len(matches) == 1:
            return next(iter(matches))
        if matches:
            raise Unresolved(f"{raw!r} matches several organisations ({', '.join(sorted(matches))}); give the code")
        raise Unresolved(f"no organisation in the registry is called or coded {raw!r}")

    def _code(self, raw: str) -> str | None:
        candidates = [raw]
        if raw.isdigit():
            # Excel drops a kommunkod's leading zero; Kolada writes regions as 00 + county code.
            candidates += [raw.zfill(4), raw[2:] if len(raw) == 4 and raw.startswith("00") else raw.zfill(2)]
        for candidate in candidates:
            if found := self.codes.get(candidate.casefold()):
                return found
        return None


def aliases(organisation: Profile) -> set[str]:
    """The names an organisation goes by, built from its registry name."""
    name = organisation.name
    found = {name, *(_PARENTHESISED.findall(name))}
    bare = _PARENTHESISED.sub("", name).strip()
    found.add(bare)
    if organisation.kind == OrganisationKind.municipality:
        found |= _municipality_aliases(bare)
    elif organisation.kind == OrganisationKind.region:
        found |= _region_aliases(bare)
    return found


def _municipality_aliases(name: str) -> set[str]:
    genitive = IRREGULAR_GENITIVES.get(name) or (name if name[-1] in "sxz" else f"{name}s")
    return {f"{stem} {suffix}" for stem in {name, genitive} for suffix in MUNICIPALITY_SUFFIXES}


def _region_aliases(name: str) -> set[str]:
    # "Region Jönköpings län" is also written "Region Jönköping"; "Västra Götalandsregionen"
    # is also "Region Västra Götaland".
    found = set()
    if name.startswith("Region "):
        place = name.removeprefix("Region ")
        if place.endswith(" län"):
            found.add(f"Region {place.removesuffix(' län').removesuffix('s')}")
    if name.endswith("regionen"):
        found.add(f"Region {name.removesuffix('sregionen').removesuffix('regionen')}")
    return found
