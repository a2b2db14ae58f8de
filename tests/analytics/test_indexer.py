"""The indexer: tables that are a function of the registry's contents, whichever order the
writes came in; one process across workers, another taking over; writes visible in seconds."""

import json
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.analytics.clusters import store as cluster_store
from app.analytics.context import AnalyticsContext
from app.analytics.flags import store as flag_store
from app.analytics.indexer import forget
from app.analytics.indexer import indexer as indexer_module
from app.analytics.indexer import loop as indexer_loop
from app.analytics.indexer import state as indexer_state
from app.analytics.indexer.indexer import Indexer, method
from app.analytics.overlaps import judgements, scoring, store
from app.analytics.overlaps.schemas import JudgementWrite
from app.core.caller import ADMIN
from app.core.db import session_scope
from app.core.leader import Leadership
from app.initiatives import service as initiative_service
from app.initiatives.models import Initiative
from app.initiatives.schemas import InitiativeUpdate
from tests.conftest import ADMIN_TOKEN, _savepoint, wait_until_indexed
from tests.factories import initiative_payload, make_initiative

DEV = Path(__file__).parent / "data" / "eval" / "overlap_dev.json"
TEXTS = 150


@pytest.fixture(scope="module")
def texts() -> list[dict]:
    """Texts others wrote, from the development part of the evaluation set."""
    return json.loads(DEV.read_text(encoding="utf-8"))["initiatives"][:TEXTS]


def owners(session: Session) -> list[str]:
    return sorted(AnalyticsContext(session).organisations.profiles)


def rotating_status(number: int) -> str:
    """The text's status by its number, so that proven and unproven initiatives meet."""
    return ("in_operation", "pilot", "planned")[number % 3]


def load(session: Session, texts: list[dict], order: list[int], batch: int) -> None:
    """Write the texts in this order, the indexer following every `batch` writes."""
    indexer, codes = Indexer(), owners(session)
    for count, number in enumerate(order, start=1):
        entry = texts[number]
        status = rotating_status(number)
        make_initiative(
            session,
            title=entry["title"],
            summary=entry["summary"],
            tags=entry["tags"],
            owner=codes[number],
            status=status,
            realised_benefit_sek_per_year=100_000 * (number % 5) if status == "in_operation" else None,
            solution={"name": entry["solution"]} if entry["solution"] else None,
        )
        if count % batch == 0:
            indexer.catch_up(partial(_savepoint, session))
    indexer.catch_up(partial(_savepoint, session))


def indexed(session: Session, texts: list[dict], count: int, statuses: bool = False) -> tuple[Indexer, list[str]]:
    """The first `count` texts, each by another owner (in rotating statuses if asked), taken up
    by an indexer; returns that indexer and the owners' codes."""
    indexer, codes = Indexer(), owners(session)
    for number, entry in enumerate(texts[:count]):
        status = rotating_status(number) if statuses else "pilot"
        make_initiative(session, title=entry["title"], summary=entry["summary"], owner=codes[number], status=status)
    indexer.catch_up(partial(_savepoint, session))
    return indexer, codes


def recording(monkeypatch, module, name: str) -> list:
    """Calls of `module.name` (a function of a session and one argument) go on as before; the
    list returned collects each call's argument."""
    original, calls = getattr(module, name), []
    monkeypatch.setattr(
        module,
        name,
        lambda session, argument, **options: calls.append(argument) or original(session, argument, **options),
    )
    return calls


def tables(session: Session) -> dict[str, set]:
    """What the indexer wrote, by titles (ids differ between loads)."""
    rows = lambda sql: session.connection().execute(text(sql)).all()  # noqa: E731
    title = dict(rows("SELECT id, title FROM initiative"))
    clusters: dict = {}
    for initiative_id, cluster_id in rows("SELECT initiative_id, cluster_id FROM cluster_member"):
        clusters.setdefault(cluster_id, set()).add(title[initiative_id])
    return {
        "pairs": {
            (title[a], title[b], round(s, 4), bool(same))
            for a, b, s, same in rows("SELECT initiative_id, other_id, score, same_work FROM overlap_pair")
        },
        "clusters": {frozenset(members) for members in clusters.values()},
        "labels": {label for (label,) in rows("SELECT label FROM overlap_cluster")},
        "proven": {(title[a], title[b]) for a, b in rows("SELECT initiative_id, proven_id FROM proven_match")},
    }


