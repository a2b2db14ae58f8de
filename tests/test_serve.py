"""`registry serve` as deployed: several workers, and a shutdown that lets requests finish."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN, _free_port

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = [sys.executable, "-m", "app.cli"]  # this checkout's code, as the `registry` script runs it


@pytest.fixture
def served(database_url: str, committed) -> Iterator[tuple[subprocess.Popen, str]]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "REGISTRY_ADMIN_TOKEN": ADMIN_TOKEN}
    command = [*REGISTRY, "serve", "--port", str(port), "--workers", "2", "--timeout-graceful-shutdown", "20"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base_url, server)
        yield server, base_url
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(timeout=30)


def _wait_until_ready(base_url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base_url}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"registry serve did not become ready: {server.stdout and server.stdout.read()}")


class TestGracefulShutdown:
    def test_a_request_in_flight_when_sigterm_arrives_finishes(self, served):
        server, base_url = served
        started = threading.Event()
        body = b'{"title": "Digital nattillsyn", "owner": "2281", "status": "idea", "category": "welfare_technology"}'

        def trickle() -> Iterator[bytes]:
            yield body[:10]
            started.set()
            time.sleep(2)  # SIGTERM arrives meanwhile
            yield body[10:]

        responses: list[httpx.Response] = []
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}
        request = threading.Thread(
            target=lambda: responses.append(
                httpx.post(f"{base_url}/api/v1/initiatives", content=trickle(), headers=headers, timeout=30)
            )
        )
        request.start()
        assert started.wait(10)
        time.sleep(0.5)
        server.send_signal(signal.SIGTERM)
        request.join(timeout=30)
        assert server.wait(timeout=30) == 0
        (response,) = responses
        assert (response.status_code, response.json()["title"]) == (201, "Digital nattillsyn")


class TestBackgroundRoles:
    def test_run_beside_the_workers_at_a_lower_priority(self, served):
        """The index build must not slow the API workers' start or their requests."""
        server, _base_url = served
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        commands = {int(pid): Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in children}
        [background] = [pid for pid, command in commands.items() if b"background" in command]
        niceness = os.getpriority(os.PRIO_PROCESS, background) - os.getpriority(os.PRIO_PROCESS, server.pid)
        assert niceness == 10


class TestSupervisor:
    def test_holds_none_of_the_registry_while_its_workers_serve(self, served):
        """`registry serve` becomes a bare uvicorn supervisor: the registry's code (and the
        pydantic, SQLAlchemy and language libraries it loads) stays in the workers."""
        server, base_url = served
        command = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
        libraries = Path(f"/proc/{server.pid}/maps").read_text()

        assert command[1:3] == [b"-m", b"app.supervisor"]
        assert "pydantic_core" not in libraries and "marisa" not in libraries
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        workers = [pid for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(workers) == 2
        assert all("pydantic_core" in Path(f"/proc/{pid}/maps").read_text() for pid in workers)
        assert httpx.get(f"{base_url}/api/v1/initiatives").json()["items"] == []
