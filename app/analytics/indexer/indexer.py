"""The overlap indexer: keeps the tables that overlaps, clusters, flags and scaling candidates
are read from, for every API worker at once.

It holds the overlap index (`scoring.Index`) in memory and follows the change feed: each batch
reads the initiatives that changes since its last batch name, updates their vectors and every
list of closest matches that may have changed, works out in a read what that alters, and writes
in one short transaction

- the profiles and lists that changed (`overlaps.store`),
- the clusters of every part of the pair graph whose pairs changed (`graph`, `clusters.communities`),
- the proven matches of every initiative whose cluster or standing changed (`flags.store`);
  of both, only those that differ from what is stored (a whole part of the graph is clustered
  again for one new member),
- its state: the feed sequence reached, and a new version (`state`).

Everything it writes is a function of the registry's contents (texts, standings, judgements):
the lists depend on the vectors only, each part of the graph is clustered from its own pairs
alone, and a batch rewrites all it may have changed; so the same contents give the same tables
whichever order the writes came in. When its tables are not the ones it wrote last (at start,
after a failed batch, or after another process held the role) it takes them up (`resume`): it
places every live initiative's vector, reads the stored lists instead of working them all out,
and works out again only what changed since the feed sequence they record, in one transaction.
When the method or the vocabulary changed (`method`), the tables were never built, or more
changes came since they were written than one batch takes, it builds all again (`rebuild`), a
block of initiatives per transaction, so the API keeps answering meanwhile.
"""

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from sqlmodel import Session

from app.adoptions import service as adoption_service
from app.analytics.clusters import communities, labels
from app.analytics.clusters import store as cluster_store
from app.analytics.flags import store as flag_store
from app.analytics.indexer import graph
from app.analytics.indexer import state as indexer_state
from app.analytics.indexer.graph import Verdicts
from app.analytics.indexer.models import IndexerState
from app.analytics.overlaps import judgements, profiles, scoring, store
from app.analytics.overlaps.features import features
from app.changes import service as change_service
from app.core.enums import OPERATING_STATUSES, InitiativeStatus, Verdict
from app.initiatives import reads as initiative_reads
from app.initiatives.records import Standing, Text
from app.language.vocabulary import vocabulary

logger = logging.getLogger(__name__)

BLOCK = 2_000  # initiatives read, or lists written, per transaction of a full build
FOLLOW_CHANGES = 2_000  # change-feed entries per batch: bounds how long one write holds the tables
NOT_YET_OPERATING = (
    InitiativeStatus.idea,
    InitiativeStatus.planned,
    InitiativeStatus.pilot,
    InitiativeStatus.implementation,
)

PINNED = (Verdict.same, Verdict.related)  # judged pairs stored even when no list holds them

# A transaction's session: `write=False` for one that only reads.
Transaction = Callable[..., AbstractContextManager[Session]]


def method() -> str:
    """What the tables are built with; a change means a full build."""
    return f"{scoring.METHOD}/{communities.METHOD}/{communities.RESOLUTION}/{vocabulary().digest}"


class Reclustered(NamedTuple):
    """A part of the pair graph clustered again (`Indexer._clusters`)."""

    keys: set[str]  # every initiative whose cluster was worked out
    before: dict[str, cluster_store.Found]  # the stored clusters that held one of them, by id
    found: list[cluster_store.Found]


@dataclass(frozen=True)
class Batch:
    """What a batch writes (`Indexer._work_out`)."""

    fresh_profiles: dict[str, profiles.Profile]  # of the live initiatives that changed
    removed: set[str]  # initiatives no longer live: their profiles go
    lists: store.ListChanges
    emptied: list[str]  # lists that go
    clusters: cluster_store.Changes
    matches: dict[str, str | None]  # initiative → its new proven match, or None: it has none now


