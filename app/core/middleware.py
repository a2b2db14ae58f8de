"""Request-body guard: refuse oversized and non-JSON bodies before any handler runs."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.problems import PayloadTooLarge, Problem, UnsupportedMediaType, problem_response

BODY_METHODS = {"POST", "PUT", "PATCH"}
JSON_MEDIA_TYPES = {"application/json", "application/merge-patch+json", "application/problem+json"}


class RequestBodyGuard:
    """For API writes: the body must be JSON and at most `max_body_bytes` long.

    The body is read here in full (it is small by definition) so that a client that lies
    about Content-Length, or sends chunks, is measured too.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, path_prefix: str = "/api/") -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.path_prefix = path_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in BODY_METHODS
            or not scope["path"].startswith(self.path_prefix)
        ):
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        problem = self._check_headers(headers)
        body = b"" if problem else await self._read_body(receive)
        if problem is None and body is None:
            problem = self._too_large()
        if problem is None and body and not _is_json(headers):
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
