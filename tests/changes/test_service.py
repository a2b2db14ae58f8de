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
