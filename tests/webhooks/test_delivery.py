"""Deliveries to a real receiver on 127.0.0.1 that verifies every signature: in sequence order,
at least once through a receiver's crash and the deliverer's restart; retries, back-off,
disabling, rotation, replays."""

import ipaddress
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from standardwebhooks import Webhook

from app import background
from app.changes import service as change_service
from app.core.caller import ADMIN, Caller
from app.core.db import session_scope
from app.core.enums import ActorKind
from app.core.models import utcnow
from app.core.settings import Settings, get_settings
from app.webhooks import deliverer as webhook_deliverer
from app.webhooks import service as webhook_service
from app.webhooks import signing as webhook_signing
from app.webhooks import targets
from app.webhooks.deliverer import Deliverer
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from app.webhooks.schemas import DeliveryRead, WebhookCreate
from tests.conftest import ADMIN_TOKEN
from tests.factories import make_initiative
from tests.webhooks.receiver import Receiver

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def deliverer_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_allow_private": True, "webhook_timeout_seconds": 1.0})


@pytest.fixture
def fast_retries(monkeypatch):
    """Seconds instead of hours: the schedule's shape is tested in TestRetryDelay."""
    monkeypatch.setattr(webhook_deliverer, "FIRST_DELAY_SECONDS", 0.05)
    monkeypatch.setattr(webhook_deliverer, "MAX_DELAY_SECONDS", 0.3)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def port() -> int:
    return free_port()


def subscribe(
    engine: Engine, url: str, events=("initiative.*",), caller: Caller = ADMIN, **filters
) -> tuple[uuid.UUID, str]:
    data = WebhookCreate.model_validate({"url": url, "events": list(events), "filters": filters})
    with session_scope(engine) as session:
        subscription, secret = webhook_service.create(session, data, caller, allow_private=True)
    return subscription.id, secret


def write(engine: Engine, count: int, **overrides) -> list[int]:
    """Register `count` initiatives, one transaction each; the sequences of their change-feed
    entries (not of the entries of their participants)."""
    sequences = []
    for _ in range(count):
        with session_scope(engine) as session:
            initiative = make_initiative(session, **overrides)
            own = [c.sequence for c in change_service.history(session, initiative.id) if c.entity == "initiative"]
            sequences.append(own[-1])
    return sequences


def delivery(engine: Engine, subscription_id: uuid.UUID) -> WebhookDelivery:
    with session_scope(engine, write=False) as session:
        statement = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
        return session.exec(statement.order_by(col(WebhookDelivery.sequence))).first()


def listed_deliveries(engine: Engine, subscription_id: uuid.UUID) -> list[DeliveryRead]:
    """What `GET /api/v1/webhooks/{id}/deliveries` lists."""
    with session_scope(engine, write=False) as session:
        found = session.get(WebhookSubscription, subscription_id)
        return webhook_service.deliveries(session, found, before=None, limit=50)


def subscription(engine: Engine, subscription_id: uuid.UUID) -> WebhookSubscription:
    with session_scope(engine, write=False) as session:
        return session.get(WebhookSubscription, subscription_id)


@contextmanager
def running(engine: Engine, settings: Settings) -> Iterator[None]:
    """The deliverer role in a thread, as `registry serve` runs it; stopped on leaving."""
    stop = threading.Event()
    with Deliverer(engine, settings) as deliverer:
        thread = threading.Thread(target=deliverer.run, args=(lambda: not stop.is_set(),), daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=10)


def subscribed(engine: Engine, receiver: Receiver, **options) -> uuid.UUID:
    """Subscribe the receiver (to every initiative event unless told otherwise); it learns the secret."""
    subscription_id, receiver.secret = subscribe(engine, receiver.url, **options)
    return subscription_id


def deliver_once(engine: Engine, settings: Settings) -> int:
    with Deliverer(engine, settings) as deliverer:
        return deliverer.deliver_due()


