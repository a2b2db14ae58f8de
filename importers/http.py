"""Fetching from public sources like a good citizen.

- Every request has explicit timeouts and a User-Agent naming the registry and a contact address.
- Connect errors, timeouts, truncated bodies and 5xx answers are retried with exponential
  backoff and jitter (tenacity); 429 and 503 wait what `Retry-After` asks, unless it asks
  for longer than `max_retry_after_seconds`, in which case the run fails at once.
- Requests to a source are spaced by the configured rate limit, retries included.
- Every request must finish, body included, within `fetch_deadline_seconds`: a source that
  trickles its answer is cut off with an error instead of holding the run open.
- A run stays on the configured URL's origin (scheme, host and port): a next link or a
  redirect elsewhere is refused unless the mapping lists that origin in `allowed_origins`.
  Loopback, private and link-local addresses are refused, before connecting and again for the
  address actually connected to, unless `allow_private_addresses` is set.
- A conditional request sends the `ETag`/`Last-Modified` the source gave last time; a 304
  comes back as None. New validators are collected, not stored: the runner stores them only
  when the whole run succeeded, so a failed run never makes the next one skip its source.
"""

import email.utils
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

from app.imports.service import Validators
from importers.parsers import Paging, ParseError, json_document, next_page_url, page_records
from importers.settings import ImporterSettings

MAX_BACKOFF_SECONDS = 60.0
MAX_PAGES = 100_000  # a guard against a source whose next links never end
MAX_REDIRECTS = 5
DEFAULT_PORTS = {"http": 80, "https": 443}
RETRIED_STATUSES = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """The source could not be read: down, too slow, or answering with an error."""


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response):
        super().__init__(f"HTTP {response.status_code} {response.reason_phrase}")
        self.retry_after = retry_after_seconds(response.headers.get("Retry-After"))


@dataclass(frozen=True)
class Fetched:
    url: str
    body: bytes
    content_type: str
    charset: str | None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delay-seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


Origin = tuple[str, str, int]


def origin_of(url: str | httpx.URL) -> Origin:
    """Scheme, host and port: what a run stays on."""
    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host.lower(), parsed.port or DEFAULT_PORTS.get(parsed.scheme, 0)


def _shown(origin: Origin) -> str:
    scheme, host, port = origin
    return f"{scheme}://{host}" + ("" if DEFAULT_PORTS.get(scheme) == port else f":{port}")


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet (not loopback, private, link-local, …)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global


def _resolved_addresses(host: str) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]
    except (socket.gaierror, UnicodeError):
        return []  # the request itself will fail with the resolver's error


class _StopWhen(stop_base):
    """Stop retrying as soon as `predicate` says so (combined with `|` with tenacity's own stops)."""

    def __init__(self, predicate: Callable[[RetryCallState], bool]) -> None:
        self.predicate = predicate

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.predicate(retry_state)


