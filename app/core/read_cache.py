"""Rendered public reads, kept by each worker while the registry's data stays at one version;
and `VersionedMemo`, for values many pages share, kept the same way."""

import threading
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple, TypeVar

from cachetools import LRUCache
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

RENDER_LOCK_STRIPES = 64
T = TypeVar("T")


class Rendered(NamedTuple):
    content: bytes
    headers: dict[str, str]


class ReadCache:
    """Each key's newest rendered response and the data version it was rendered at, bounded in
    bytes, least recently used out first.

    Every write that can change a read advances the version (the change feed's sequence), so a
    body is served only while no write has happened since it was rendered. A `max_bytes` of 0
    turns the cache off.
    """

    def __init__(self, max_bytes: int) -> None:
        self._entries: LRUCache | None = (
            LRUCache(maxsize=max_bytes, getsizeof=lambda entry: len(entry[1].content)) if max_bytes > 0 else None
        )
        self._lock = threading.Lock()  # requests run on a thread pool; cachetools is not thread-safe
        # Striped rather than one lock per key: bounded, and two keys rarely share one.
        self._render_locks = [threading.Lock() for _ in range(RENDER_LOCK_STRIPES)]

    @property
    def is_enabled(self) -> bool:
        return self._entries is not None

    def knows(self, key: Hashable) -> bool:
        """Whether the key has a body of some version: only then is the version worth reading."""
        with self._lock:
            return self._entries is not None and key in self._entries

    def get(self, version: int, key: Hashable) -> Rendered | None:
        with self._lock:
            entry = self._entries.get(key) if self._entries is not None else None
        return entry[1] if entry is not None and entry[0] == version else None

    def get_or_render(self, version: int, key: Hashable, render: Callable[[], Rendered]) -> Rendered:
        """The key's body at `version`, rendering it when missing. Requests that miss the same key
        at once wait for one render instead of each rendering it: after a write every key misses,
        and a popular one would otherwise be rendered by every request in flight."""
        rendered = self.get(version, key)
        if rendered is not None:
            return rendered
        with self._render_locks[hash(key) % len(self._render_locks)]:
            rendered = self.get(version, key)
            if rendered is None:
                rendered = render()
                self._keep(version, key, rendered)
        return rendered

    def _keep(self, version: int, key: Hashable, rendered: Rendered) -> None:
        if self._entries is None or len(rendered.content) > self._entries.maxsize:
            return
        with self._lock:
            kept = self._entries.get(key)
            if kept is None or kept[0] <= version:  # a request that read a newer version may have been faster
                self._entries[key] = (version, rendered)


class VersionedMemo:
    """Values computed from the data at one version, kept by the worker until the version moves
    (any write): for what many pages share and no one URL's cache holds, such as the county's
    and the country's KPIs beside every organisation's. Only the newest version is kept."""

    def __init__(self) -> None:
        self._version: Hashable | None = None
        self._values: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, version: Hashable, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if version != self._version:
                self._version, self._values = version, {}
            if key in self._values:
                return self._values[key]
        value = compute()  # outside the lock: two requests may both compute, and keep the same
        with self._lock:
            if version == self._version:
                self._values[key] = value
        return value


class ReadCacheMiddleware:
    """Answers a GET whose body the app's `read_cache` holds at the current data version before
    routing, parameter validation and the route's session; everything else goes to the app.

    The app provides `state.read_cache` and `state.data_version` (a callable reading the newest
    version); the routes that render cacheable reads fill the cache themselves.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            state = scope["app"].state
            key = str(URL(scope=scope))
            if state.read_cache.knows(key):
                rendered = await run_in_threadpool(_current, state, key)
                if rendered is not None:
                    response = Response(rendered.content, media_type="application/json", headers=rendered.headers)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _current(state, key: str) -> Rendered | None:
    try:
        version = state.data_version()
    except SQLAlchemyError:
        return None  # the route answers, with its problem document for a database that is down
    return state.read_cache.get(version, key)