class Indexer:
    def __init__(self) -> None:
        self._index = scoring.Index()
        self._version: int | None = None  # the tables' version this index wrote

    def catch_up(self, transaction: Transaction) -> int:
        """Apply a batch of what the tables have not seen yet (taking them up, or building them,
        when they are not this index's); returns how many initiatives it read. Texts are read and
        analysed, and what changes worked out, before the write, which only writes the tables."""
        try:
            with transaction(write=False) as session:
                state = indexer_state.read(session)
                latest = change_service.latest_sequence(session)
            if self._version is None or state.version != self._version or state.method != method():
                # Taking up writes every change since in one transaction: after more than a batch
                # takes, build all instead (its transactions are each bounded).
                can_take_up = state.method == method() and latest - state.sequence <= FOLLOW_CHANGES
                return self.resume(transaction, state) if can_take_up else self.rebuild(transaction)
            if latest <= state.sequence:
                return 0
            upto, version = min(latest, state.sequence + FOLLOW_CHANGES), state.version
            with transaction(write=False) as session:
                ids = change_service.initiatives_changed_between(session, state.sequence, upto)
                texts = initiative_reads.live_texts(session, ids)
            documents, found = _documents(texts)
            keys = {str(i) for i in ids}
            rewritten = self._index.apply(documents, keys - set(found)) | keys
            with transaction(write=False) as session:
                batch = self._work_out(session, keys, rewritten, found)
            with transaction() as session:
                if indexer_state.read(session).version != version:
                    return 0  # invalidated meanwhile: the next batch takes the tables up or builds them
                self._write(session, batch, upto)
            return len(ids)
        except BaseException:
            self._version = None  # the index may hold what the tables lost with the transaction
            raise

    def rebuild(self, transaction: Transaction) -> int:
        """Build the index and every table from scratch."""
        self._version = None
        self._index = scoring.Index()
        with transaction(write=False) as session:
            start = change_service.latest_sequence(session)
            version = indexer_state.read(session).version
        keys = self._read_all(transaction, write_profiles=True)
        self._index.rank_all()
        for position in range(0, len(keys), BLOCK):
            with transaction(write=False) as session:
                block = keys[position : position + BLOCK]
                lists = store.list_changes(self._lists(block, _verdicts(session)), store.list_rows(session, block))
            with transaction() as session:
                store.write_list_changes(session, lists)
        # Clustering everything takes seconds: done in a read, so that writes do not wait for it.
        with transaction(write=False) as session:
            stale = {str(i) for i in store.listed_ids(session)} - set(keys)
            verdicts = _verdicts(session)
            # Every label anew: the build may follow a new vocabulary.
            part = self._clusters(session, set(keys) | stale, verdicts, {}, relabel=True)
            cluster_changes = cluster_store.changes(part.before, part.found)
            match_changes = flag_store.changes(session, part.keys, self._proven_matches(session, part.found, verdicts))
        with transaction() as session:
            if indexer_state.read(session).version != version:
                return 0  # invalidated meanwhile (initiatives deleted outright): the next batch builds again
            store.delete_lists(session, stale)
            store.delete_profiles(session, stale)
            cluster_store.write(session, cluster_changes)
            flag_store.write(session, match_changes)
            self._version = indexer_state.advance(session, start, method())
        logger.info("built the overlap index of %d initiatives", len(keys))
        return len(keys)

    def resume(self, transaction: Transaction, state: IndexerState) -> int:
        """Take up the tables as they are (`state`: built by this method up to a feed sequence):
        place every live initiative's vector, read the stored lists, and work out again what the
        changes since that sequence alter (`scoring.Index.adopt`): the tables a full build would
        write, but the only write is one batch's. Returns how many initiatives it read."""
        self._version, version = None, state.version  # the number: the row itself may be refreshed
        self._index = scoring.Index()
        keys = self._read_all(transaction, write_profiles=False)
        with transaction(write=False) as session:
            upto = change_service.latest_sequence(session)
            ids = change_service.initiatives_changed_between(session, state.sequence, upto)
            texts = [text for chunk in _chunks(list(ids)) for text in initiative_reads.live_texts(session, chunk)]
            documents, found = _documents(texts)
            self._index.place(documents)
            self._index.remove({str(i) for i in ids} - set(found))
            # Lists hold pairs people pinned beyond what the index lists (`_lists`): their
            # lists are worked out again.
            pinned = {first for (first, _second), verdict in _verdicts(session).items() if verdict in PINNED}
            changed = {str(i) for i in ids} | pinned
            rewritten = self._index.adopt(store.all_lists(session), changed) | changed
            batch = self._work_out(session, changed, rewritten, found)
        with transaction() as session:
            if indexer_state.read(session).version != version:
                return 0  # invalidated, or written by another process, meanwhile: the next batch decides again
            self._write(session, batch, upto)
        logger.info("took up the overlap index of %d initiatives, %d changed since", len(keys), len(ids))
        return len(keys)

    def _read_all(self, transaction: Transaction, *, write_profiles: bool) -> list[str]:
        """Read every live initiative, a block at a time, placing its vector (and storing its
        profile); returns their keys."""
        keys: list[str] = []
        after: uuid.UUID | None = None
        while True:
            with transaction(write=False) as session:
                texts = initiative_reads.live_text_page(session, after, BLOCK)
            if not texts:
                return keys
            documents, found = _documents(texts)
            self._index.place(documents)
            if write_profiles:
                with transaction() as session:
                    store.write_profiles(session, found)
            keys.extend(document.key for document in documents)
            after = texts[-1].id

    def _work_out(
        self, session: Session, keys: set[str], rewritten: set[str], found: dict[str, profiles.Profile]
    ) -> Batch:
        """What a batch writes, the index holding it already (`keys` changed, the live ones'
        profiles `found`, the lists `rewritten` changed): those lists, and every cluster and
        proven match they may alter. Worked out in a read, so that on SQLite the writes of the
        API wait only for the batch's own writes."""
        verdicts = _verdicts(session)
        live = [key for key in rewritten if key in self._index]
        # Every pair that a rewritten list held or holds now: their clusters may change.
        held = store.rows_naming(session, rewritten)
        touched = {key for row in held for key in row}
        touched |= {other for key in live for other, _score in self._index.best(key)}
        part = self._clusters(session, touched | rewritten, verdicts, found)
        return Batch(
            fresh_profiles=found,
            removed={key for key in keys if key not in self._index},
            lists=store.list_changes(self._lists(live, verdicts), held),
            emptied=[key for key in rewritten if key not in self._index],
            clusters=cluster_store.changes(part.before, part.found),
            matches=flag_store.changes(session, part.keys, self._proven_matches(session, part.found, verdicts)),
        )

    def _write(self, session: Session, batch: Batch, sequence: int) -> None:
        """Write a batch (`_work_out`); the tables then reflect the feed up to `sequence`."""
        store.write_profiles(session, batch.fresh_profiles)
        store.delete_profiles(session, batch.removed)
        store.write_list_changes(session, batch.lists)
        store.delete_lists(session, batch.emptied)
        cluster_store.write(session, batch.clusters)
        flag_store.write(session, batch.matches)
        self._version = indexer_state.advance(session, sequence, method())

    def _lists(self, keys: list[str], verdicts: Verdicts) -> dict[str, list[tuple[str, float, bool]]]:
        """These initiatives' lists as stored: with the pairs people judged the same or related
        that the lists lack (each stored once, by its first initiative)."""
        pinned: dict[str, list[str]] = {}
        for (first, second), verdict in verdicts.items():
            if verdict in PINNED and first in self._index and second in self._index:
                pinned.setdefault(first, []).append(second)
        lists = {}
        for key in keys:
            listed = self._index.best_marked(key)
            missing = [other for other in pinned.get(key, []) if other not in {row[0] for row in listed}]
            lists[key] = listed + [
                (other, value, self._index.same_work(key, other, value))
                for other, value in sorted(self._index.scores_against(key, missing).items())
            ]
        return lists

    def _clusters(
        self,
        session: Session,
        touched: set[str],
        verdicts: Verdicts,
        fresh: dict[str, profiles.Profile],
        *,
        relabel: bool = False,
    ) -> Reclustered:
        """Cluster again every part of the pair graph that holds a touched initiative or one of
        their former cluster mates, labelled from the stored profiles and the `fresh` ones not
        stored yet (a cluster found as it was stored keeps its label, unless `relabel`)."""
        former = cluster_store.mates(session, touched)
        seeds = touched | {key for mates in former.values() for key in mates}
        first, second, scores = graph.part(self._index, seeds, verdicts)
        nodes = {self._index.key_at(p) for p in np.union1d(first, second).tolist()}
        joined = [
            (self._index.position_of(one), self._index.position_of(other))
            for (one, other), verdict in verdicts.items()
            if verdict == Verdict.same and one in nodes
        ]
        found = communities.clusters(self._index.key_at, first, second, scores, joined)
        before = cluster_store.held(session, seeds | nodes)
        return Reclustered(seeds | nodes, before, _labelled(session, found, fresh, {} if relabel else before))

    def _proven_matches(
        self, session: Session, clusters: list[cluster_store.Found], verdicts: Verdicts
    ) -> dict[str, str]:
        """The proven match of every initiative in `clusters` that has one."""
        mates = {key: cluster.members for cluster in clusters for key in cluster.members}
        standing = {str(s.id): s for s in initiative_reads.standings(session, _ids(mates))}
        coordinated = adoption_service.coordinated(session, _ids(mates))
        matches = {}
        for key, cluster in mates.items():
            here = standing.get(key)
            if here is None or here.status not in NOT_YET_OPERATING:
                continue
            proven = [
                other
                for other in cluster
                if _is_proven(standing.get(other))
                and standing[other].owner_code != here.owner_code
                and here.owner_code not in coordinated.get(uuid.UUID(other), set())
                and verdicts.get(_pair(key, other)) != Verdict.different
            ]
            if proven:
                matches[key] = min(proven, key=lambda other: self._preference(key, other, standing[other]))
        return matches

    def _preference(self, key: str, other: str, standing: Standing) -> tuple[float, int, str]:
        """The best-scoring pair first, then the largest realised benefit."""
        return -self._score(key, other), -(standing.realised_benefit_sek_per_year or 0), other

    def _score(self, key: str, other: str) -> float:
        for one, two in ((key, other), (other, key)):
            for listed, value in self._index.best(one):
                if listed == two:
                    return value
        return 0.0


