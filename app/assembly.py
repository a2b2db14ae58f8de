"""Assembling the registry: upper layers provide what lower ones need but may not import.

Initiatives sit below adoptions and analytics, yet every read of an initiative shows its
adoption counts and flags. Those domains register `Derivation`s here (see
`app.initiatives.derived`), and the background roles (`app.background`) are registered here
too. Every entry point calls `assemble()` before it serves or reads anything: the ASGI app
(`app.main.create_app`), the `registry` command and the tests.
"""

from app import background
from app.adoptions.derived import AdoptionCounts
from app.analytics.flags.derived import Flags
from app.analytics.indexer import loop as indexer_loop
from app.initiatives import derived


def assemble() -> None:
    """Register every derivation and role; calling it again changes nothing."""
    derived.register(AdoptionCounts())
    derived.register(Flags())
    background.register(indexer_loop.ROLE, indexer_loop.run)
