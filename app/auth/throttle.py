"""Throttling wrong keys per client: after `MAX_FAILURES` failed sign-ins or API keys within
`WINDOW_SECONDS`, a client's further attempts are refused (429) until the window has passed,
without being checked, so guessing keys costs time and the database nothing.

Each worker process counts on its own (nothing is shared between workers or containers): with
four workers a client is refused after at most 4 × `MAX_FAILURES` failures a minute.
"""

import threading
import time

from cachetools import TTLCache
from fastapi import Request

MAX_FAILURES = 10
WINDOW_SECONDS = 60
MAX_CLIENTS = 100_000  # bounds the memory a flood of addresses can take


class FailureThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, window_seconds: float = WINDOW_SECONDS) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._failures: TTLCache[str, list[float]] = TTLCache(MAX_CLIENTS, window_seconds, timer=time.monotonic)
        self._lock = threading.Lock()

    def is_blocked(self, client: str) -> bool:
        with self._lock:
            return len(self._recent(client)) >= self.max_failures

    def record_failure(self, client: str) -> None:
        with self._lock:
            self._failures[client] = [*self._recent(client), time.monotonic()]

    def _recent(self, client: str) -> list[float]:
        since = time.monotonic() - self.window_seconds
        return [moment for moment in self._failures.get(client, []) if moment > since]


def client_address(request: Request) -> str:
    # With `registry serve` (proxy_headers) this is the forwarded address a trusted proxy gave.
    return request.client.host if request.client else "unknown"
