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
# Between looks at the feed, whether or not the last found anything: a write shows within about
# this and a batch's time. Looking again at once after a batch would keep SQLite's single writer
# busy with one batch after another while writes keep coming, and the API's writes would wait.
PAUSE_SECONDS = 0.25
RETRY_SECONDS = 5.0


def run(engine: Engine, should_go_on: Callable[[], bool]) -> None:
    """Follow the change feed while this process holds the role."""
    # Imported here, not above: the API workers import this module (to register the role) and must
    # start without the indexer's numerical libraries (numpy, scipy, sklearn, igraph).
    from app.analytics.indexer.indexer import Indexer

    indexer = Indexer()
    transaction = partial(session_scope, engine)
    while should_go_on():
        try:
            indexer.catch_up(transaction)
            time.sleep(PAUSE_SECONDS)
        except SQLAlchemyError as error:
            logger.warning("the indexer could not reach the database (%s); trying again", error)
            time.sleep(RETRY_SECONDS)
