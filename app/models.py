"""Every table, imported in one place for Alembic and for `SQLModel.metadata`."""

from app.adoptions.models import Adoption
from app.auth.models import ApiKey
from app.changes.models import Change
from app.imports.models import ImportRejection, ImportRun, SourceCacheEntry
from app.initiatives.models import (
    Initiative,
    InitiativeDocument,
    InitiativeParticipant,
    InitiativeTag,
    InitiativeTerm,
    StatusChange,
)
from app.organisations.models import Organisation, OrganisationMember, OrganisationYear

__all__ = [
    "Adoption",
    "ApiKey",
    "Change",
    "ImportRejection",
    "ImportRun",
    "Initiative",
    "InitiativeDocument",
    "InitiativeParticipant",
    "InitiativeTag",
    "InitiativeTerm",
    "Organisation",
    "OrganisationMember",
    "OrganisationYear",
    "SourceCacheEntry",
    "StatusChange",
]
