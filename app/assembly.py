"""Assembling the registry: upper layers provide what lower ones need but may not import.

Initiatives sit below adoptions and analytics, yet every read of an initiative shows its
adoption counts and flags. Those domains register `Derivation`s here (see
`app.initiatives.derived`), and the background roles (`app.background`) are registered here
too, as is the webhook outbox's listener on the change feed (`app.webhooks.outbox`). Every
entry point calls `assemble()` before it serves or reads anything: the ASGI app
(`app.main.create_app`), the `registry` command and the tests.
"""

from app import background
from app.adoptions.derived import AdoptionCounts
from app.analytics.flags.derived import Flags
from app.analytics.indexer import loop as indexer_loop
from app.changes import service as change_service
from app.initiatives import derived
from app.webhooks import deliverer as webhook_deliverer
from app.webhooks import outbox as webhook_outbox


def assemble() -> None:
    """Register every derivation and role; calling it again changes nothing."""
    derived.register(AdoptionCounts())
    derived.register(Flags())
    background.register(indexer_loop.ROLE, indexer_loop.run)
    background.register(webhook_deliverer.ROLE, webhook_deliverer.run)
    change_service.listen(webhook_outbox.queue_recorded)
