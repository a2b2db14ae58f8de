"""The change log's Merkle tree in the `log_node` table: appended with each write, read for
roots and proofs without rehashing the leaves."""

import base64
import time

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from app.changes.log import merkle
from app.changes.log.merkle import Node
from app.changes.log.models import LogNode
from app.changes.log.schemas import ConsistencyProof, InclusionProof, TreeHead, TreeHeadBody
from app.changes.models import Change
from app.core.db import insert_rows
from app.core.problems import NotFound

# Built once: every write appends to the tree, and building these took a tenth of an API create.
SIZE = select(func.coalesce(func.max(LogNode.index) + 1, 0)).where(col(LogNode.level) == 0)  # a node per leaf
NODES = select(col(LogNode.level), col(LogNode.index), col(LogNode.hash)).where(
    col(LogNode.level).in_(bindparam("levels", expanding=True)),
    col(LogNode.index).in_(bindparam("indexes", expanding=True)),
)


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def size(session: Session) -> int:
    """How many leaves the tree holds."""
    return session.connection().execute(SIZE).scalar_one()


def append(session: Session, leaves: list[bytes], first: int) -> int:
    """Add these leaves (in order) and every subtree they complete, to a tree of `first` leaves
    (`size`, read under the feed's write lock, which the caller holds); returns the first one's
    index."""
    known = nodes(session, set(merkle.frontier(first)))
    new = merkle.appended_nodes(first, known, [merkle.leaf_hash(leaf) for leaf in leaves])
    insert_rows(session, LogNode, [{"level": lv, "index": ix, "hash": h} for (lv, ix), h in new.items()])
    return first


def nodes(session: Session, wanted: set[Node]) -> dict[Node, bytes]:
    if not wanted:
        return {}
    # Every level × every index, then only the wanted: two IN lists use the primary key and make
    # one statement SQLAlchemy compiles once, where `(level, index) IN (...)` scans on SQLite and
    # an OR per level is built anew for every write.
    levels, indexes = {level for level, _index in wanted}, {index for _level, index in wanted}
    rows = session.connection().execute(NODES, {"levels": list(levels), "indexes": list(indexes)})
    return {(level, index): value for level, index, value in rows if (level, index) in wanted}


def hashes_of(session: Session, ranges: list[merkle.Range]) -> list[bytes]:
    known = nodes(session, merkle.nodes_for(ranges))
    return [merkle.range_hash(start, end, known) for start, end in ranges]


def root(session: Session, tree_size: int) -> bytes:
    return hashes_of(session, [(0, tree_size)])[0] if tree_size else merkle.EMPTY_ROOT


def tree_head(session: Session, key: Ed25519PrivateKey) -> TreeHead:
    tree_size = size(session)
    body = TreeHeadBody(
        tree_size=tree_size, root_hash=b64(root(session, tree_size)), timestamp=time.time_ns() // 1_000_000
    )
    signature = key.sign(rfc8785.dumps(body.model_dump()))
    return TreeHead(**body.model_dump(), signature=b64(signature))


def inclusion(session: Session, sequence: int, tree_size: int) -> InclusionProof:
    leaf_index = session.exec(select(Change.leaf_index).where(Change.sequence == sequence)).first()
    if leaf_index is None:
        raise NotFound(f"The change feed has no entry {sequence}.")
    _require_within(session, tree_size)
    if leaf_index >= tree_size:
        raise NotFound(f"Entry {sequence} is leaf {leaf_index} (from 0): not in a tree of {tree_size}.")
    path = hashes_of(session, merkle.inclusion_ranges(leaf_index, tree_size))
    return InclusionProof(leaf_index=leaf_index, tree_size=tree_size, audit_path=[b64(h) for h in path])


def consistency(session: Session, first: int, second: int) -> ConsistencyProof:
    if first > second:
        raise NotFound(f"first ({first}) must not exceed second ({second}).")  # no proof from a larger tree
    _require_within(session, second)
    path = hashes_of(session, merkle.consistency_ranges(first, second))
    return ConsistencyProof(first=first, second=second, consistency_path=[b64(h) for h in path])


def _require_within(session: Session, tree_size: int) -> None:
    current = size(session)
    if tree_size > current:
        raise NotFound(f"The log holds {current} entries; there is no tree of {tree_size}.")
