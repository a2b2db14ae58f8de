"""Which URLs the registry sends webhooks to: https:// on public addresses only, so that nobody
can point the registry at its own network (SSRF). Loopback and private ranges are allowed, over
http:// too, only when `REGISTRY_WEBHOOK_ALLOW_PRIVATE=1` (tests, closed networks)."""

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def refusal(url: str, *, allow_private: bool) -> str | None:
    """Why the registry will not send to `url`, or None when it may."""
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        return "must be an https:// URL" if not allow_private else "must be an http:// or https:// URL"
    if not parts.hostname:
        return "has no host"
    if parts.username or parts.password:
        return "must not carry a user name or password"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "has an invalid port"
    return None if allow_private else _non_public(parts.hostname, port)


def _non_public(host: str, port: int) -> str | None:
    return _why_not_public(host, _resolve(host, port))


def _why_not_public(host: str, addresses: list[Address]) -> str | None:
    if not addresses:
        return f"names a host that does not resolve ({host})"
    hidden = sorted(str(address) for address in addresses if not _is_public(address))
    if hidden:
        return f"must be a public address; {host} is {', '.join(hidden)} (loopback, private or reserved)"
    return None


def _resolve(host: str, port: int) -> list[Address]:
    """The host's addresses, in the resolver's order."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found))


class PublicOnlyNetwork(httpcore.SyncBackend):
    """Connects only to public addresses, checked as each connection is made and then used: a
    name that resolved to a public address when its URL was checked can resolve to the
    registry's own network a moment later (DNS rebinding), when the client resolves it again."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port)
        refusal = _why_not_public(host, addresses)
        if refusal is not None:
            raise httpcore.ConnectError(f"not connected: the URL {refusal}")
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return super().connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None  # there was an address, and each failed
        raise failure


def public_only_transport() -> httpx.HTTPTransport:
    """httpx's transport, connecting through `PublicOnlyNetwork`."""
    transport = httpx.HTTPTransport()
    # httpx 0.28 takes no network backend (encode/httpx#3749 would add one): its pool is replaced
    # by one like it that connects through ours. tests/webhooks/test_delivery.py fails if it stops
    # being used.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(), network_backend=PublicOnlyNetwork()
    )
    return transport


def _is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast
