"""Declarative field mappings: one TOML file per source says where each registry field is
found in the source's records and what the source's words mean.

Pointing an importer at a changed source format is an edit of its mapping file, not of code.
The files in `importers/mappings/` document every key; `file.toml` is the spreadsheet default.
"""

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from app.core.enums import Category, InitiativeStatus
from app.language.text import normalise
from importers import values
from importers.parsers import Paging, header_key, value_at_parts
from importers.resolve import name_key

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
FORMATS = {"json", "csv", "xlsx", "html", "auto"}
ORGANISATION_FIELDS = {"owner", "participants"}
CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "external_id": values.external_id,
    "title": values.text,
    "summary": values.text,
    "description": values.long_text,
    "tags": values.word_list,
    "strategy_refs": values.word_list,
    "start_date": values.day,
    "end_date": partial(values.day, is_end=True),
    "status_date": values.day,
    "budget_sek": values.amount,
    "budget_by_year": values.amounts_by_year,
    "expected_benefit_sek_per_year": values.amount,
    "realised_benefit_sek_per_year": values.amount,
    "digital_share": values.share,
    "has_benefit_realisation_plan": values.flag,
    "solution.name": values.text,
    "solution.vendor": values.text,
    "solution.url": values.text,
    "solution.repository_url": values.text,
    "contact.name": values.text,
    "contact.email": values.text,
    "contact.phone": values.text,
    "link": values.text,
    "owner": values.text,
    "participants": values.word_list,
}
VOCABULARY_FIELDS: dict[str, tuple[dict[str, str], type[StrEnum]]] = {
    "status": (values.STATUS_WORDS, InitiativeStatus),
    "category": (values.CATEGORY_WORDS, Category),
}
TARGETS = set(CONVERTERS) | set(VOCABULARY_FIELDS)


class MappingError(ValueError):
    """The mapping file itself is wrong: an unknown key, format or field."""


@dataclass(frozen=True)
class MappedRecord:
    external_id: str | None
    owner: str | None
    participants: list[str]
    fields: dict[str, Any]


@dataclass(frozen=True)
class Mapping:
    source: str
    label: str
    format: str
    url: str | None = None
    allowed_origins: tuple[str, ...] = ()
    since_param: str | None = None
    is_conditional: bool = True
    sheet: str | None = None
    id_from_title: bool = False
    participant_keys: tuple[str, ...] = ("code", "name")
    paging: Paging = field(default_factory=Paging)
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    words: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def is_tabular(self) -> bool:
        return self.format != "json"

    @property
    def known_headers(self) -> set[str]:
        return {key for keys in self.fields.values() for key in keys}

    def apply(self, record: dict[str, Any]) -> MappedRecord:
        """The record in registry terms; raises `ValueError` naming every field that is wrong."""
        converted, problems = {}, []
        for target in self._targets:
            raw = self._raw(record, target)
            if raw is None:
                continue
            try:
                converted[target] = self._convert(target, raw)
            except ValueError as error:
                problems.append(f"{target}: {error}")
        if problems:
            raise ValueError("; ".join(sorted(problems)))
        return self._assemble(converted)

    def identify(self, record: dict[str, Any]) -> str | None:
        """The record's id even when other fields are wrong, so a rejected record still counts as published."""
        try:
            return self._external_id(
                values.external_id(self._raw(record, "external_id")), values.text(self._raw(record, "title"))
            )
        except ValueError:
            return None

    def _external_id(self, identifier: str | None, title: str | None) -> str | None:
        if identifier is None and self.id_from_title and title:
            return name_key(title)[:200]
        return identifier

    @cached_property
    def _targets(self) -> tuple[str, ...]:
        return tuple(self.fields.keys() | self.defaults.keys())

    @cached_property
    def _paths(self) -> dict[str, tuple[tuple[str, ...], ...]]:
        """Each target's keys split once: a JSON path's parts, or a column name as one part."""
        return {
            target: tuple((key,) if self.is_tabular else tuple(filter(None, key.split("."))) for key in keys)
            for target, keys in self.fields.items()
        }

    def _raw(self, record: dict[str, Any], target: str) -> Any:
        for parts in self._paths.get(target, ()):
            found = value_at_parts(record, parts)
            if not values.is_empty(found):
                return found
        return self.defaults.get(target)  # None when absent: nothing to convert

    def _convert(self, target: str, raw: Any) -> Any:
        if target in VOCABULARY_FIELDS:
            standard, allowed = VOCABULARY_FIELDS[target]
            return values.vocabulary_term(raw, {**standard, **self.words.get(target, {})}, allowed, target)
        if target == "participants" and isinstance(raw, list):
            raw = [self._participant(item) for item in raw]
        return CONVERTERS[target](raw)

    def _participant(self, item: Any) -> Any:
        if isinstance(item, dict):
            return next((item[key] for key in self.participant_keys if not values.is_empty(item.get(key))), None)
        return item

    def _assemble(self, converted: dict[str, Any]) -> MappedRecord:
        fields: dict[str, Any] = {}
        for target, value in converted.items():
            if value is None or target in ORGANISATION_FIELDS or target == "external_id":
                continue
            if target == "link":
                fields["links"] = [{"title": self.label, "url": value}]
            elif "." in target:
                parent, child = target.split(".")
                fields.setdefault(parent, {})[child] = value
            else:
                fields[target] = value
        if "solution" in fields and "name" not in fields["solution"]:
            raise ValueError("solution: a solution needs a name")
        external_id = self._external_id(converted.get("external_id"), converted.get("title"))
        return MappedRecord(external_id, converted.get("owner"), converted.get("participants") or [], fields)


def load(path: Path) -> Mapping:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MappingError(f"{path}: {error}") from None
    return parse(document, str(path))


def load_named(name: str) -> Mapping:
    return load(MAPPINGS_DIR / f"{name}.toml")


def parse(document: dict[str, Any], origin: str) -> Mapping:
    fields = document.get("fields", {})
    unknown = set(fields) - TARGETS
    if unknown:
        raise MappingError(
            f"{origin}: unknown target fields {', '.join(sorted(unknown))}; known: {', '.join(sorted(TARGETS))}"
        )
    if document.get("format") not in FORMATS:
        raise MappingError(f"{origin}: format must be one of {', '.join(sorted(FORMATS))}")
    is_tabular = document["format"] != "json"
    try:
        return Mapping(
            source=document["source"],
            label=document.get("label", document["source"]),
            format=document["format"],
            url=document.get("url"),
            allowed_origins=tuple(document.get("allowed_origins", ())),
            since_param=document.get("since_param"),
            is_conditional=document.get("conditional", True),
            sheet=document.get("sheet"),
            id_from_title=document.get("id_from_title", False),
            participant_keys=tuple(document.get("participant_keys", ("code", "name"))),
            paging=_paging(document.get("paging", {})),
            fields={target: _keys(keys, is_tabular) for target, keys in fields.items()},
            defaults=document.get("defaults", {}),
            words={
                target: {normalise(word): term for word, term in table.items()}
                for target, table in document.get("values", {}).items()
            },
        )
    except (KeyError, TypeError) as error:
        raise MappingError(f"{origin}: {error}") from None


def _keys(keys: str | list[str], is_tabular: bool) -> tuple[str, ...]:
    listed = [keys] if isinstance(keys, str) else keys
    return tuple(header_key(key) if is_tabular else key for key in listed)


def _paging(table: dict[str, Any]) -> Paging:
    if "next" in table and isinstance(table["next"], str):
        table = {**table, "next": [table["next"]]}
    return Paging(**{**table, "next": tuple(table.get("next", ("next",)))})
