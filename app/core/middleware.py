"""Request-body guard: refuse oversized and non-JSON bodies before any handler runs."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.problems import PayloadTooLarge, Problem, UnsupportedMediaType, problem_response

BODY_METHODS = {"POST", "PUT", "PATCH"}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
JSON_MEDIA_TYPES = {"application/json", "application/merge-patch+json", "application/problem+json"}


class RequestBodyGuard:
    """Every body, on every route, is at most `max_body_bytes` long; API bodies must be JSON.

    The body is read here in full (it is small by definition) and the reading stops at the
    limit, so that a client that lies about Content-Length, or streams chunks, is measured too
    and nothing larger ever reaches a form parser (which would spool it to disk).
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, json_path_prefix: str = "/api/") -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.json_path_prefix = json_path_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        problem = self._check_headers(headers)
        body = b"" if problem else await self._read_body(receive)
        if problem is None and body is None:
            problem = self._too_large()
        if problem is None and body and scope["path"].startswith(self.json_path_prefix) and not _is_json(headers):
            problem = UnsupportedMediaType(
                f"Send the body as application/json, not {headers.get('content-type') or 'without a Content-Type'}."
            )
        if problem is not None:
            await problem_response(problem, scope["path"])(scope, receive, send)
            return
        await self.app(scope, _replay(body or b"", receive), send)

    def _check_headers(self, headers: dict[str, str]) -> Problem | None:
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
            return self._too_large()
        return None

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"The body may be at most {self.max_body_bytes} bytes.")

    async def _read_body(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _is_json(headers: dict[str, str]) -> bool:
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type in JSON_MEDIA_TYPES


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the buffered body to the app once, then pass on what the client sends next (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class SecurityHeaders:
    """`X-Content-Type-Options: nosniff` and a Content-Security-Policy on every response.

    A response that sets its own policy keeps it (the web pages allow no scripts at all).
    Everything else may load only this site's scripts and styles. Swagger UI and ReDoc (`docs_paths`),
    served from bundled files, start from an inline script and set inline styles, so their
    policy allows inline code but still nothing from elsewhere.
    """

    def __init__(self, app: ASGIApp, *, docs_paths: tuple[str, ...] = ("/docs", "/redoc")) -> None:
        self.app = app
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"].startswith(self.docs_paths) else CONTENT_SECURITY_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
