"""JSON at every edge: gunicorn started with the project's gunicorn.conf.py lets over-long addresses and
headers through to the app, which answers them with the contract's JSON error under /api/ and a page elsewhere."""

from __future__ import annotations

import pytest
import requests

from accelerator.http import MAX_HEADER_BYTES, MAX_HEADER_FIELD_SIZE, MAX_HEADER_FIELDS, MAX_REQUEST_TARGET
from tests.servers import ROOT, free_port, server_env, start_gunicorn, stop, wait_healthy


@pytest.fixture()
def configured_gunicorn(database_url, tmp_path, db):
    """gunicorn with nothing on its command line but the bind address and the project's config file."""
    port = free_port()
    process = start_gunicorn(port, server_env(database_url), "--config", str(ROOT / "gunicorn.conf.py"),
                             "--log-level", "warning")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        stop(process)


def assert_json_error(answer: requests.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["Content-Type"].startswith("application/json")
    error = answer.json()["error"]
    assert error["code"] == code and error["message"]


def test_long_addresses_and_large_headers_answer_in_json_under_api(configured_gunicorn, marketplace_key):
    url = configured_gunicorn
    auth = {"Authorization": f"Bearer {marketplace_key}"}
    # The 6,000-character query string gunicorn used to refuse with its own HTML now reaches the API.
    answer = requests.get(f"{url}/api/v1/policies?q={'a' * 6000}", timeout=30)
    assert_json_error(answer, 401, "unauthenticated")
    long_query = "q=" + "a" * (MAX_REQUEST_TARGET + 50)
    assert_json_error(requests.get(f"{url}/api/v1/policies?{long_query}", timeout=30), 414, "uri_too_long")
    # The coverage check's fast path sits behind the limits too.
    assert_json_error(requests.get(f"{url}/api/v1/coverage?seller_id=X&{long_query}", headers=auth, timeout=30),
                      414, "uri_too_long")
    assert_json_error(requests.get(f"{url}/api/v1/{'p' * (MAX_REQUEST_TARGET + 50)}", timeout=30), 414, "uri_too_long")
    many = {f"X-Field-{n}": "1" for n in range(MAX_HEADER_FIELDS + 20)}
    assert_json_error(requests.get(f"{url}/api/v1/categories", headers=many, timeout=30), 431, "headers_too_large")
    big = {"X-Big": "b" * (MAX_HEADER_FIELD_SIZE + 3000)}
    assert_json_error(requests.get(f"{url}/api/v1/categories", headers=big, timeout=30), 431, "headers_too_large")
    bulky = {f"X-Part-{n}": "c" * 8000 for n in range(MAX_HEADER_BYTES // 8000 + 1)}
    assert_json_error(requests.post(f"{url}/api/v1/policies", headers=bulky, json={}, timeout=30),
                      431, "headers_too_large")
    # Within the limits the API answers as usual.
    ok = requests.get(f"{url}/api/v1/categories?x={'a' * (MAX_REQUEST_TARGET - 100)}",
                      headers={"X-Big": "b" * 8000}, timeout=30)
    assert ok.status_code in (200, 400) and ok.headers["Content-Type"].startswith("application/json")
    assert requests.get(f"{url}/api/v1/categories", headers=auth, timeout=30).status_code == 200


def test_long_addresses_and_large_headers_get_the_site_page_elsewhere(configured_gunicorn):
    url = configured_gunicorn
    answer = requests.get(f"{url}/?q={'a' * (MAX_REQUEST_TARGET + 50)}", timeout=30)
    assert answer.status_code == 414 and answer.headers["Content-Type"].startswith("text/html")
    assert "That address is too long" in answer.text and "Content-Security-Policy" in answer.headers
    answer = requests.get(f"{url}/login", headers={"X-Big": "b" * 12000}, timeout=30)
    assert answer.status_code == 431 and "headers are too large" in answer.text
