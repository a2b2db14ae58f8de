"""Migration 0009 puts the entries already in the feed into the verifiable log, in sequence order."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from app.changes import service as change_service
from app.changes.log import tree
from app.core import migrations
from app.core.caller import ADMIN
from app.core.db import build_engine, session_scope
from app.core.enums import ChangeAction
from tests.changes.test_log import mth
from tests.conftest import fresh_database

OLD_ENTRIES = [
    {
        "sequence": sequence,
        "entity": "initiative",
        "entity_id": uuid.UUID(int=sequence),
        "initiative_id": uuid.UUID(int=sequence),
        "action": "create",
        "version": 1,
        "occurred_at": datetime(2026, 11, 20, 8, 30, sequence, 123_456 * (sequence % 2), tzinfo=UTC),
        "actor_kind": "organisation",
        "actor_key_id": uuid.UUID(int=1000 + sequence),
        "actor_organisation_code": "2281",
        "changes": {},
        "snapshot": {"title": f"Nattillsyn {sequence}", "budget_sek": 1.5e6, "tags": ["å", "ä"]},
    }
    for sequence in (1, 2, 4, 7, 8)  # gaps, as PostgreSQL's sequences leave after rollbacks
]


@pytest.fixture
def engine_at_0005():
    with fresh_database("changelog") as url:
        migrations.upgrade(url, "0005")
        engine = build_engine(url)
        yield url, engine
        engine.dispose()


def test_existing_entries_become_the_first_leaves(engine_at_0005):
    url, engine = engine_at_0005
    columns = ", ".join(OLD_ENTRIES[0])
    values = ", ".join(f":{name}" for name in OLD_ENTRIES[0])
    with engine.begin() as connection:
        for entry in OLD_ENTRIES:
            row = {**entry, "changes": "{}", "snapshot": json.dumps(entry["snapshot"])}
            as_stored = {name: str(v) if isinstance(v, uuid.UUID) else v for name, v in row.items()}
            connection.execute(text(f'INSERT INTO "change" ({columns}) VALUES ({values})'), as_stored)
    migrations.upgrade(url)
    with engine.connect() as connection:
        stored = connection.execute(text('SELECT sequence, leaf, leaf_index FROM "change" ORDER BY sequence')).all()
    assert [(row.sequence, row.leaf_index) for row in stored] == [(1, 0), (2, 1), (4, 2), (7, 3), (8, 4)]
    # Exactly the bytes the application writes for a new entry with the same content.
    assert [bytes(row.leaf) for row in stored] == [change_service.leaf_bytes(entry) for entry in OLD_ENTRIES]
    leaves = [bytes(row.leaf) for row in stored]
    with session_scope(engine, write=False) as session:
        assert tree.size(session) == 5
        assert tree.root(session, 5) == mth(leaves)
    with session_scope(engine) as session:
        one_more = change_service.new_change(
            entity="initiative",
            entity_id=uuid.uuid4(),
            initiative_id=uuid.uuid4(),
            action=ChangeAction.create,
            caller=ADMIN,
            snapshot={},
            changes={},
        )
        change_service.record(session, [one_more])
        assert change_service.latest_sequence(session) == 9
    with session_scope(engine, write=False) as session:
        new_leaf = bytes(session.execute(text('SELECT leaf FROM "change" WHERE sequence = 9')).scalar_one())
        assert tree.root(session, 6) == mth([*leaves, new_leaf])
