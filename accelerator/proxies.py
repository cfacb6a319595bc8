"""Behind reverse proxies: X-Forwarded-* is believed for TRUSTED_PROXIES hops, and only from trusted peers.

ProxyFix (werkzeug) takes the client's address, scheme and host from the last TRUSTED_PROXIES entries
of X-Forwarded-For/-Proto/-Host. That is right for a request that came through the proxy, but a
client that reaches gunicorn directly (another host on the app servers' network, say) could write
those headers itself and pass for any address, which login throttling keys on. With
TRUSTED_PROXY_ADDRESSES set, a request whose peer (the TCP connection's other end) is not one of
those addresses or networks is served as it arrived: its X-Forwarded-* headers are removed and its
address is the peer's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from werkzeug.middleware.proxy_fix import ProxyFix

Network = IPv4Network | IPv6Network
FORWARDED_KEYS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                  "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


def parse_networks(raw: str) -> tuple[Network, ...]:
    """Addresses and networks, separated by commas or spaces ('127.0.0.1, 10.0.1.0/24'); ValueError if bad."""
    networks = []
    for item in raw.replace(",", " ").split():
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"{item!r} is not an IP address or network") from exc
    return tuple(networks)


class TrustedProxies:
    """WSGI middleware: ProxyFix for requests from a trusted peer (every peer when `networks` is empty)."""

    def __init__(self, app: Callable, hops: int, networks: Iterable[Network] = ()):
        self.direct = app
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)
        self.networks = tuple(networks)

    def trusted(self, peer: str | None) -> bool:
        """Whether the connection's peer may speak for the client."""
        if not self.networks:
            return True
        try:
            address = ip_address((peer or "").split("%", 1)[0])
        except ValueError:  # no address (a Unix socket) or an odd one: not a trusted proxy
            return False
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)

    def __call__(self, environ: dict, start_response: Callable):
        """Serve the request, through ProxyFix only when its peer is trusted."""
        if self.trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        for key in FORWARDED_KEYS:
            environ.pop(key, None)
        return self.direct(environ, start_response)