def first_arrivals(sequences: list[int]) -> list[int]:
    return list(dict.fromkeys(sequences))


class TestAtLeastOnceInOrder:
    def test_every_change_arrives_through_a_receiver_crash_and_a_deliverer_restart(
        self, committed, deliverer_settings, fast_retries, port
    ):
        everything, health = Receiver(port, die_after=4), Receiver(free_port())
        everything_id = subscribed(committed, everything)
        health_id = subscribed(committed, health, events=["initiative.created"], categories=["health"])
        with everything, health:
            with running(committed, deliverer_settings):
                first = write(committed, 6) + write(committed, 2, category="health")
                everything.wait_for(lambda r: r._server is None)  # it died on the fifth delivery
            later = write(committed, 5) + write(committed, 2, category="health")  # no deliverer, no receiver
            everything.start()
            with running(committed, deliverer_settings):  # a restarted deliverer
                everything.wait_for(lambda r: set(first + later) <= set(r.sequences))
                health.wait_for(lambda r: len(r.sequences) == 4)
        assert first_arrivals(everything.sequences) == first + later
        assert everything.sequences == sorted(everything.sequences)  # in order, the crashed one twice
        assert len(everything.sequences) == len(first + later) + 1
        assert health.sequences == first[6:] + later[5:]
        assert everything.refused == health.refused == []
        assert delivery(committed, everything_id).status == DeliveryStatus.delivered
        assert subscription(committed, health_id).is_active

    def test_a_rolled_back_change_is_never_queued(self, committed, port):
        subscription_id, _secret = subscribe(committed, f"http://127.0.0.1:{port}/")

        def fail_after_writing() -> None:
            with session_scope(committed) as session:
                make_initiative(session)
                raise RuntimeError("the request failed after the write")

        with pytest.raises(RuntimeError):
            fail_after_writing()
        assert delivery(committed, subscription_id) is None


class TestPayload:
    def test_standard_webhooks_headers_and_body(self, committed, deliverer_settings, port):
        receiver = Receiver(port)
        _id = subscribed(committed, receiver)
        [sequence] = write(committed, 1)
        with receiver:
            assert deliver_once(committed, deliverer_settings) == 1
        [received] = receiver.accepted
        with session_scope(committed, write=False) as session:
            [entry] = change_service.entries(session, [sequence])
            served = change_service.served_item(entry)
        assert received.headers["webhook-id"] == f"msg_{sequence}"
        assert abs(int(received.headers["webhook-timestamp"]) - utcnow().timestamp()) < 5
        assert received.headers["webhook-signature"].startswith("v1,")
        assert received.headers["content-type"] == "application/json"
        assert received.payload == {"type": "initiative.created", "timestamp": served["occurred_at"], "data": served}
        assert received.body == received.body.strip() and ", " not in received.body[:40]  # minified

    def test_after_a_rotation_both_secrets_verify(self, client, committed, deliverer_settings, port):
        subscription_id, old = subscribe(committed, f"http://127.0.0.1:{port}/hooks/registry")
        with session_scope(committed) as session:
            new = webhook_service.rotate_secret(session, session.get(WebhookSubscription, subscription_id)).secret
        write(committed, 1)
        with Receiver(port, old) as receiver:
            deliver_once(committed, deliverer_settings)
        [received] = receiver.accepted
        signatures = received.headers["webhook-signature"].split(" ")
        assert len(signatures) == 2
        for secret in (old, new):
            assert Webhook(secret).verify(received.body, received.headers)["data"]["sequence"] == received.sequence

    def test_the_readmes_verification_accepts_a_delivery_and_refuses_a_forgery(
        self, committed, deliverer_settings, port
    ):
        receiver = Receiver(port)
        _id = subscribed(committed, receiver)
        write(committed, 1)
        with receiver:
            deliver_once(committed, deliverer_settings)
        [received] = receiver.accepted
        verify = readme_verification()
        assert verify(receiver.secret, received.headers, received.body.encode())
        assert not verify(receiver.secret, received.headers, received.body.replace("initiative", "Initiative").encode())
        assert not verify(webhook_signing.new_secret(), received.headers, received.body.encode())