class Fetcher:
    def __init__(
        self,
        settings: ImporterSettings,
        *,
        known_validators: Callable[[str], Validators | None] = lambda _url: None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.settings = settings
        self.known_validators = known_validators
        self.new_validators: list[Validators] = []
        self.requests = 0
        self._sleep = sleep
        self._next_request_at = 0.0
        self._lock = threading.Lock()
        self._backoff = wait_exponential_jitter(
            multiplier=settings.backoff_seconds, max=MAX_BACKOFF_SECONDS, jitter=settings.backoff_seconds
        )
        self._origins: set[Origin] | None = None
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.timeout_seconds),
            headers={"User-Agent": settings.user_agent()},
            follow_redirects=False,  # followed by `_attempt`, which checks where each one leads
            transport=transport,
        )

    def stay_on(self, configured_url: str, allowed_origins: Iterable[str] = ()) -> None:
        """Fetch only from the configured URL's origin and these others. Without this call the
        fetcher stays on the origin of the first URL it fetches."""
        self._origins = {origin_of(configured_url), *(origin_of(other) for other in allowed_origins)}

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *_exc) -> None:
        self._client.close()

    def get(self, url: str, *, is_conditional: bool = False) -> Fetched | None:
        """The response body, or None when a conditional request finds the source unchanged.

        A conditional request also collects the response's validators for the next run.
        """
        headers = self._conditional_headers(url) if is_conditional else {}
        retrying = Retrying(
            retry=retry_if_exception_type((httpx.TransportError, _RetryableStatus)),
            stop=stop_after_attempt(self.settings.retries + 1) | _StopWhen(self._stop_on_long_retry_after),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            answer = retrying(self._attempt, url, headers)
        except _RetryableStatus as error:
            raise FetchError(f"{url} answered {error} after {retrying.statistics['attempt_number']} attempts") from None
        except httpx.HTTPError as error:
            raise FetchError(
                f"{url} could not be read: {type(error).__name__}: {error or 'no detail'}"
                f" (after {retrying.statistics.get('attempt_number', 1)} attempts)"
            ) from None
        response, body = answer
        if response.status_code == 304:
            return None
        if is_conditional:
            self._collect_validators(url, response)
        return Fetched(
            url=url,
            body=body,
            content_type=response.headers.get("Content-Type", ""),
            charset=response.charset_encoding,
        )

    def _attempt(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """One request, following redirects that stay where the run may go."""
        self._respect_rate_limit()
        target = url
        for _hop in range(MAX_REDIRECTS + 1):
            self._check_may_fetch(target, url)
            self.requests += 1
            response, body = self._read(target, headers)
            if not response.has_redirect_location:
                break
            target = str(response.url.join(response.headers["Location"]))
        else:
            raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times")
        if response.status_code in RETRIED_STATUSES:
            raise _RetryableStatus(response)
        if response.status_code >= 400:
            raise FetchError(f"{target} answered HTTP {response.status_code} {response.reason_phrase}")
        return response, body

    def _read(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """The response and its body, within the deadline. The deadline is checked as each chunk
        arrives; a source that sends nothing at all meets the read timeout instead."""
        deadline = self.settings.fetch_deadline_seconds
        started = time.monotonic()
        with self._client.stream("GET", url, headers=headers) as response:
            self._check_connected_address(response, url)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if time.monotonic() - started > deadline:
                    raise FetchError(
                        f"{url} was cut off: its answer took longer than the {deadline:g} s one request may take "
                        f"(REGISTRY_IMPORT_FETCH_DEADLINE_SECONDS); {len(body)} bytes had arrived"
                    )
        return response, bytes(body)

    def _check_may_fetch(self, target: str, asked: str) -> None:
        origin = origin_of(target)
        if self._origins is None:
            self._origins = {origin}
        if origin not in self._origins:
            how = "" if target == asked else f" (a redirect from {asked})"
            allowed = ", ".join(sorted(_shown(known) for known in self._origins))
            raise FetchError(
                f"refused to fetch {target}{how}: it is on another host than the source's {allowed}; "
                "list its origin in the mapping's `allowed_origins` to allow it"
            )
        if not self.settings.allow_private_addresses:
            private = [address for address in _resolved_addresses(origin[1]) if not is_public(address)]
            if private:
                raise FetchError(self._private_message(target, private[0]))

    def _check_connected_address(self, response: httpx.Response, url: str) -> None:
        # Checked again on the connection itself: the name may resolve differently by now.
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if not self.settings.allow_private_addresses and peer and not is_public(str(peer[0])):
            raise FetchError(self._private_message(url, str(peer[0])))

    @staticmethod
    def _private_message(url: str, address: str) -> str:
        return (
            f"refused to fetch {url}: {address} is a loopback, private or link-local address "
            "(set REGISTRY_IMPORT_ALLOW_PRIVATE_ADDRESSES=true to allow it)"
        )

    def _respect_rate_limit(self) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._next_request_at - now
            self._next_request_at = max(now, self._next_request_at) + 1 / self.settings.requests_per_second
        if wait > 0:
            self._sleep(wait)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _RetryableStatus) and error.retry_after is not None:
            return error.retry_after
        return self._backoff(state)

    def _stop_on_long_retry_after(self, state: RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        return (
            isinstance(error, _RetryableStatus)
            and error.retry_after is not None
            and error.retry_after > self.settings.max_retry_after_seconds
        )

    def _conditional_headers(self, url: str) -> dict[str, str]:
        known = self.known_validators(url)
        headers = {}
        if known and known.etag:
            headers["If-None-Match"] = known.etag
        if known and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def _collect_validators(self, url: str, response: httpx.Response) -> None:
        etag, last_modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        if etag or last_modified:
            self.new_validators.append(Validators(url, etag, last_modified))


def fetch_json_pages(
    fetcher: Fetcher,
    first_url: str,
    paging: Paging,
    *,
    is_conditional: bool,
    on_page: Callable[[], None] = lambda: None,
) -> list[list[dict]] | None:
    """The items of every page of a paged JSON source, page by page, following its next links
    or page/offset parameters; None when the first page, asked conditionally, is unchanged."""
    pages: list[list[dict]] = []
    next_url: str | None = first_url
    visited: set[str] = set()
    while next_url is not None:
        if next_url in visited or len(visited) >= MAX_PAGES:
            raise ParseError(f"the paging loops back to {next_url}")
        fetched = fetcher.get(next_url, is_conditional=is_conditional and not visited)
        visited.add(next_url)
        if fetched is None:
            return None
        document = json_document(fetched.body, fetched.charset)
        pages.append(page_records(document, paging, next_url))
        on_page()
        next_url = next_page_url(document, next_url, len(pages[-1]), paging)
    return pages
