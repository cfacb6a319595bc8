"""The app behind nginx with deploy/nginx/accelerator.conf (its ports and certificate changed for the test):
TLS with HSTS, the redirect to HTTPS, static files, and the limits that let the app answer for itself."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.servers import ROOT, free_port, server_env, start_gunicorn, stop, wait_healthy

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HSTS = "max-age=31536000; includeSubDomains"  # once: nginx hides the app's own (the same) and adds it
pytestmark = pytest.mark.skipif(not os.access(NGINX, os.X_OK),
                                reason="nginx is not installed (scripts/test.sh installs nginx-light)")


def _site(app_port: int, http_port: int, https_port: int, folder: Path) -> str:
    """The shipped configuration, on the test's ports, host name, certificate and gunicorn."""
    conf = (ROOT / "deploy" / "nginx" / "accelerator.conf").read_text()
    conf = re.sub(r"^\s*listen \[::\].*\n", "", conf, flags=re.MULTILINE)  # the test machine may lack IPv6
    conf = conf.replace("listen 80", f"listen 127.0.0.1:{http_port}")
    conf = conf.replace("listen 443", f"listen 127.0.0.1:{https_port}")
    conf = conf.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{app_port}")
    conf = conf.replace("accelerator.example.com;", "localhost;").replace("/srv/accelerator/static/", f"{ROOT}/static/")
    return (conf.replace("/etc/letsencrypt/live/accelerator.example.com/fullchain.pem", str(folder / "cert.pem"))
            .replace("/etc/letsencrypt/live/accelerator.example.com/privkey.pem", str(folder / "key.pem")))


def _wait_listening(session: requests.Session, url: str, nginx: subprocess.Popen) -> None:
    """Wait until nginx answers `url`; fail with its output if it stops or never does."""
    deadline, error = time.monotonic() + 30, None
    while time.monotonic() < deadline:
        try:
            session.get(url, timeout=2).close()
            return
        except requests.RequestException as exc:
            error = exc
            if nginx.poll() is not None:
                break
            time.sleep(0.1)
    if nginx.poll() is None:
        nginx.terminate()
    output = nginx.communicate(timeout=30)[0].decode(errors="replace")
    raise AssertionError(f"nginx did not answer ({error!r}): {output}")


@pytest.fixture(scope="module")
def behind_nginx(database_url, tmp_path_factory):
    """gunicorn (one worker) behind nginx, once for the module (nothing here writes to the database);
    yields the HTTPS and HTTP addresses and a session that trusts the test's certificate."""
    tmp_path = tmp_path_factory.mktemp("nginx")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True, timeout=60)
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    (tmp_path / "site.conf").write_text(_site(app_port, http_port, https_port, tmp_path))
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers may then read the test's private folders
    (tmp_path / "nginx.conf").write_text(
        f"{user}daemon off;\npid {tmp_path}/nginx.pid;\nerror_log stderr;\nworker_processes 1;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    client_body_temp_path {tmp_path}/body;\n"
        f"    proxy_temp_path {tmp_path}/proxy;\n    include {tmp_path}/site.conf;\n}}\n")
    env = server_env(database_url, TRUSTED_PROXIES="1", TRUSTED_PROXY_ADDRESSES="127.0.0.1",
                     ACCELERATOR_ENV="production")  # the app sends its own HSTS too
    del env["ACCELERATOR_CLOCK"]  # refused in production; nothing here depends on the day
    app = start_gunicorn(app_port, env, "--workers", "1", "--log-level", "warning")
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_healthy(f"http://127.0.0.1:{app_port}", app)
        with requests.Session() as session:
            session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override `verify`
            session.verify = str(tmp_path / "cert.pem")
            _wait_listening(session, f"https://localhost:{https_port}/healthz", nginx)
            yield f"https://localhost:{https_port}", f"http://localhost:{http_port}", session
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)
        nginx.stdout.close()
        stop(app)


def test_https_answers_carry_hsts_and_the_apps_own_headers(behind_nginx):
    https, _, session = behind_nginx
    answer = session.get(https + "/healthz", timeout=10)
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    assert answer.headers["Strict-Transport-Security"] == HSTS
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]  # from the app, through nginx
    assert "nginx/" not in answer.headers.get("Server", "")  # server_tokens off


def test_static_files_come_from_nginx_with_hsts(behind_nginx):
    https, _, session = behind_nginx
    answer = session.get(https + "/static/css/site.css", timeout=10)
    assert answer.status_code == 200
    assert answer.content == (ROOT / "static" / "css" / "site.css").read_bytes()
    assert answer.headers["Strict-Transport-Security"] == HSTS
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_plain_http_is_redirected_and_unknown_hosts_get_nothing(behind_nginx):
    _, http, session = behind_nginx
    answer = session.get(http + "/seller?x=1", timeout=10, allow_redirects=False)
    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://localhost/seller?x=1"
    with pytest.raises(requests.ConnectionError):
        session.get(http + "/healthz", headers={"Host": "elsewhere.example"}, timeout=10)


def test_the_app_not_nginx_answers_an_over_long_header_and_a_large_body(behind_nginx):
    https, _, session = behind_nginx
    long_header = session.get(https + "/api/v1/categories", headers={"X-Padding": "a" * 10_000}, timeout=10)
    assert long_header.status_code == 431
    assert long_header.json()["error"]["code"] == "headers_too_large"  # the app's JSON, not nginx's page
    # The app refuses it (no key) without reading the body; gunicorn.conf.py's post_request reads the
    # rest before the connection closes. Without that, a reset met nginx still sending, and it answered
    # 502 about one time in five: hence several tries.
    answers = []
    for _ in range(8):
        big = session.post(https + "/api/v1/coverage/batch", data=b"{" + b" " * 2_000_000 + b"}", timeout=30,
                           headers={"Content-Type": "application/json"})
        answers.append((big.status_code, big.headers["Content-Type"]))
    assert answers == [(401, "application/json")] * 8  # the app's answer, through nginx (which passed 2 MB)
