"""The database goes away and comes back: 503 problems meanwhile, then recovery without a restart."""

import contextlib
import socket
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from app.core.settings import Settings
from app.main import create_app


class TcpProxy:
    """Forwards a local port to the database; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.connections: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.is_open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.is_open:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.is_open = False
        for sock in self.connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.connections.clear()

    def restore(self) -> None:
        self.is_open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def proxied_url(database_url, engine):
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("an embedded SQLite database cannot become unreachable")
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    proxy.close()


class TestDatabaseOutage:
    def test_answers_503_while_down_and_recovers_by_itself(self, proxied_url):
        proxy, url = proxied_url
        app = create_app(Settings(database_url=url))
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.get("/api/v1/organisations/2281").json()["name"] == "Sundsvall"
            proxy.cut()
            down = client.get("/api/v1/organisations/2281")
            assert down.status_code == 503 and down.json()["type"] == "/problems/service-unavailable"
            assert client.get("/health/ready").json()["type"] == "/problems/service-unavailable"
            proxy.restore()
            assert client.get("/api/v1/organisations/2281").json()["name"] == "Sundsvall"
            assert client.get("/health/ready").json()["database"] == "ok"
        app.state.engine.dispose()
