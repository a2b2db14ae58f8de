"""Every table, imported in one place for Alembic and for `SQLModel.metadata`."""

from app.adoptions.models import Adoption
from app.analytics.clusters.models import Cluster, ClusterMember
from app.analytics.flags.models import ProvenMatch
from app.analytics.indexer.models import IndexerState
from app.analytics.overlaps.models import OverlapJudgement, OverlapPair, OverlapProfile
from app.auth.models import ApiKey, EndedWebSession
from app.changes.log.models import LogKey, LogNode
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
from app.sources.models import Source
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "Adoption",
    "ApiKey",
    "Change",
    "Cluster",
    "ClusterMember",
    "EndedWebSession",
    "ImportRejection",
    "ImportRun",
    "IndexerState",
    "Initiative",
    "InitiativeDocument",
    "InitiativeParticipant",
    "InitiativeTag",
    "InitiativeTerm",
    "LogKey",
    "LogNode",
    "Organisation",
    "OrganisationMember",
    "OrganisationYear",
    "OverlapJudgement",
    "OverlapPair",
    "OverlapProfile",
    "ProvenMatch",
    "Source",
    "SourceCacheEntry",
    "StatusChange",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
