"""Which URLs the registry sends webhooks to: https:// on public addresses only, so that nobody
can point the registry at its own network (SSRF). Loopback and private ranges are allowed, over
http:// too, only when `REGISTRY_WEBHOOK_ALLOW_PRIVATE=1` (tests, closed networks)."""

import ipaddress
import socket
from urllib.parse import urlsplit

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
    addresses = _resolve(host, port)
    if not addresses:
        return f"names a host that does not resolve ({host})"
    hidden = sorted(str(address) for address in addresses if not _is_public(address))
    if hidden:
        return f"must be a public address; {host} is {', '.join(hidden)} (loopback, private or reserved)"
    return None


def _resolve(host: str, port: int) -> set[Address]:
    try:
        return {ipaddress.ip_address(host)}
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return set()
    return {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found}


def _is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast
