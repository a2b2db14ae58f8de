"""Rendered public reads, kept by each worker while the registry's data stays at one version."""

import threading
from collections.abc import Callable, Hashable
from typing import NamedTuple

from cachetools import LRUCache


class Rendered(NamedTuple):
    content: bytes
    headers: dict[str, str]


class ReadCache:
    """Rendered responses by data version and key, bounded in bytes, least recently used out first.

    Every write that can change a read advances the version (the change feed's sequence), so a
    body is never served after its data changed: entries of older versions are only unused,
    and age out. A `max_bytes` of 0 turns the cache off.
    """

    def __init__(self, max_bytes: int) -> None:
        self._entries: LRUCache | None = (
            LRUCache(maxsize=max_bytes, getsizeof=lambda rendered: len(rendered.content)) if max_bytes > 0 else None
        )
        self._lock = threading.Lock()  # sync routes run on a thread pool; cachetools is not thread-safe

    def get_or_render(self, version: int, key: Hashable, render: Callable[[], Rendered]) -> Rendered:
        if self._entries is None:
            return render()
        with self._lock:
            rendered = self._entries.get((version, key))
        if rendered is None:
            rendered = render()
            with self._lock:
                if len(rendered.content) <= self._entries.maxsize:
                    self._entries[(version, key)] = rendered
        return rendered