def readme_verification():
    """The `verify` function README gives partners, run as written."""
    block = README.split("```python\n", 1)[1].split("```", 1)[0]
    assert block.lstrip().startswith("import base64, hashlib, hmac, time")
    namespace: dict = {}
    exec(block, namespace)
    return namespace["verify"]


class TestFailures:
    def test_a_failure_is_retried_later_and_listed(self, committed, deliverer_settings, port, live_server):
        receiver = Receiver(port, status=500, extra_headers={"retry-after": "60"})
        subscription_id = subscribed(committed, receiver)
        [sequence] = write(committed, 1)
        with receiver:
            assert deliver_once(committed, deliverer_settings) == 1
            assert deliver_once(committed, deliverer_settings) == 0  # not due yet
        queued = delivery(committed, subscription_id)
        assert queued.status == DeliveryStatus.pending and queued.attempt_count == 1
        assert timedelta(seconds=44) <= queued.next_attempt_at - queued.first_failed_at <= timedelta(seconds=76)
        page = httpx.get(
            f"{live_server}/api/v1/webhooks/{subscription_id}/deliveries",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ).json()
        [listed] = page["items"]
        assert (listed["webhook_id"], listed["sequence"], listed["status"]) == (f"msg_{sequence}", sequence, "pending")
        [attempt] = listed["attempts"]
        assert attempt["status_code"] == 500 and attempt["error"] is None and 0 <= attempt["latency_ms"] < 1000
        assert page["next"] is None

    def test_later_deliveries_wait_for_the_failing_one(self, committed, deliverer_settings, port):
        receiver = Receiver(port, status=503)
        _subscription_id = subscribed(committed, receiver)
        first, _second = write(committed, 2)
        with receiver:
            deliver_once(committed, deliverer_settings)
        assert receiver.sequences == [first]

    def test_no_answer_is_recorded_as_an_error(self, committed, deliverer_settings, port):
        subscription_id, _secret = subscribe(committed, f"http://127.0.0.1:{port}/hooks/registry")  # nobody listens
        write(committed, 1)
        deliver_once(committed, deliverer_settings)
        [listed] = listed_deliveries(committed, subscription_id)
        assert listed.attempts[0].status_code is None and listed.attempts[0].error.startswith("ConnectError")

    def test_slow_targets_time_out(self, committed, deliverer_settings, port):
        receiver = Receiver(port, delay_seconds=2.0)
        subscription_id = subscribed(committed, receiver)
        write(committed, 1)
        with receiver:
            deliver_once(committed, deliverer_settings)
        [listed] = listed_deliveries(committed, subscription_id)
        assert listed.status == DeliveryStatus.pending and listed.attempts[0].error.startswith("ReadTimeout")
        assert 900 <= listed.attempts[0].latency_ms < 2000

    def test_redirects_are_not_followed(self, committed, deliverer_settings, port):
        receiver = Receiver(port, status=307, extra_headers={"location": "http://127.0.0.1:9/elsewhere"})
        subscription_id = subscribed(committed, receiver)
        write(committed, 1)
        with receiver:
            deliver_once(committed, deliverer_settings)
        queued = delivery(committed, subscription_id)
        assert len(receiver.accepted) == 1 and queued.status == DeliveryStatus.pending and queued.attempt_count == 1

    def test_private_target_is_not_sent_to_without_the_setting(self, committed, settings, port):
        receiver = Receiver(port)
        subscription_id = subscribed(committed, receiver)
        write(committed, 1)
        with receiver:
            deliver_once(committed, settings)
        [listed] = listed_deliveries(committed, subscription_id)
        assert receiver.accepted == []
        assert listed.attempts[0].error == "not sent: the URL must be an https:// URL"

    def test_a_name_that_turns_private_after_the_check_is_not_connected_to(
        self, committed, settings, port, monkeypatch
    ):
        # DNS rebinding: the name resolves to a public address when the URL is checked, and to the
        # registry's own network when the connection is made.
        resolve = targets._resolve
        answers = iter([[ipaddress.ip_address("192.0.43.10")]])
        monkeypatch.setattr(targets, "_resolve", lambda host, port: next(answers, None) or resolve(host, port))
        subscription_id, _secret = subscribe(committed, f"https://localhost:{port}/hook")
        write(committed, 1)
        with socket.create_server(("127.0.0.1", port)) as listener:
            deliver_once(committed, settings)
            listener.setblocking(False)
            with pytest.raises(BlockingIOError):
                listener.accept()  # nothing connected
        [listed] = listed_deliveries(committed, subscription_id)
        assert listed.attempts[0].error.startswith(
            "ConnectError: not connected: the URL must be a public address; localhost is 127.0.0.1"
        )

    def test_410_gone_disables_the_subscription(self, committed, deliverer_settings, port):
        receiver = Receiver(port, status=410)
        subscription_id = subscribed(committed, receiver)
        write(committed, 2)
        with receiver:
            deliver_once(committed, deliverer_settings)
            deliver_once(committed, deliverer_settings)
        disabled = subscription(committed, subscription_id)
        assert not disabled.is_active
        assert disabled.disabled_reason == "The target answered 410 Gone: it wants no more deliveries."
        assert len(receiver.accepted) == 1

    def test_failing_for_24_hours_disables_and_enabling_resumes(self, committed, deliverer_settings, port):
        receiver = Receiver(port, status=500)
        subscription_id = subscribed(committed, receiver)
        [sequence] = write(committed, 1)
        failing_since = utcnow() - timedelta(hours=24, minutes=1)
        with session_scope(committed) as session:
            session.execute(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.subscription_id) == subscription_id)
                .values(first_failed_at=failing_since, attempt_count=11)
            )
        with receiver:
            deliver_once(committed, deliverer_settings)
            disabled = subscription(committed, subscription_id)
            assert not disabled.is_active
            assert disabled.disabled_reason == (
                f"Deliveries have failed since {failing_since:%Y-%m-%d %H:%M} UTC "
                f"(12 attempts at sequence {sequence}; the last: HTTP 500)."
            )
            receiver.status = 204
            with session_scope(committed) as session:
                webhook_service.enable(session, session.get(WebhookSubscription, subscription_id))
            deliver_once(committed, deliverer_settings)
        assert receiver.sequences == [sequence, sequence]
        assert delivery(committed, subscription_id).status == DeliveryStatus.delivered


