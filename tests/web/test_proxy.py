"""Behind a trusted proxy the client address comes from X-Forwarded-For; otherwise it is ignored."""

import pytest
from flask import request

from accelerator import create_app
from accelerator.config import ConfigError, load_config


def _seen_address(app, headers):
    @app.get("/__addr")
    def addr():
        return request.remote_addr or ""

    return app.test_client().get("/__addr", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"}).text


def test_forwarded_for_is_ignored_without_trusted_proxies(database_url, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x",
                      "TRUSTED_PROXIES": 0})
    assert _seen_address(app, {"X-Forwarded-For": "203.0.113.9"}) == "10.0.0.1"


def test_forwarded_for_is_used_behind_one_trusted_proxy(database_url, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})
    assert _seen_address(app, {"X-Forwarded-For": "203.0.113.9"}) == "203.0.113.9"


def _with_seen_route(app):
    """Add a route that tells the client address and scheme the app sees."""
    @app.get("/__seen")
    def seen():
        return f"{request.remote_addr} {request.scheme}"

    return app


def _seen(app, peer, headers):
    """What the app sees for a request from `peer` (the TCP connection's other end)."""
    return app.test_client().get("/__seen", headers=headers, environ_base={"REMOTE_ADDR": peer}).text


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(database_url, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    monkeypatch.setenv("TRUSTED_PROXY_ADDRESSES", "127.0.0.1, 10.1.0.0/16")
    app = _with_seen_route(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"}))
    forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    assert _seen(app, "10.2.0.7", forged) == "10.2.0.7 http"  # a host that reached gunicorn directly
    assert _seen(app, "127.0.0.1", forged) == "203.0.113.9 https"  # the proxy on this machine
    assert _seen(app, "10.1.4.2", forged) == "203.0.113.9 https"  # a proxy in the trusted network
    assert _seen(app, "::ffff:127.0.0.1", forged) == "203.0.113.9 https"  # IPv4 peer on a dual-stack socket


def test_trusted_proxy_addresses_must_be_addresses(monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTED_PROXY_ADDRESSES", "127.0.0.1, proxy.internal")
    with pytest.raises(ConfigError, match=r"TRUSTED_PROXY_ADDRESSES=.*'proxy\.internal' is not an IP address"):
        load_config(str(tmp_path))