def stored_rows(session: Session) -> dict[tuple[uuid.UUID, uuid.UUID], tuple[float, bool]]:
    """Every stored list's rows: (listing, listed) → (score, same work)."""
    rows = session.connection().execute(text("SELECT initiative_id, other_id, score, same_work FROM overlap_pair"))
    return {(uuid.UUID(str(a)), uuid.UUID(str(b))): (score, bool(same)) for a, b, score, same in rows}


def interrupted(session: Session, at: int, meanwhile: Callable[[], object]) -> Callable:
    """Transactions on the test's session, as the indexer takes them; `meanwhile` runs just before
    the `at`-th, as another process's write would."""
    taken = 0

    @contextmanager
    def transaction(write: bool = True) -> Iterator[Session]:
        nonlocal taken
        taken += 1
        if taken == at:
            meanwhile()
        with session.begin_nested():
            yield session

    return transaction


class TestContentsNotHistory:
    def test_two_orders_and_batchings_give_the_same_tables_as_one_build(self, session, texts):
        forward, shuffled = list(range(len(texts))), list(range(len(texts)))
        random.Random(7).shuffle(shuffled)
        found = []
        for order, batch in ((forward, 1), (shuffled, 13), (forward, len(texts))):
            savepoint = session.begin_nested()
            load(session, texts, order, batch)
            found.append(tables(session))
            savepoint.rollback()
        assert found[0]["pairs"] and found[0]["clusters"] and found[0]["proven"]
        assert found[0] == found[1] == found[2]

    def test_a_batch_writes_only_the_clusters_and_proven_matches_that_changed(self, session, texts, monkeypatch):
        indexer, codes = indexed(session, texts, 80, statuses=True)
        before = tables(session)
        cluster_writes, match_writes = (
            recording(monkeypatch, cluster_store, "write"),
            recording(monkeypatch, flag_store, "write"),
        )
        # The texts of one cluster again, by other owners: that cluster grows, the others stay.
        title = lambda initiative_id: session.get(Initiative, initiative_id).title  # noqa: E731
        grown = min(before["clusters"], key=lambda members: (-len(members), sorted(members)))
        for number, entry in enumerate(e for e in texts[:80] if e["title"] in grown):
            make_initiative(
                session,
                title=entry["title"] + " (del 2)",
                summary=entry["summary"],
                owner=codes[100 + number],
                status="in_operation",
            )
        indexer.catch_up(partial(_savepoint, session))
        after = tables(session)
        [clusters], [matches] = cluster_writes, match_writes
        assert before["clusters"] - after["clusters"] and before["clusters"] & after["clusters"]
        assert {frozenset(map(title, map(uuid.UUID, c.members))) for c in clusters.added} == after["clusters"] - before[
            "clusters"
        ]
        assert len(clusters.dropped) == len(before["clusters"] - after["clusters"])
        changed = {
            (title(uuid.UUID(key)), title(uuid.UUID(proven)) if proven else None) for key, proven in matches.items()
        }
        assert {pair for pair in changed if pair[1]} == after["proven"] - before["proven"]
        assert {key for key, _proven in changed} == {a for a, _b in after["proven"] ^ before["proven"]}

    def test_a_batch_reads_the_profiles_only_of_the_clusters_it_labels_anew(self, session, texts, monkeypatch):
        indexer, codes = indexed(session, texts, 80)
        before = tables(session)
        reads, written = recording(monkeypatch, store, "profiles"), recording(monkeypatch, cluster_store, "write")
        # The texts of one cluster again, by other owners: that cluster grows, the others of its part stay.
        grown = min(before["clusters"], key=lambda members: (-len(members), sorted(members)))
        added = [
            str(make_initiative(session, title=e["title"] + " (del 2)", summary=e["summary"], owner=codes[100 + n]).id)
            for n, e in enumerate(e for e in texts[:80] if e["title"] in grown)
        ]
        indexer.catch_up(partial(_savepoint, session))
        [changes] = written
        relabelled = {key for cluster in changes.added for key in cluster.members}
        read = {str(initiative_id) for ids in reads for initiative_id in ids}
        assert read and read == relabelled - set(added)

    def test_a_batch_writes_only_the_list_rows_that_changed(self, session, texts, monkeypatch):
        indexer, codes = indexed(session, texts, 60)
        before = stored_rows(session)
        written = recording(monkeypatch, store, "write_list_changes")
        # A text like one already listed, by another owner: it enters the lists of that text's partners.
        make_initiative(session, title=texts[0]["title"] + " (del 2)", summary=texts[0]["summary"], owner=codes[70])
        indexer.catch_up(partial(_savepoint, session))
        after = stored_rows(session)
        [changes] = written
        assert {tuple(map(uuid.UUID, row)) for row in changes.dropped} == {
            row for row, value in before.items() if after.get(row) != value
        }
        assert {(row["initiative_id"], row["other_id"]) for row in changes.added} == {
            row for row, value in after.items() if before.get(row) != value
        }
        # Lists other than the new one's changed, each by a row or two, not by every row.
        rewritten = {uuid.UUID(listing) for listing, _listed in changes.dropped}
        assert rewritten and len(changes.dropped) < sum(1 for listing, _listed in before if listing in rewritten)

    def test_a_list_row_whose_score_or_mark_alone_changed_is_written_again(self, session):
        first, second, third = (str(make_initiative(session, owner=code).id) for code in ("0180", "2281", "1480"))
        # Another list's row that names `first`: read with its rows, never dropped with them.
        theirs = (uuid.UUID(second), uuid.UUID(first))
        store.write_list_changes(session, store.list_changes({second: [(first, 0.5, True)]}, {}))

        def changes_to(listed: list[tuple[str, float, bool]]) -> store.ListChanges:
            return store.list_changes({first: listed}, store.rows_naming(session, [first]))

        store.write_list_changes(session, changes_to([(second, 0.5, True), (third, 0.3, False)]))
        changes = changes_to([(second, 0.5, False), (third, 0.31, False)])
        assert sorted(changes.dropped) == sorted((first, other) for other in (second, third))
        pairs = [(uuid.UUID(first), uuid.UUID(other)) for other in (second, third)]
        assert {(row["other_id"], row["score"], row["same_work"]) for row in changes.added} == {
            (pairs[0][1], 0.5, False),
            (pairs[1][1], 0.31, False),
        }
        store.write_list_changes(session, changes)
        assert stored_rows(session) == {pairs[0]: (0.5, False), pairs[1]: (0.31, False), theirs: (0.5, True)}
        assert changes_to([(second, 0.5, False), (third, 0.31, False)]) == store.ListChanges([], [])

    def test_a_cluster_whose_label_alone_changed_is_written_again(self, session):
        members = sorted(str(make_initiative(session, owner=code).id) for code in ("0180", "2281"))

        def changes_to(found: cluster_store.Found) -> cluster_store.Changes:
            return cluster_store.changes(cluster_store.held(session, members), [found])

        cluster_store.write(session, changes_to(cluster_store.Found(members, "Nattillsyn", [])))
        relabelled = cluster_store.Found(members, "Digital nattillsyn", ["nattillsyn"])
        changes = changes_to(relabelled)
        assert changes == cluster_store.Changes(dropped=[members[0]], added=[relabelled])
        cluster_store.write(session, changes)
        assert cluster_store.held(session, members[:1]) == {members[0]: relabelled}
        assert changes_to(relabelled) == cluster_store.Changes(dropped=[], added=[])

    def test_an_edit_and_its_undoing_leave_the_tables_as_they_were(self, session, index):
        night = make_initiative(session, title="Digital nattillsyn i hemtjänsten", owner="2281", summary=None, tags=[])
        make_initiative(session, title="Nattillsyn med kamera hos brukare", owner="0180", summary=None, tags=[])
        index()
        before = tables(session)
        initiative_service.update(session, night.id, InitiativeUpdate(title="Bygglov digitalt"), ADMIN, night.version)
        index()
        assert tables(session)["pairs"] == set()
        initiative_service.update(
            session, night.id, InitiativeUpdate(title="Digital nattillsyn i hemtjänsten"), ADMIN, night.version + 1
        )
        index()
        assert tables(session) == before

    def test_a_cluster_whose_member_was_edited_is_labelled_anew_though_its_members_stay(self, session, index):
        night = make_initiative(session, title="Digital nattillsyn i hemtjänsten", owner="2281", summary=None, tags=[])
        make_initiative(session, title="Nattillsyn med kamera hos brukare", owner="0180", summary=None, tags=[])
        index()
        before = tables(session)
        # A label no batch would give: kept only if the batch took the cluster for unchanged.
        session.connection().execute(text("UPDATE overlap_cluster SET label = 'Gammal etikett'"))
        description = "Kamerorna slås på bara nattetid."
        initiative_service.update(session, night.id, InitiativeUpdate(description=description), ADMIN, night.version)
        index()
        after = tables(session)
        assert after["clusters"] == before["clusters"] and after["labels"] == before["labels"] != {"Gammal etikett"}

    def test_clusters_whose_members_share_no_concept_are_labelled_by_their_words(self, session, index, monkeypatch):
        for title, owner in (
            ("Konstgräsplaner och gummigranulat", "2281"),
            ("Gummigranulat från konstgräsplaner", "0180"),
            ("Fågelholkar i stadsparkerna", "1280"),
            ("Stadsparkernas fågelholkar", "1480"),
        ):
            make_initiative(session, title=title, owner=owner, summary=None, tags=[])
        reads = recording(monkeypatch, store, "profiles")
        index()
        found = session.connection().execute(text("SELECT label, concepts FROM overlap_cluster")).all()
        assert all((json.loads(concepts) if isinstance(concepts, str) else concepts) == [] for _, concepts in found)
        named = [set(label.lower().split(", ")) & {"gummigranulat", "fågelholkar"} for label, _ in found]
        assert sorted(word for words in named for word in words) == ["fågelholkar", "gummigranulat"]
        # One read of the concepts, one of the words for both clusters.
        assert len(reads) == 2

    def test_what_a_rolled_back_batch_wrote_is_built_again(self, session, index):
        make_initiative(session, title="Digital nattillsyn i hemtjänsten", owner="2281")
        index()
        with session.begin_nested() as savepoint:
            make_initiative(session, title="Nattillsyn med kamera hos brukare", owner="0180")
            index()
            assert tables(session)["pairs"]
            savepoint.rollback()
        index()  # its memory is ahead of the tables: it notices and builds again
        assert tables(session)["pairs"] == set()
        assert indexer_state.lag(session) == 0

    def test_a_batch_that_a_deletion_invalidated_meanwhile_writes_nothing(self, session):
        night = make_initiative(session, title="Digital nattillsyn i hemtjänsten", owner="2281")
        indexer = Indexer()
        indexer.catch_up(partial(_savepoint, session))
        make_initiative(session, title="Nattillsyn med kamera hos brukare", owner="0180")
        # A batch works out what to write in its third transaction and writes in its fourth:
        # the demo deletes an initiative in between.
        invalidated = interrupted(session, 4, lambda: forget.forget(session, [night.id]))
        assert indexer.catch_up(invalidated) == 0
        assert tables(session)["pairs"] == set() and indexer_state.read(session).method == ""
        indexer.catch_up(partial(_savepoint, session))
        assert indexer_state.read(session).method == method() and tables(session)["pairs"]


