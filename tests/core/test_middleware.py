"""Every response says nosniff and carries a Content-Security-Policy; every route refuses a
body over the limit before reading it whole."""

import socket
from urllib.parse import urlsplit

import pytest

from app.core.middleware import CONTENT_SECURITY_POLICY, DOCS_POLICY


class TestSecurityHeaders:
    @pytest.mark.parametrize(
        ("path", "policy"),
        [
            (
                "/",
                "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
                "form-action 'self'; frame-ancestors 'none'",
            ),
            (
                "/initiativ",
                "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
                "form-action 'self'; frame-ancestors 'none'",
            ),
            ("/api/v1/initiatives", CONTENT_SECURITY_POLICY),
            ("/api/v1/initiatives/not-an-id", CONTENT_SECURITY_POLICY),
            ("/initiativ.csv", CONTENT_SECURITY_POLICY),
            ("/static/registret.css", CONTENT_SECURITY_POLICY),
            ("/openapi.json", CONTENT_SECURITY_POLICY),
            ("/docs", DOCS_POLICY),
            ("/redoc", DOCS_POLICY),
        ],
    )
    def test_every_response_has_nosniff_and_a_policy(self, client, path, policy):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == policy

    def test_the_docs_policy_allows_only_this_site(self):
        sources = [part for part in DOCS_POLICY.split(";") if "src" in part]
        assert all("http" not in source and "*" not in source for source in sources)


class TestBodyLimit:
    def test_a_streamed_upload_to_the_sign_in_form_is_refused_before_it_ends(self, live_server):
        # Chunked, so no Content-Length announces the size: the server must count as it reads.
        host, port = urlsplit(live_server).hostname, urlsplit(live_server).port
        with socket.create_connection((host, port), timeout=10) as connection:
            connection.sendall(
                b"POST /logga-in HTTP/1.1\r\nHost: registry\r\nTransfer-Encoding: chunked\r\n"
                b"Content-Type: multipart/form-data; boundary=x\r\n\r\n"
            )
            chunk = b"x" * 65536
            for _ in range(32):  # 2 MB of a body that never ends
                connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            answer = connection.recv(65536).decode("latin-1")
        assert answer.startswith("HTTP/1.1 413 ")
        assert answer.endswith(
            '"type":"/problems/payload-too-large","title":"The request body is too large",'
            '"status":413,"detail":"The body may be at most 1048576 bytes.","instance":"/logga-in"}'
        )

    def test_a_declared_large_form_body_is_413(self, client):
        response = client.post("/logga-in", content=b"key=" + b"x" * 2_000_000)
        assert (response.status_code, response.json()["type"]) == (413, "/problems/payload-too-large")
