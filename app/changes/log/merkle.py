"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1, as pure functions.

Hashes of ranges of leaves are computed from stored hashes of *perfect* subtrees: a range
of 2^level leaves starting at a multiple of 2^level, named `(level, index)` with index =
start >> level. Every range the RFC's recursion visits starts at such a multiple, so a root,
an audit path or a consistency path needs only O(log² n) stored nodes, fetched in one query
(`nodes_for`), never a rehash of the whole log.
"""

import hashlib
from collections.abc import Mapping

Node = tuple[int, int]  # (level, index) of a perfect subtree
Range = tuple[int, int]  # leaves [start, end)


EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) of RFC 9162 §2.1.1


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two smaller than `size` (size > 1): where the RFC splits a tree."""
    return 1 << ((size - 1).bit_length() - 1)


def is_perfect(size: int) -> bool:
    return size & (size - 1) == 0


def perfect_node(start: int, end: int) -> Node:
    level = (end - start).bit_length() - 1
    return level, start >> level


def perfect_parts(start: int, end: int) -> list[Node]:
    """The perfect subtrees whose hashes make up MTH(D[start:end])."""
    if is_perfect(end - start):
        return [perfect_node(start, end)]
    k = split_point(end - start)
    return perfect_parts(start, start + k) + perfect_parts(start + k, end)


def range_hash(start: int, end: int, nodes: Mapping[Node, bytes]) -> bytes:
    """MTH(D[start:end]) from the perfect subtrees' hashes (`perfect_parts`)."""
    if is_perfect(end - start):
        return nodes[perfect_node(start, end)]
    k = split_point(end - start)
    return node_hash(range_hash(start, start + k, nodes), range_hash(start + k, end, nodes))


def inclusion_ranges(index: int, size: int, offset: int = 0) -> list[Range]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1 as the ranges whose hashes it lists, leaf side first."""
    if size <= 1:
        return []
    k = split_point(size)
    if index < k:
        return [*inclusion_ranges(index, k, offset), (offset + k, offset + size)]
    return [*inclusion_ranges(index - k, size - k, offset + k), (offset, offset + k)]


def consistency_ranges(first: int, second: int) -> list[Range]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1 as the ranges whose hashes it lists."""
    return _subproof(first, second, 0, complete=True)


def _subproof(m: int, n: int, offset: int, *, complete: bool) -> list[Range]:
    if m == n:
        return [] if complete else [(offset, offset + n)]
    k = split_point(n)
    if m <= k:
        return [*_subproof(m, k, offset, complete=complete), (offset + k, offset + n)]
    return [*_subproof(m - k, n - k, offset + k, complete=False), (offset, offset + k)]


def nodes_for(ranges: list[Range]) -> set[Node]:
    return {node for start, end in ranges for node in perfect_parts(start, end)}


def frontier(size: int) -> list[Node]:
    """The perfect subtrees of a tree of `size` leaves, largest first: all that appending needs."""
    nodes, start = [], 0
    for level in reversed(range(size.bit_length())):
        if size & (1 << level):
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


def appended_nodes(size: int, known: Mapping[Node, bytes], leaf_hashes: list[bytes]) -> dict[Node, bytes]:
    """Every perfect subtree completed by appending these leaf hashes to a tree of `size`
    leaves, whose frontier's hashes `known` holds."""
    nodes = dict(known)
    new: dict[Node, bytes] = {}
    for position, hashed in enumerate(leaf_hashes, start=size):
        level, index, value = 0, position, hashed
        new[(0, index)] = nodes[(0, index)] = value
        while index & 1:  # a right child completes its parent
            value = node_hash(nodes[(level, index - 1)], value)
            level, index = level + 1, index >> 1
            new[(level, index)] = nodes[(level, index)] = value
    return new


# Verification, RFC 9162 §2.1.3.2 and §2.1.4.2: what a mirror checks with the paths it is sent.


def root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """The root an audit path leads to from this leaf hash, or None when the path cannot fit."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def consistent(first: int, second: int, first_root: bytes, second_root: bytes, path: list[bytes]) -> bool:
    """Whether a consistency path proves the tree of `first` leaves a prefix of that of `second`."""
    if first > second:
        return False
    if first == second:
        return not path and first_root == second_root
    if first == 0:
        return not path
    if not path:
        return False
    if is_perfect(first):
        path = [first_root, *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root
