"""Who is making a write: the admin, an organisation's key, or an importer.

An identity only; what each caller may do is decided in `app.auth.permissions`.
"""

import uuid
from dataclasses import dataclass

from app.core.enums import ActorKind


@dataclass(frozen=True)
class Caller:
    actor_kind: ActorKind
    organisation_code: str | None = None
    key_id: uuid.UUID | None = None

    @property
    def is_admin(self) -> bool:
        # Importers act on behalf of the registry itself, with the admin's reach.
        return self.actor_kind in (ActorKind.admin, ActorKind.importer)


ADMIN = Caller(ActorKind.admin)
IMPORTER = Caller(ActorKind.importer)
SYSTEM = Caller(ActorKind.system)  # the registry's own upkeep, e.g. annotating with a new vocabulary
