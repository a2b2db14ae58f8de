"""How far the indexer has come, and the registry's data version that read caches are keyed by."""

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from app.analytics.indexer.models import IndexerState
from app.changes.service import LATEST_SEQUENCE
from app.core.models import utcnow

# What a cached read depends on: the newest write, and the indexer's newest batch.
DATA_VERSION = select(
    LATEST_SEQUENCE.scalar_subquery(),
    select(col(IndexerState.version)).where(col(IndexerState.id) == 1).scalar_subquery(),
)


def read(session: Session) -> IndexerState:
    """The state (a blank one before the indexer's first run)."""
    return session.get(IndexerState, 1) or IndexerState()


def advance(session: Session, sequence: int, method: str) -> int:
    """Record that the tables reflect the change feed up to `sequence`, built by `method`; returns
    the new version."""
    state = _row(session)
    state.sequence, state.method = sequence, method
    return _raise_version(session, state)


def _row(session: Session) -> IndexerState:
    """The state's row, added when there is none yet."""
    state = session.get(IndexerState, 1)
    if state is None:
        state = IndexerState()
        session.add(state)
    return state


def _raise_version(session: Session, state: IndexerState) -> int:
    state.version, state.updated_at = state.version + 1, utcnow()
    session.flush()
    return state.version


def data_version(connection: Connection) -> tuple[int, int]:
    latest, version = connection.execute(DATA_VERSION).one()
    return latest or 0, version or 0


def data_version_of(engine: Engine) -> tuple[int, int]:
    """`data_version` outside a request's session: what the read cache's middleware asks."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # One statement needs no transaction: autocommit saves the round trips of BEGIN and
            # of the ROLLBACK that returns the connection to the pool.
            connection.execution_options(isolation_level="AUTOCOMMIT")
        return data_version(connection)


def lag(session: Session) -> int:
    """Changes the indexer has not yet applied."""
    latest, _version = data_version(session.connection())
    return max(0, latest - read(session).sequence)


def invalidate(session: Session) -> None:
    """Make the indexer build everything again (and read caches start afresh): for when rows it
    followed were deleted outright, which the change feed does not tell."""
    state = _row(session)
    state.method = ""
    _raise_version(session, state)
