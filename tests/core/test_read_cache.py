import threading
import time

from app.core.read_cache import ReadCache, Rendered


class Renderer:
    """Counts its calls; each call renders a body of `size` bytes."""

    def __init__(self, size: int = 10) -> None:
        self.calls, self.size = 0, size

    def __call__(self) -> Rendered:
        self.calls += 1
        return Rendered(bytes([self.calls]) * self.size, {"ETag": f'"{self.calls}"'})


def test_renders_once_per_version_and_key():
    cache, render = ReadCache(1000), Renderer()
    first = cache.get_or_render(1, "/a", render)
    assert cache.get_or_render(1, "/a", render) == first
    assert cache.get_or_render(1, "/b", render) != first
    assert cache.get_or_render(2, "/a", render).headers == {"ETag": '"3"'}
    assert render.calls == 3
    assert (cache.get(2, "/a"), cache.get(1, "/a")) == (Rendered(b"\x03" * 10, {"ETag": '"3"'}), None)


def test_an_older_render_does_not_replace_a_newer_one():
    cache, render = ReadCache(1000), Renderer()
    cache.get_or_render(2, "/a", render)
    cache.get_or_render(1, "/a", render)  # a slower request that read the version before a write
    assert cache.get(2, "/a") is not None


def test_knows_a_key_of_any_version_only_while_it_is_kept():
    cache = ReadCache(15)
    cache.get_or_render(1, "/a", Renderer())
    assert cache.knows("/a") and not cache.knows("/b")
    cache.get_or_render(1, "/b", Renderer())
    assert not cache.knows("/a")


def test_keeps_at_most_its_size_in_bytes_dropping_the_least_recently_used():
    cache, render = ReadCache(25), Renderer(size=10)
    cache.get_or_render(1, "/a", render)
    cache.get_or_render(1, "/b", render)
    cache.get_or_render(1, "/a", render)  # /b is now the least recently used
    cache.get_or_render(1, "/c", render)
    assert render.calls == 3
    cache.get_or_render(1, "/a", render)
    assert render.calls == 3
    cache.get_or_render(1, "/b", render)
    assert render.calls == 4


def test_a_body_larger_than_the_cache_is_served_but_not_kept():
    cache, render = ReadCache(5), Renderer(size=10)
    assert len(cache.get_or_render(1, "/a", render).content) == 10
    cache.get_or_render(1, "/a", render)
    assert render.calls == 2


def test_size_zero_renders_every_time():
    cache, render = ReadCache(0), Renderer()
    for _ in range(3):
        cache.get_or_render(1, "/a", render)
    assert render.calls == 3
    assert not cache.knows("/a")


def test_requests_missing_one_key_at_once_wait_for_one_render():
    cache, calls = ReadCache(1000), []

    def slow_render() -> Rendered:
        calls.append(1)
        time.sleep(0.2)
        return Rendered(b"body", {})

    barrier = threading.Barrier(8)
    bodies = []

    def request() -> None:
        barrier.wait()
        bodies.append(cache.get_or_render(1, "/a", slow_render).content)

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(calls), bodies) == (1, [b"body"] * 8)
