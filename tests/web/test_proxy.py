"""Behind a trusted proxy the client address comes from X-Forwarded-For; otherwise it is ignored."""

from flask import request

from accelerator import create_app


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
