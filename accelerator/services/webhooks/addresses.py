"""Webhook address guards (SSRF): URL checks at registration and the pinned, checked session used at delivery."""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Callable
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

from accelerator.domain.errors import ValidationError
from accelerator.services.webhooks.settings import setting
from accelerator.shapes.webhooks import MAX_URL_LENGTH  # the registration body's rule, declared once

NOT_ALLOWED = "the endpoint's address is not allowed"  # one reason, whatever the port behind it would say

# A resolver turns (host, port) into the addresses to connect to; tests pass a local table instead of DNS.
Resolver = Callable[[str, int], list[str]]

# Never public, whatever ipaddress.is_global says on this Python (3.11 calls multicast, fec0::/10 and
# 64:ff9b:1::/48 global): the IANA special-purpose registries, plus multicast and the deprecated ranges.
_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16",
    "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
))
_SPECIAL_USE_DOMAINS = frozenset({"invalid", "test", "example"})
_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddress(Exception):
    """A webhook connection would reach an address that is not public; nothing was connected."""


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to (an IP literal is its own answer); raises OSError when none.

    Names under the special-use domains .invalid, .test and .example (RFC 6761) never resolve, and are not
    asked of DNS.
    """
    name = host.strip("[]").rstrip(".").lower()
    if name.rsplit(".", 1)[-1] in _SPECIAL_USE_DOMAINS:
        raise socket.gaierror(socket.EAI_NONAME, f"{name[:100]} is a special-use name")
    infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, 6to4, Teredo, NAT64), or None."""
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _MAPPED or ip in _NAT64:
        return [low32]
    if ip in _COMPATIBLE:
        return [low32] if int(ip) > 1 else None  # :: and ::1 are themselves, not embeddings
    if ip in _SIX_TO_FOUR:
        return [ip.sixtofour]
    if ip in _TEREDO:
        server, client = ip.teredo  # the client is the last 32 bits XOR 0xffffffff; the server bits 32-63
        return [server, client]
    return None


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not any(ip in network for network in _NOT_PUBLIC if network.version == ip.version)


def address_allowed(address: str, allow_loopback: bool) -> bool:
    """Whether an IP address is public (or loopback, when allowed), judging every IPv4 address it embeds.

    6to4, Teredo, NAT64 (64:ff9b::/96), IPv4-mapped and IPv4-compatible addresses are judged by the IPv4
    addresses inside them (all must be public, so 6to4 around 8.8.8.8 passes and around 127.0.0.1 does
    not); the local-use NAT64 prefix 64:ff9b:1::/48 is refused whole, since where it carries its IPv4
    address depends on the operator's prefix length.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip in _MAPPED:
        ip = ip.ipv4_mapped  # a dual-stack socket's view of an IPv4 peer: judged exactly as that peer
    if ip.is_loopback:
        return allow_loopback
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            return all(_public(v4) for v4 in inner)
    return _public(ip)


def check_url(url: str, *, allow_loopback: bool, resolver: Resolver = resolve) -> str:
    """Validate a webhook URL and every address its host resolves to; returns it, or ValidationError."""

    def refuse(why: str):
        raise ValidationError("This webhook URL cannot be used.", fields={"url": why})

    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        refuse(f"Give an https URL of at most {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        refuse("This is not a valid URL.")
    host = parts.hostname
    if parts.scheme not in ("https", "http") or not host:
        refuse("Must be an https:// URL.")
    if parts.username is not None or parts.password is not None:
        refuse("Must not carry a user name or password.")
    if parts.fragment:
        refuse("Must not have a #fragment.")
    if any(ch.isspace() for ch in url):
        refuse("Must not contain spaces.")
    try:
        addresses = set(resolver(host, port or (443 if parts.scheme == "https" else 80)))
    except (OSError, UnicodeError):
        refuse(f"The host {host[:100]} does not resolve.")
    if not addresses or not all(address_allowed(a, allow_loopback) for a in addresses):
        refuse("Must resolve only to public addresses (not private, loopback, link-local or metadata).")
    all_loopback = all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses)
    if parts.scheme == "http" and not (allow_loopback and all_loopback):
        refuse("Must be an https:// URL.")
    return url


def _pinned_adapter(allow_loopback: bool, resolver: Resolver) -> HTTPAdapter:
    """A requests adapter that resolves, checks every address, then connects only to a checked one.

    The connection keeps its host name, so the Host header, TLS SNI and certificate verification are
    for the name; only the socket is pinned to the address that was checked.
    """

    class Pinned:
        def _new_conn(self):
            try:
                addresses = resolver(self.host, self.port)
            except socket.gaierror as exc:
                raise NameResolutionError(self.host, self, exc) from exc
            except (OSError, UnicodeError) as exc:
                raise NewConnectionError(self, f"Failed to resolve {self.host}: {exc}") from exc
            if not addresses or not all(address_allowed(a, allow_loopback) for a in addresses):
                raise BlockedAddress(NOT_ALLOWED)
            failure: OSError | None = None
            for address in addresses:
                try:
                    sock = create_connection((address, self.port), self.timeout, source_address=self.source_address,
                                             socket_options=self.socket_options)
                except TimeoutError as exc:
                    raise ConnectTimeoutError(
                        self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})") from exc
                except OSError as exc:
                    failure = exc
                    continue
                sys.audit("http.client.connect", self, self.host, self.port)
                return sock
            raise NewConnectionError(self, f"Failed to establish a new connection: {failure}") from failure

    class PinnedHTTPConnection(Pinned, HTTPConnection):
        pass

    class PinnedHTTPSConnection(Pinned, HTTPSConnection):
        pass

    class PinnedHTTPPool(HTTPConnectionPool):
        ConnectionCls = PinnedHTTPConnection

    class PinnedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = PinnedHTTPSConnection

    class PinnedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": PinnedHTTPPool, "https": PinnedHTTPSPool}

    return PinnedAdapter(max_retries=0)


def delivery_session(resolver: Resolver = resolve) -> requests.Session:
    """A session for deliveries: connections pinned to checked addresses, no proxies from the environment."""
    session = requests.Session()
    session.trust_env = False
    adapter = _pinned_adapter(bool(setting("WEBHOOK_ALLOW_LOOPBACK", False)), resolver)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