def _documents(texts: Iterable[Text]) -> tuple[list[scoring.Document], dict[str, profiles.Profile]]:
    documents, found = [], {}
    for text in texts:
        read = features(text.title, text.summary, text.description, text.tags, (text.solution or {}).get("name"))
        documents.append(scoring.Document(str(text.id), text.owner_code, read))
        found[str(text.id)] = profiles.profile(read)
    return documents, found


def _labelled(
    session: Session,
    found: list[list[str]],
    fresh: dict[str, profiles.Profile],
    known: dict[str, cluster_store.Found],
) -> list[cluster_store.Found]:
    """Each cluster with its label. One `known` with the same members, none of them `fresh`,
    keeps its label: a label is a function of the members' profiles, and theirs are as they were
    (reading them was a third of a batch's time, for clusters a batch mostly finds unchanged)."""
    kept = {
        members[0]: known[members[0]]
        for members in found
        if members[0] in known and known[members[0]].members == members and fresh.keys().isdisjoint(members)
    }
    labelled = {cluster.id: cluster for cluster in _label(session, [m for m in found if m[0] not in kept], fresh)}
    return [kept.get(members[0]) or labelled[members[0]] for members in found]


def _label(
    session: Session, found: list[list[str]], fresh: dict[str, profiles.Profile]
) -> Iterator[cluster_store.Found]:
    """Each cluster with its label, from its members' profiles: the stored ones, read for
    `BLOCK` members at a time (a full build read every clustered initiative's profile at once),
    and the `fresh` ones not stored yet. Their words are read only for the clusters whose
    members share no concept (`labels.label`), in one read for all such clusters of a group."""
    for group in _groups_of_members(found, BLOCK):
        held = _profiles(session, {key for members in group for key in members}, fresh, words=False)
        by_concepts = [labels.label([held[key] for key in members if key in held]) for members in group]
        wordy = {
            key for members, (_, concepts) in zip(group, by_concepts, strict=True) if not concepts for key in members
        }
        written = _profiles(session, wordy, fresh, words=True) if wordy else {}
        for members, (label, concepts) in zip(group, by_concepts, strict=True):
            if not concepts:
                label, concepts = labels.label([written[key] for key in members if key in written])
            yield cluster_store.Found(members, label, concepts)