class TestTakingUpTheTables:
    """A new indexer (a restart, another process taking the role) takes up the stored tables and
    works out only what changed since: the tables a full build gives, without a full build."""

    def test_changes_made_while_no_indexer_ran_give_the_tables_of_a_full_build(self, session, texts, monkeypatch):
        half = len(texts) // 2
        night = [
            make_initiative(session, title=title, owner=owner, summary=None, tags=[])
            for title, owner in (
                ("Digital nattillsyn med kamera i hemtjänsten", "2281"),
                ("Nattillsyn via kameror hos brukare i hemtjänsten", "0180"),
                ("Kameratillsyn nattetid hos brukare i hemtjänsten", "1480"),
            )
        ]
        signing = make_initiative(session, title="Elektronisk signering av avtal och beslut", owner="0580")
        load(session, texts, list(range(half)), batch=half)
        judgements.judge(session, night[2].id, signing.id, JudgementWrite(verdict="related"), ADMIN)
        Indexer().catch_up(partial(_savepoint, session))
        assert {night[0].title, night[1].title} in [set(pair[:2]) for pair in tables(session)["pairs"]]

        # While no indexer runs: new initiatives, an edit and an archiving that the third night
        # supervision's list held, and a judgement.
        codes = owners(session)
        for number in range(half, len(texts)):
            make_initiative(
                session, title=texts[number]["title"], summary=texts[number]["summary"], owner=codes[number]
            )
        initiative_service.update(
            session, night[0].id, InitiativeUpdate(title="Bygglov digitalt"), ADMIN, night[0].version
        )
        initiative_service.archive(session, night[1].id, "Ersatt", ADMIN)
        judgements.judge(session, night[2].id, night[0].id, JudgementWrite(verdict="different"), ADMIN)

        built = full_builds(monkeypatch)
        assert Indexer().catch_up(partial(_savepoint, session)) == len(texts) + 3
        taken_up = tables(session)
        assert not built and indexer_state.lag(session) == 0  # taken up, not built again

        Indexer().rebuild(partial(_savepoint, session))
        assert taken_up == tables(session)
        assert not any(night[1].title in pair[:2] for pair in taken_up["pairs"])
        assert {night[2].title, signing.title} in [set(pair[:2]) for pair in taken_up["pairs"]]

    def test_an_initiative_archived_while_the_index_is_read_is_taken_up_as_gone(self, session, index):
        make_initiative(session, title="Digital nattillsyn i hemtjänsten", owner="2281")
        twin = make_initiative(session, title="Nattillsyn med kamera hos brukare", owner="0180")
        index()
        # The new indexer's third transaction comes after it has read (and placed) both.
        archived = lambda: initiative_service.archive(session, twin.id, "Ersatt", ADMIN)  # noqa: E731
        Indexer().catch_up(interrupted(session, 3, archived))
        assert tables(session)["pairs"] == set()
        assert indexer_state.lag(session) == 0

    def test_a_take_up_that_a_deletion_invalidated_meanwhile_writes_nothing(self, session, index):
        night = make_initiative(session, title="Digital nattillsyn i hemtjänsten", owner="2281")
        index()
        make_initiative(session, title="Nattillsyn med kamera hos brukare", owner="0180")
        # A new indexer's fifth transaction is the take-up's write, after it read everything.
        invalidated = interrupted(session, 5, lambda: forget.forget(session, [night.id]))
        assert Indexer().catch_up(invalidated) == 0
        assert tables(session)["pairs"] == set() and indexer_state.read(session).method == ""

    def test_a_build_that_a_deletion_invalidated_meanwhile_is_not_taken_as_current(self, session):
        night = make_initiative(session, title="Digital nattillsyn i hemtjänsten", owner="2281")
        make_initiative(session, title="Nattillsyn med kamera hos brukare", owner="0180")
        # The build's third transaction comes after it has read the initiatives: the demo deletes one.
        assert Indexer().rebuild(interrupted(session, 3, lambda: forget.forget(session, [night.id]))) == 0
        assert indexer_state.read(session).method == ""
        Indexer().catch_up(partial(_savepoint, session))
        assert indexer_state.read(session).method == method()

    def test_after_more_changes_than_a_batch_takes_it_builds_all_instead(self, session, index, monkeypatch):
        make_initiative(session, title="Digital nattillsyn i hemtjänsten", owner="2281")
        index()
        for owner in ("0180", "1480", "0580"):
            make_initiative(session, title="Nattillsyn med kamera hos brukare", owner=owner)
        built = full_builds(monkeypatch)
        monkeypatch.setattr(indexer_module, "FOLLOW_CHANGES", 2)
        Indexer().catch_up(partial(_savepoint, session))
        listed = session.connection().execute(text("SELECT count(*) FROM overlap_pair")).scalar_one()
        assert built and listed == 4 * 3 and indexer_state.lag(session) == 0

    def test_tables_another_method_built_are_built_again(self, session, index, monkeypatch):
        make_initiative(session, title="Digital nattillsyn i hemtjänsten", owner="2281")
        make_initiative(session, title="Nattillsyn med kamera hos brukare", owner="0180")
        index()
        labels = tables(session)["labels"]
        session.connection().execute(text("UPDATE indexer_state SET method = 'an older method'"))
        # As an older vocabulary could have labelled it: a build labels every cluster anew.
        session.connection().execute(text("UPDATE overlap_cluster SET label = 'Gammal etikett'"))
        built = full_builds(monkeypatch)
        Indexer().catch_up(partial(_savepoint, session))
        assert built and indexer_state.read(session).method == method()
        assert tables(session)["pairs"] and tables(session)["labels"] == labels != {"Gammal etikett"}


