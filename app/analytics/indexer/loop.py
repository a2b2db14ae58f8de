"""The indexer as a background role (`app.background`): one process follows the change feed for
all API workers."""

import logging
import time
from collections.abc import Callable
from functools import partial

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.core.db import session_scope

logger = logging.getLogger(__name__)

ROLE = "indexer"
IDLE_SECONDS = 0.25  # between looks at the feed when nothing is new: a write shows within about this
RETRY_SECONDS = 5.0


def run(engine: Engine, should_go_on: Callable[[], bool]) -> None:
    """Follow the change feed while this process holds the role."""
    # Imported here: the index needs NumPy, SciPy, scikit-learn and igraph, which only the
    # process holding this role loads (API workers import this module to register the role).
    from app.analytics.indexer.indexer import Indexer

    indexer = Indexer()
    transaction = partial(session_scope, engine)
    while should_go_on():
        try:
            if not indexer.catch_up(transaction):
                time.sleep(IDLE_SECONDS)
        except SQLAlchemyError as error:
            logger.warning("the indexer could not reach the database (%s); trying again", error)
            time.sleep(RETRY_SECONDS)
