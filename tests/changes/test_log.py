"""The verifiable change log, checked with an implementation of RFC 9162 §2.1 written here from
the RFC's definitions, independent of `app.changes.log.merkle`."""

import base64
import hashlib
import json
import uuid

import pytest
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import text

from app.core.settings import Settings
from app.main import create_app
from tests.factories import make_initiative


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]), RFC 9162 §2.1.1, over leaf *contents*."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return sha256(b"\x00" + leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]), RFC 9162 §2.1.3.1."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def proof(m: int, leaves: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]), RFC 9162 §2.1.4.1."""

    def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
        n = len(d)
        if m == n:
            return [] if b else [mth(d)]
        k = 1
        while k * 2 < n:
            k *= 2
        if m <= k:
            return [*subproof(m, d[:k], b), mth(d[k:])]
        return [*subproof(m - k, d[k:], False), mth(d[:k])]

    return subproof(m, leaves, True)


def verify_inclusion(index: int, size: int, leaf: bytes, audit_path: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2, step by step."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, sha256(b"\x00" + leaf)
    for p in audit_path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn // 2, sn // 2
        else:
            r = sha256(b"\x01" + r + p)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and r == root


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def unb64(values: list[str]) -> list[bytes]:
    return [base64.b64decode(v) for v in values]


def feed(client) -> list[dict]:
    items, after = [], 0
    while True:
        page = client.get("/api/v1/changes", params={"after": after, "limit": 7}).json()
        items += page["items"]
        after = page["last_sequence"]
        if page["next"] is None:
            return items


def leaf_of(item: dict) -> bytes:
    return rfc8785.dumps({name: value for name, value in item.items() if name != "leaf_hash"})


@pytest.fixture
def entries(session) -> int:
    """Thirteen entries: an odd size, so the tree has incomplete right edges."""
    for number in range(13):
        make_initiative(session, title=f"Nattillsyn med kamera, del {number}")
    return 13


class TestLeaves:
    def test_each_item_carries_the_hash_of_its_own_canonical_form(self, client, entries):
        items = feed(client)
        assert len(items) == entries
        for item in items:
            assert item["leaf_hash"] == b64(sha256(b"\x00" + leaf_of(item)))

    def test_the_served_item_is_the_stored_leaf(self, client, session, entries):
        item = feed(client)[4]
        stored = session.execute(text('SELECT leaf FROM "change" WHERE sequence = :s'), {"s": item["sequence"]})
        assert stored.scalar_one() == leaf_of(item)
        assert set(item) == {
            "sequence",
            "entity",
            "entity_id",
            "initiative_id",
            "action",
            "version",
            "occurred_at",
            "actor_kind",
            "actor_key_id",
            "actor_organisation_code",
            "changes",
            "snapshot",
            "leaf_hash",
        }


class TestTreeHead:
    def test_root_is_the_rfc_tree_hash_and_the_signature_verifies(self, client, entries):
        leaves = [leaf_of(item) for item in feed(client)]
        head = client.get("/api/v1/log/tree-head").json()
        key = client.get("/api/v1/log/public-key").json()
        assert head["tree_size"] == entries
        assert head["root_hash"] == b64(mth(leaves))
        assert key["algorithm"] == "Ed25519"
        signed = rfc8785.dumps({"tree_size": entries, "root_hash": head["root_hash"], "timestamp": head["timestamp"]})
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
        public.verify(base64.b64decode(head["signature"]), signed)  # raises when it does not verify
        with pytest.raises(InvalidSignature):
            public.verify(base64.b64decode(head["signature"]), signed.replace(b'"tree_size":13', b'"tree_size":12'))

    def test_empty_log_has_the_hash_of_nothing(self, client):
        head = client.get("/api/v1/log/tree-head").json()
        assert (head["tree_size"], head["root_hash"]) == (0, b64(sha256(b"")))

    def test_tampering_with_a_stored_entry_breaks_verification(self, client, session, entries):
        signed_root = client.get("/api/v1/log/tree-head").json()["root_hash"]
        victim = feed(client)[5]
        forged = leaf_of(victim).replace(b"Nattillsyn med kamera, del 5", b"Nattillsyn med kamera, del 9")
        session.execute(
            text('UPDATE "change" SET leaf = :leaf WHERE sequence = :s'), {"leaf": forged, "s": victim["sequence"]}
        )
        items = feed(client)
        # The served item is self-consistent, but the mirror's root is no longer the signed one.
        assert items[5]["leaf_hash"] == b64(sha256(b"\x00" + leaf_of(items[5])))
        assert b64(mth([leaf_of(item) for item in items])) != signed_root
        assert client.get("/api/v1/log/tree-head").json()["root_hash"] == signed_root


class TestProofs:
    def test_every_inclusion_proof_is_the_rfc_path_and_verifies(self, client, entries):
        items = feed(client)
        leaves = [leaf_of(item) for item in items]
        for size in (1, 2, 5, 8, 13):
            root = mth(leaves[:size])
            for index, item in enumerate(items[:size]):
                body = client.get(
                    "/api/v1/log/proof/inclusion", params={"sequence": item["sequence"], "tree_size": size}
                ).json()
                assert (body["leaf_index"], body["tree_size"]) == (index, size)
                assert unb64(body["audit_path"]) == path(index, leaves[:size])
                assert verify_inclusion(index, size, leaves[index], unb64(body["audit_path"]), root)

    def test_every_consistency_proof_is_the_rfc_proof(self, client, entries):
        leaves = [leaf_of(item) for item in feed(client)]
        for second in range(1, entries + 1):
            for first in range(1, second + 1):
                body = client.get("/api/v1/log/proof/consistency", params={"first": first, "second": second}).json()
                assert body == {
                    "first": first,
                    "second": second,
                    "consistency_path": [b64(h) for h in proof(first, leaves[:second])],
                }

    @pytest.mark.parametrize(
        ("url", "status", "detail"),
        [
            (
                "/api/v1/log/proof/inclusion?sequence=1&tree_size=14",
                404,
                "The log holds 13 entries; there is no tree of 14.",
            ),
            (
                "/api/v1/log/proof/consistency?first=3&second=14",
                404,
                "The log holds 13 entries; there is no tree of 14.",
            ),
            ("/api/v1/log/proof/consistency?first=5&second=4", 404, "first (5) must not exceed second (4)."),
            ("/api/v1/log/proof/inclusion?sequence=999999&tree_size=3", 404, "The change feed has no entry 999999."),
        ],
    )
    def test_bad_parameters_are_problems(self, client, entries, url, status, detail):
        response = client.get(url)
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == detail

    def test_an_entry_outside_the_tree_is_a_problem(self, client, entries):
        last = feed(client)[-1]["sequence"]
        response = client.get("/api/v1/log/proof/inclusion", params={"sequence": last, "tree_size": 4})
        assert response.status_code == 404
        assert response.json()["detail"] == f"Entry {last} is leaf 12 (from 0): not in a tree of 4."

    def test_zero_sizes_are_validation_problems(self, client):
        response = client.get("/api/v1/log/proof/consistency", params={"first": 0, "second": 3})
        assert response.status_code == 422
        assert response.json()["invalid_parameters"][0]["property"] == "first"


class TestKeys:
    def test_the_generated_key_stays_and_rotation_keeps_the_old_one_listed(self, client, admin_headers, entries):
        first = client.get("/api/v1/log/public-key").json()
        assert client.get("/api/v1/log/public-key").json() == first
        rotated = client.post("/api/v1/log/public-key/rotate", headers=admin_headers)
        assert rotated.status_code == 200
        second = rotated.json()
        assert second["public_key"] != first["public_key"]
        assert [k["public_key"] for k in second["previous_keys"]] == [first["public_key"]]
        assert second["previous_keys"][0]["retired_at"] is not None
        head = client.get("/api/v1/log/tree-head").json()
        body = rfc8785.dumps({name: head[name] for name in ("tree_size", "root_hash", "timestamp")})
        Ed25519PublicKey.from_public_bytes(base64.b64decode(second["public_key"])).verify(
            base64.b64decode(head["signature"]), body
        )

    def test_only_the_admin_rotates(self, client):
        assert client.post("/api/v1/log/public-key/rotate").status_code == 401

    def test_a_configured_key_signs_and_cannot_be_rotated_here(self, settings, session, admin_headers, entries):
        from fastapi.testclient import TestClient

        from app.core.db import get_session

        private = Ed25519PrivateKey.generate()
        raw = private.private_bytes_raw()
        configured = Settings(**{**settings.model_dump(), "log_signing_key": b64(raw)})
        application = create_app(configured)

        def same_session():
            with session.begin_nested():
                yield session

        application.dependency_overrides[get_session] = same_session
        with TestClient(application) as client:
            key = client.get("/api/v1/log/public-key").json()
            head = client.get("/api/v1/log/tree-head").json()
            rotate = client.post("/api/v1/log/public-key/rotate", headers=admin_headers)
        application.state.engine.dispose()
        assert key["public_key"] == b64(private.public_key().public_bytes_raw())
        body = rfc8785.dumps({name: head[name] for name in ("tree_size", "root_hash", "timestamp")})
        private.public_key().verify(base64.b64decode(head["signature"]), body)
        assert rotate.status_code == 409
        assert rotate.json()["detail"] == "The signing key comes from REGISTRY_LOG_SIGNING_KEY: rotate it there."


class TestWhatTheFeedGained:
    def test_figures_keys_and_revocations_with_who_did_them(self, client, admin_headers):
        client.put("/api/v1/organisations/2281/figures/2024", json={"datasets_held": 40}, headers=admin_headers)
        created = client.post(
            "/api/v1/organisations/2281/api-keys", json={"label": "Ärendesystem"}, headers=admin_headers
        )
        key = created.json()
        key_headers = {"Authorization": f"Bearer {key['secret']}"}
        client.put("/api/v1/organisations/2281/figures/2024", json={"datasets_held": 42}, headers=key_headers)
        client.delete(f"/api/v1/organisations/2281/api-keys/{key['id']}", headers=admin_headers)
        items = feed(client)
        figures_id = str(uuid.uuid5(uuid.UUID("5f0c3c52-4c1e-4f53-9d0e-2d6a5b0f7a11"), "2281/2024"))
        summary = [
            (i["entity"], i["entity_id"], i["action"], i["actor_kind"], i["actor_key_id"], i["changes"]) for i in items
        ]
        assert summary == [
            ("figures", figures_id, "create", "admin", None, {}),
            ("api_key", key["id"], "create", "admin", None, {}),
            ("figures", figures_id, "update", "organisation", key["id"], {"datasets_held": {"old": 40, "new": 42}}),
            (
                "api_key",
                key["id"],
                "revoke",
                "admin",
                None,
                {"revoked_at": {"old": None, "new": items[3]["snapshot"]["revoked_at"]}},
            ),
        ]
        assert items[3]["snapshot"]["revoked_at"] is not None
        assert items[1]["snapshot"] == {
            "id": key["id"],
            "organisation_code": "2281",
            "label": "Ärendesystem",
            "created_at": items[1]["snapshot"]["created_at"],
            "revoked_at": None,
        }
        assert key["secret"] not in json.dumps(items)
        assert items[2]["snapshot"]["datasets_held"] == 42
        assert all(i["initiative_id"] is None for i in items)

    def test_unchanged_figures_add_no_entry(self, client, admin_headers):
        for _ in range(2):
            client.put("/api/v1/organisations/2281/figures/2023", json={"datasets_held": 7}, headers=admin_headers)
        assert len(feed(client)) == 1
