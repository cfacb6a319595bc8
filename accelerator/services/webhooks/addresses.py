"""Webhook address guards (SSRF): URL checks at registration and the guarded session used at delivery."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from accelerator.domain.errors import ValidationError
from accelerator.services.webhooks.settings import _setting

MAX_URL_LENGTH = 2000


class BlockedAddress(Exception):
    """A webhook connection reached (or would reach) an address that is not public."""


def address_allowed(address: str, allow_loopback: bool) -> bool:
    """Whether an IP address is public (or loopback, when allowed): never private, link-local, metadata."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def check_url(url: str, *, allow_loopback: bool) -> str:
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
        infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        refuse(f"The host {host[:100]} does not resolve.")
    addresses = {info[4][0] for info in infos}
    if not addresses or not all(address_allowed(a, allow_loopback) for a in addresses):
        refuse("Must resolve only to public addresses (not private, loopback, link-local or metadata).")
    all_loopback = all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses)
    if parts.scheme == "http" and not (allow_loopback and all_loopback):
        refuse("Must be an https:// URL.")
    return url


def _guarded_adapter(allow_loopback: bool) -> HTTPAdapter:
    """A requests adapter whose connections refuse a peer address that is not allowed."""

    class Guard:
        def _new_conn(self):
            sock = super()._new_conn()
            try:
                peer = sock.getpeername()[0]
            except OSError:
                peer = ""
            if not address_allowed(peer, allow_loopback):
                sock.close()
                raise BlockedAddress(f"connection to {peer or 'an unknown address'} refused: not a public address")
            return sock

    class GuardedHTTPConnection(Guard, HTTPConnection):
        pass

    class GuardedHTTPSConnection(Guard, HTTPSConnection):
        pass

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}

    return GuardedAdapter(max_retries=0)


def delivery_session() -> requests.Session:
    """A session for deliveries: guarded connections, no proxies from the environment."""
    session = requests.Session()
    session.trust_env = False
    adapter = _guarded_adapter(bool(_setting("WEBHOOK_ALLOW_LOOPBACK", False)))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