def full_builds(monkeypatch) -> list:
    """Records each time an index works out every list from scratch (a full build)."""
    built: list = []
    rank_all = scoring.Index.rank_all
    monkeypatch.setattr(scoring.Index, "rank_all", lambda self: built.append(rank_all(self)))
    return built


class TestOneIndexerForAllWorkers:
    def test_a_write_over_http_shows_in_overlaps_within_seconds(self, live_server, committed):
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        first = httpx.post(
            f"{live_server}/api/v1/initiatives",
            json=initiative_payload(title="Digital nattillsyn i hemtjänsten", owner="2281"),
            headers=headers,
        ).json()
        started = time.monotonic()
        httpx.post(
            f"{live_server}/api/v1/initiatives",
            json=initiative_payload(title="Nattillsyn med kamera hos brukare i hemtjänsten", owner="0180"),
            headers=headers,
        )
        while not httpx.get(f"{live_server}/api/v1/initiatives/{first['id']}/overlaps").json()["items"]:
            assert time.monotonic() - started < 5, "not visible in overlaps within 5 seconds"
            time.sleep(0.05)

    def test_another_process_takes_the_role_when_the_holder_dies(self, committed, database_url):
        holder = subprocess.Popen([sys.executable, "-c", HOLD_ROLE, database_url], stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        mine = Leadership(committed, "test-role")
        assert not mine.try_acquire()
        holder.kill()
        holder.wait()
        deadline = time.monotonic() + 5
        while not mine.try_acquire():
            assert time.monotonic() < deadline, "the role was not free after its holder died"
            time.sleep(0.05)
        mine.release()


HOLD_ROLE = """
import sys, time
from app.core.db import build_engine
from app.core.leader import Leadership
leadership = Leadership(build_engine(sys.argv[1]), "test-role")
assert leadership.try_acquire()
print("holding", flush=True)
time.sleep(60)
"""


def test_wait_until_indexed_sees_a_current_index(committed):
    with session_scope(committed) as session:
        make_initiative(session, title="Digital nattillsyn", owner="2281")
    indexer = Indexer()
    indexer.catch_up(partial(session_scope, committed))
    wait_until_indexed(committed, timeout=1)


def test_the_role_pauses_after_every_look_not_only_an_empty_one(monkeypatch, committed):
    # A batch right after a batch would hold SQLite's single writer while the API's writes wait.
    looks: list[float] = []

    class Busy:
        def catch_up(self, transaction) -> int:
            looks.append(time.monotonic())
            return 50  # every look finds work

    monkeypatch.setattr(indexer_module, "Indexer", Busy)
    indexer_loop.run(committed, lambda: len(looks) < 4)
    assert min(later - earlier for earlier, later in pairwise(looks)) >= indexer_loop.PAUSE_SECONDS