class TestReplay:
    def test_replay_redelivers_in_order_with_the_same_ids(self, committed, deliverer_settings, port, live_server):
        receiver = Receiver(port)
        subscription_id = subscribed(committed, receiver)
        sequences = write(committed, 3)
        with receiver:
            deliver_once(committed, deliverer_settings)
            response = httpx.post(
                f"{live_server}/api/v1/webhooks/{subscription_id}/replay",
                params={"after": sequences[0]},
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            )
            deliver_once(committed, deliverer_settings)
        assert response.status_code == 202
        assert response.json() == {"queued": 2, "last_sequence": sequences[2], "next": None}
        assert receiver.sequences == sequences + sequences[1:]
        assert [d.headers["webhook-id"] for d in receiver.accepted[3:]] == [f"msg_{s}" for s in sequences[1:]]

    def test_replay_reaches_entries_from_before_the_subscription(self, committed, port):
        earlier = write(committed, 2)
        subscription_id, _secret = subscribe(committed, f"http://127.0.0.1:{port}/")
        with session_scope(committed) as session:
            found = session.get(WebhookSubscription, subscription_id)
            progress = webhook_service.replay(session, found, after=earlier[0] - 1, limit=1)
        assert progress == webhook_service.ReplayProgress(1, earlier[0], True)
        assert delivery(committed, subscription_id).sequence == earlier[0]


