"""`registry verify`: mirror a registry's change feed and check it against its signed tree head.

Only what any outside party can do: the feed, the tree head, the public key and the
consistency proof, all over HTTP. The last head checked is kept in a state file, so a later
run proves the log only grew since.
"""

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.changes.log import merkle

PAGE_SIZE = 1000


class VerificationFailed(Exception):
    """The registry's log does not check out; the message says how."""


@dataclass(frozen=True)
class Verified:
    tree_size: int
    root_hash: str
    previous_size: int | None  # the size of the head the last run checked, now proven a prefix


def verify(client: httpx.Client, state_file: Path) -> Verified:
    """Check the registry at the client's base URL; raises `VerificationFailed` on any mismatch."""
    states = json.loads(state_file.read_text()) if state_file.exists() else {}
    previous = states.get(str(client.base_url))
    keys = _get(client, "/api/v1/log/public-key")
    head = _get(client, "/api/v1/log/tree-head")
    _check_signature(head, keys, previous)
    size, root = head["tree_size"], base64.b64decode(head["root_hash"])
    leaves = _mirror(client, size)
    nodes = merkle.appended_nodes(0, {}, leaves)
    if (merkle.range_hash(0, size, nodes) if size else merkle.EMPTY_ROOT) != root:
        raise VerificationFailed(
            f"The {size} entries of the feed do not hash to the signed root {head['root_hash']}: "
            "an entry was altered, or the head does not describe this feed."
        )
    if previous is not None:
        _check_consistency(client, previous, size, root, nodes)
    states[str(client.base_url)] = {**head, "public_key": keys["public_key"]}
    state_file.write_text(json.dumps(states, indent=2))
    return Verified(size, head["root_hash"], previous["tree_size"] if previous else None)


def _get(client: httpx.Client, path: str, **params: int) -> Any:
    try:
        response = client.get(path, params=params)
    except httpx.HTTPError as error:
        raise VerificationFailed(f"Could not reach {client.base_url}: {error}") from error
    if response.status_code != 200:
        raise VerificationFailed(f"{path} answered {response.status_code}: {response.text[:300]}")
    return response.json()


def _check_signature(head: dict[str, Any], keys: dict[str, Any], previous: dict[str, Any] | None) -> None:
    known = {keys["public_key"], *(key["public_key"] for key in keys["previous_keys"])}
    if previous is not None and previous["public_key"] not in known:
        raise VerificationFailed(
            f"The registry no longer lists the key {previous['public_key']} that signed the last head checked."
        )
    body = {name: head[name] for name in ("tree_size", "root_hash", "timestamp")}
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(keys["public_key"]))
    try:
        key.verify(base64.b64decode(head["signature"]), rfc8785.dumps(body))
    except InvalidSignature as error:
        raise VerificationFailed("The tree head's signature does not verify with the registry's public key.") from error


def _mirror(client: httpx.Client, size: int) -> list[bytes]:
    """The leaf hash of each of the first `size` entries, recomputed from the entry itself."""
    hashes: list[bytes] = []
    after = 0
    while len(hashes) < size:
        page = _get(client, "/api/v1/changes", after=after, limit=PAGE_SIZE)
        for item in page["items"][: size - len(hashes)]:
            served = item.pop("leaf_hash")
            hashed = merkle.leaf_hash(rfc8785.dumps(item))
            if base64.b64encode(hashed).decode() != served:
                raise VerificationFailed(
                    f"Entry {item['sequence']}: its leaf_hash {served} does not match its content."
                )
            hashes.append(hashed)
        if page["next"] is None and len(hashes) < size:
            raise VerificationFailed(f"The tree head counts {size} entries but the feed holds {len(hashes)}.")
        after = page["last_sequence"]
    return hashes


def _check_consistency(
    client: httpx.Client, previous: dict[str, Any], size: int, root: bytes, nodes: dict[merkle.Node, bytes]
) -> None:
    first, first_root = previous["tree_size"], base64.b64decode(previous["root_hash"])
    if first > size:
        raise VerificationFailed(f"The log shrank: the last head checked had {first} entries, this one {size}.")
    if first == 0:
        return
    if merkle.range_hash(0, first, nodes) != first_root:
        raise VerificationFailed(f"The first {first} entries changed since the head checked last time.")
    proof = _get(client, "/api/v1/log/proof/consistency", first=first, second=size)
    path = [base64.b64decode(h) for h in proof["consistency_path"]]
    if not merkle.consistent(first, size, first_root, root, path):
        raise VerificationFailed(f"The registry's proof does not show the tree of {first} entries a prefix of {size}.")
