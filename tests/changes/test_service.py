import pytest
from sqlalchemy import text

from app.changes import service as change_service
from app.core.db import session_scope
from tests.factories import make_initiative


def test_the_read_caches_sequence_read_sees_commits_and_leaves_pooled_connections_alone(committed):
    with session_scope(committed) as session:
        make_initiative(session)
        expected = change_service.latest_sequence(session)
    assert change_service.latest_sequence_of(committed) == expected > 0
    with committed.connect() as connection:
        driver = connection.connection.driver_connection
        if committed.dialect.name == "sqlite":
            assert driver.isolation_level is None  # the mode SQLAlchemy's own BEGIN relies on
        else:
            assert driver.autocommit is False


def test_a_write_takes_the_feed_lock_only_at_its_commit_and_commit_order_is_feed_order(committed):
    if committed.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: a second write waits for the first's commit whatever the feed does")
    with session_scope(committed) as first:
        slow = make_initiative(first, title="Skrivs först, sparas sist").id
        with session_scope(committed) as second:
            # Waiting for the first write's lock would fail here, not hang.
            second.execute(text("SET LOCAL lock_timeout = '2s'"))
            quick = make_initiative(second, title="Skrivs sist, sparas först").id
    with session_scope(committed, write=False) as session:
        feed = change_service.list_changes(session, after=0, limit=1_000)
    assert [entry.entity_id for entry in feed if entry.entity_id in (slow, quick)] == [quick, slow]


@pytest.mark.parametrize("read_inside", [False, True], ids=["recorded", "recorded-and-read"])
def test_a_rolled_back_savepoint_takes_its_own_entries_and_no_others(session, read_inside):
    before = change_service.latest_sequence(session)
    kept = make_initiative(session, title="Sparas").id
    failed_request = session.begin_nested()
    make_initiative(session, title="Rullas tillbaka")
    if read_inside:  # the read appends both entries inside the savepoint
        assert len(change_service.list_changes(session, after=before, limit=100)) == 2
    failed_request.rollback()
    feed = change_service.list_changes(session, after=before, limit=100)
    assert [entry.entity_id for entry in feed] == [kept]