class TestFilters:
    def test_organisation_county_and_category(self, committed):
        by_sundsvall = subscribe(committed, "http://127.0.0.1:9/", organisations=["2281"])[0]
        in_stockholm_county = subscribe(committed, "http://127.0.0.1:9/", counties=["01"])[0]
        health_in_22 = subscribe(committed, "http://127.0.0.1:9/", counties=["22"], categories=["health"])[0]
        own = Caller(ActorKind.organisation, organisation_code="0180")
        adoptions_only = subscribe(committed, "http://127.0.0.1:9/", events=["adoption.*"], caller=own)[0]
        [owned] = write(committed, 1, owner="2281", category="health")
        [shared] = write(committed, 1, owner="0180", participants=[{"organisation": "2281", "role": "partner"}])
        [stockholm] = write(committed, 1, owner="0180", category="health")
        with session_scope(committed, write=False) as session:
            got = {
                subscription_id: [
                    d.sequence
                    for d in session.exec(
                        select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
                    )
                ]
                for subscription_id in (by_sundsvall, in_stockholm_county, health_in_22, adoptions_only)
            }
        assert got[by_sundsvall] == [owned, shared]
        assert got[in_stockholm_county] == [shared, stockholm]
        assert got[health_in_22] == [owned]
        assert got[adoptions_only] == []


class TestRetryDelay:
    def test_exponential_with_jitter_and_a_cap(self):
        for attempt, base in [(1, 5), (2, 20), (3, 80), (4, 320), (7, 14_400), (500, 14_400)]:
            delays = {webhook_deliverer.retry_delay(attempt).total_seconds() for _ in range(20)}
            assert all(base * 0.75 <= delay <= base * 1.25 for delay in delays) and len(delays) > 1

    def test_retry_after_is_honoured_up_to_the_cap(self):
        assert webhook_deliverer.retry_delay(1, 600).total_seconds() >= 450
        assert webhook_deliverer.retry_delay(1, 10**9).total_seconds() <= 14_400 * 1.25

    def test_retries_span_at_least_a_day(self):
        worst = sum(webhook_deliverer.retry_delay(n).total_seconds() / 1.25 * 0.75 for n in range(1, 12))
        assert worst < webhook_deliverer.RETRY_WINDOW.total_seconds()  # the window, not a count, ends them


class TestRole:
    def test_registry_serves_background_role_delivers(self, committed, port, monkeypatch):
        monkeypatch.setenv("REGISTRY_WEBHOOK_ALLOW_PRIVATE", "1")
        get_settings.cache_clear()
        receiver = Receiver(port)
        _id = subscribed(committed, receiver)
        stop = threading.Event()
        roles = threading.Thread(target=background.run, args=(committed, [webhook_deliverer.ROLE], stop), daemon=True)
        with receiver:
            roles.start()
            try:
                sequences = write(committed, 2)
                receiver.wait_for(lambda r: r.sequences == sequences)
            finally:
                stop.set()
                roles.join(timeout=10)
                get_settings.cache_clear()
        assert webhook_deliverer.ROLE in background.roles()

    def test_old_delivered_deliveries_are_pruned(self, committed, deliverer_settings, port):
        receiver = Receiver(port)
        subscription_id = subscribed(committed, receiver)
        old, recent = write(committed, 2)
        with receiver:
            deliver_once(committed, deliverer_settings)
        with session_scope(committed) as session:
            session.execute(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.sequence) == old)
                .values(delivered_at=utcnow() - timedelta(days=31))
            )
        assert webhook_deliverer.prune(committed) == 1
        assert delivery(committed, subscription_id).sequence == recent
