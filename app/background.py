"""The registry's background roles: work done by one process across all API workers and
containers (`app.core.leader`), never inside a request.

`registry serve` starts `registry background` as a process of its own beside the API workers;
a deployment that wants the roles elsewhere runs `registry background` (or one role, e.g.
`registry indexer`) there. Every process that runs a role competes for it; one holds it, and
another takes over within `RETRY_SECONDS` when the holder dies.
"""

import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine

from app.core.leader import lead

logger = logging.getLogger(__name__)

# A role's work: loops while `should_go_on()` is true, then returns.
Work = Callable[[Engine, Callable[[], bool]], None]
RETRY_SECONDS = 2.0

_ROLES: dict[str, Work] = {}


def register(role: str, work: Work) -> None:
    _ROLES[role] = work


def roles() -> list[str]:
    return sorted(_ROLES)


def run(engine: Engine, names: list[str], stop: threading.Event) -> None:
    """Compete for each named role in a thread of its own until `stop` is set."""
    threads = [
        threading.Thread(target=_lead, args=(engine, name, stop), name=f"role-{name}", daemon=True) for name in names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _lead(engine: Engine, name: str, stop: threading.Event) -> None:
    work = _ROLES[name]
    while not stop.is_set():
        try:
            lead(engine, name, lambda should_go_on: work(engine, should_go_on), stop, RETRY_SECONDS)
        except Exception:  # a failing role must not take the others down: logged, and tried again
            logger.exception("the %s role failed", name)
            stop.wait(RETRY_SECONDS)