def _profiles(
    session: Session, keys: set[str], fresh: dict[str, profiles.Profile], *, words: bool
) -> dict[str, profiles.Profile]:
    stored = store.profiles(session, _ids(keys - fresh.keys()), words=words)
    return {str(i): profile for i, profile in stored.items()} | {key: fresh[key] for key in keys & fresh.keys()}


def _groups_of_members(clusters: list[list[str]], size: int) -> Iterator[list[list[str]]]:
    """The clusters in order, in groups of about `size` members (a larger cluster alone)."""
    group: list[list[str]] = []
    count = 0
    for members in clusters:
        if group and count + len(members) > size:
            yield group
            group, count = [], 0
        group.append(members)
        count += len(members)
    if group:
        yield group


def _verdicts(session: Session) -> Verdicts:
    return {(str(a), str(b)): verdict for (a, b), verdict in judgements.all_verdicts(session).items()}


def _is_proven(standing: Standing | None) -> bool:
    return (
        standing is not None
        and standing.status in OPERATING_STATUSES
        and (standing.realised_benefit_sek_per_year or 0) > 0
    )


def _pair(one: str, other: str) -> tuple[str, str]:
    first, second = sorted((one, other))
    return first, second


def _chunks(ids: list[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    return (ids[start : start + store.CHUNK] for start in range(0, len(ids), store.CHUNK))


def _ids(keys: Iterable[str]) -> list[uuid.UUID]:
    return [uuid.UUID(key) for key in keys]
