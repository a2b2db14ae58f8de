"""Fetching from public sources like a good citizen.

- Every request has explicit timeouts and a User-Agent naming the registry and a contact address.
- Connect errors, timeouts, truncated bodies and 5xx answers are retried with exponential
  backoff and jitter (tenacity); 429 and 503 wait what `Retry-After` asks, unless it asks
  for longer than `max_retry_after_seconds`, in which case the run fails at once.
- Requests to a source are spaced by the configured rate limit, retries included.
- A conditional request sends the `ETag`/`Last-Modified` the source gave last time; a 304
  comes back as None. New validators are collected, not stored: the runner stores them only
  when the whole run succeeded, so a failed run never makes the next one skip its source.
"""

import email.utils
import ipaddress
import socket
import threading
import time
from collections.abc import Callable
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


def refuse_private_address(request: httpx.Request) -> None:
    """Refuse a request to a host that is or resolves to a loopback, private, link-local or other
    non-public address: URLs users type in must not reach into the registry's own network."""
    host = request.url.host
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, request.url.port or 443)}
    except socket.gaierror as error:
        raise FetchError(f"{request.url} could not be read: {host} does not resolve ({error})") from None
    private = sorted(a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_global)
    if private:
        raise FetchError(f"{request.url} is refused: {host} is a private address ({', '.join(private)})")


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
        public_only: bool = False,
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
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.timeout_seconds),
            headers={"User-Agent": settings.user_agent()},
            follow_redirects=True,
            transport=transport,
            # Every request, redirects included, is checked before it is sent.
            event_hooks={"request": [refuse_private_address]} if public_only else {},
        )

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
            response = retrying(self._attempt, url, headers)
        except _RetryableStatus as error:
            raise FetchError(f"{url} answered {error} after {retrying.statistics['attempt_number']} attempts") from None
        except httpx.HTTPError as error:
            raise FetchError(
                f"{url} could not be read: {type(error).__name__}: {error or 'no detail'}"
                f" (after {retrying.statistics.get('attempt_number', 1)} attempts)"
            ) from None
        if response.status_code == 304:
            return None
        if is_conditional:
            self._collect_validators(url, response)
        return Fetched(
            url=url,
            body=response.content,
            content_type=response.headers.get("Content-Type", ""),
            charset=response.charset_encoding,
        )

    def _attempt(self, url: str, headers: dict[str, str]) -> httpx.Response:
        self._respect_rate_limit()
        self.requests += 1
        response = self._client.get(url, headers=headers)
        if response.status_code in RETRIED_STATUSES:
            raise _RetryableStatus(response)
        if response.status_code >= 400:
            raise FetchError(f"{url} answered HTTP {response.status_code} {response.reason_phrase}")
        return response

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
    fetcher: Fetcher, first_url: str, paging: Paging, *, is_conditional: bool
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
        next_url = next_page_url(document, next_url, len(pages[-1]), paging)
    return pages
