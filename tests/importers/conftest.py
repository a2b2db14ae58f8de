"""A real HTTP server on 127.0.0.1 that replays recorded source responses.

Each route answers with a queue of replies (the last one repeats), so a test can script
"503 with Retry-After, then 200". A reply can lie about its length to cut the body short.
Every request is logged with its headers, for assertions on User-Agent and validators.
"""

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from app.core.db import session_scope
from app.initiatives import reads as initiative_reads
from app.initiatives.models import Initiative
from app.initiatives.schemas import InitiativeRead
from importers.settings import ImporterSettings

DATA = Path(__file__).parent / "data"


def stored_initiatives(engine, source: str) -> list[InitiativeRead]:
    """What an import left in the database for one source, as the API reads it."""
    with session_scope(engine, write=False) as session:
        ids = session.exec(select(Initiative.id).where(Initiative.source == source)).all()
        return initiative_reads.reads(session, list(ids))


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    cut_at: int | None = None  # close the connection after this many bytes of the body
    trickle_seconds: float | None = None  # send the body one byte at a time, this long apart

    @classmethod
    def file(cls, name: str, **kwargs) -> "Reply":
        return cls(body=(DATA / name).read_bytes(), **kwargs)


@dataclass
class Request:
    path: str
    headers: dict[str, str]


class FixtureServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply] | Callable[[str], Reply]] = {}
        self.requests: list[Request] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def route_with(self, prefix: str, answer: Callable[[str], Reply]) -> None:
        self.routes[prefix] = answer

    def requests_to(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    def _reply_for(self, path: str) -> Reply:
        found = self.routes.get(path) or self.routes.get(urlsplit(path).path)
        if found is None:
            found = next(
                (answer for prefix, answer in self.routes.items() if callable(answer) and path.startswith(prefix)), None
            )
        if found is None:
            return Reply(status=404, body=b'{"error": "not found"}')
        if callable(found):
            return found(path)
        return found.pop(0) if len(found) > 1 else found[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}))
                reply = server._reply_for(self.path)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if reply.trickle_seconds is not None:
                    self._trickle(reply.body, reply.trickle_seconds)
                    return
                self.wfile.write(reply.body[: reply.cut_at] if reply.cut_at is not None else reply.body)
                if reply.cut_at is not None:
                    self.close_connection = True

            def _trickle(self, body: bytes, pause: float) -> None:
                try:
                    for index in range(len(body)):
                        self.wfile.write(body[index : index + 1])
                        self.wfile.flush()
                        time.sleep(pause)
                except OSError:
                    self.close_connection = True  # the client hung up, as it should

            def log_message(self, *_args) -> None:
                """Quiet: the tests assert on `server.requests` instead."""

        return Handler

    def __enter__(self) -> "FixtureServer":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def source_server() -> Iterator[FixtureServer]:
    with FixtureServer() as server:
        yield server


@pytest.fixture
def importer_settings() -> ImporterSettings:
    """Fast but real: retries and rate limiting work, with short waits."""
    return ImporterSettings(
        timeout_seconds=5,
        retries=2,
        backoff_seconds=0.01,
        requests_per_second=1000,
        max_retry_after_seconds=5,
        batch_size=2,
        contact="test@example.org",
        allow_private_addresses=True,  # the sources are test servers on 127.0.0.1
    )
