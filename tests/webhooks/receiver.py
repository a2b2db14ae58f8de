"""A partner's webhook endpoint on 127.0.0.1: verifies every delivery with the Standard Webhooks
reference library, as a partner would, and records what it accepted."""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Delivery:
    headers: dict[str, str]
    body: str
    payload: dict[str, Any]

    @property
    def sequence(self) -> int:
        return self.payload["data"]["sequence"]


@dataclass
class Receiver:
    port: int
    secret: str = ""  # set when subscribing
    status: int = 204
    # Receives this many, then dies on the next one before answering (as a crashing process does).
    die_after: int | None = None
    delay_seconds: float = 0.0
    extra_headers: dict[str, str] = field(default_factory=dict)
    accepted: list[Delivery] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/registry"

    def start(self) -> "Receiver":
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __enter__(self) -> "Receiver":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def sequences(self) -> list[int]:
        return [delivery.sequence for delivery in self.accepted]

    def wait_for(self, condition: Callable[["Receiver"], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition(self):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; received {self.sequences}, refused {self.refused}")
            time.sleep(0.05)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"])).decode()
                headers = {name.lower(): value for name, value in self.headers.items()}
                try:
                    Webhook(receiver.secret).verify(body, headers)
                except WebhookVerificationError as error:
                    receiver.refused.append(str(error))
                    self._answer(400)
                    return
                time.sleep(receiver.delay_seconds)
                receiver.accepted.append(Delivery(headers, body, json.loads(body)))
                if receiver.die_after is not None and len(receiver.accepted) > receiver.die_after:
                    receiver.die_after = None  # once
                    self.close_connection = True  # processed, but the answer never leaves
                    threading.Thread(target=receiver.stop).start()
                    return
                self._answer(receiver.status)

            def _answer(self, status: int) -> None:
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
