"""`flask api-keys create / list / revoke`: a key shown once, only its prefix and hash kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from accelerator.extensions import db as _db
from accelerator.models import ApiKey, AuditEntry
from accelerator.services.api_keys import hash_key
from tests import factories
from tests.cli.support import assert_failed, assert_ok, invoke, last_line, row_counts


def _create(app, *args: str):
    return invoke(app, "api-keys", "create", *args)


def _stored_key(raw: str) -> ApiKey:
    return _db.session.execute(select(ApiKey).where(ApiKey.prefix == raw[:12])).scalar_one()


def test_create_marketplace_key_prints_it_last_and_stores_only_prefix_and_hash(app, db):
    result = _create(app, "--role", "marketplace", "--name", "Claims service")

    assert_ok(result)
    raw = last_line(result)
    assert raw.startswith("acc_") and len(raw) > 40
    key = _stored_key(raw)
    assert (key.role, key.insurer_id, key.name, key.state) == ("marketplace", None, "Claims service", "active")
    assert key.prefix == raw[:12] and len(key.prefix) == 12
    assert key.key_hash == hash_key(raw)
    stored = [getattr(key, column.key) for column in ApiKey.__table__.columns]
    assert not any(raw in str(value) for value in stored)
    audit_details = [str(e.details) for e in db.session.execute(select(AuditEntry)).scalars()]
    assert audit_details and not any(raw in details for details in audit_details)
    assert result.output.count(raw) == 1  # shown this once, on its own line


def test_create_insurer_key_for_an_approved_insurer(app, db):
    insurer = factories.make_insurer(status="approved")

    result = _create(app, "--role", "insurer", "--insurer", str(insurer.id), "--name", "Policy admin system")

    assert_ok(result)
    key = _stored_key(last_line(result))
    assert (key.role, key.insurer_id) == ("insurer", insurer.id)


@pytest.mark.parametrize("status", ["pending", "suspended"])
def test_create_insurer_key_is_refused_unless_the_insurer_is_approved(app, db, status):
    insurer = factories.make_insurer(status=status)

    result = _create(app, "--role", "insurer", "--insurer", str(insurer.id), "--name", "Too early")

    assert_failed(result, "Keys are only made for approved insurers", f"is {status}")
    assert row_counts()["api_keys"] == 0


def test_create_insurer_key_for_an_unknown_insurer_is_refused(app, db):
    result = _create(app, "--role", "insurer", "--insurer", "987654", "--name", "Nobody")

    assert_failed(result, "No such insurer")
    assert row_counts()["api_keys"] == 0


def test_an_insurer_key_needs_an_insurer_and_a_marketplace_key_has_none(app, db):
    insurer = factories.make_insurer()

    assert_failed(_create(app, "--role", "insurer", "--name", "x"), "An insurer key names its insurer")
    assert_failed(_create(app, "--role", "marketplace", "--insurer", str(insurer.id), "--name", "x"),
                  "A marketplace key belongs to no insurer")
    assert_failed(_create(app, "--role", "admin", "--name", "x"), "Invalid value for '--role'")
    assert row_counts()["api_keys"] == 0


def test_list_shows_prefix_role_insurer_name_last_use_and_state(app, db):
    insurer = factories.make_insurer(status="approved")
    market = last_line(_create(app, "--role", "marketplace", "--name", "Claims service"))
    insurer_raw = last_line(_create(app, "--role", "insurer", "--insurer", str(insurer.id), "--name", "Harbor PAS"))
    used = _stored_key(market)
    used.last_used_at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    db.session.commit()
    assert_ok(invoke(app, "api-keys", "revoke", insurer_raw[:12]))

    result = invoke(app, "api-keys", "list")

    assert_ok(result)
    lines = result.output.splitlines()
    assert lines[0].split() == ["PREFIX", "ROLE", "INSURER", "STATE", "LAST", "USED", "LIMIT/S", "NAME"]
    rows = {line.split()[0]: line.split() for line in lines[1:-1]}
    assert rows[market[:12]] == [market[:12], "marketplace", "-", "active", "2026-03-04T05:06:07Z", "-", "Claims",
                                 "service"]
    assert rows[insurer_raw[:12]] == [insurer_raw[:12], "insurer", str(insurer.id), "revoked", "never", "-",
                                      "Harbor", "PAS"]
    assert last_line(result) == "2 key(s)"
    assert market not in result.output and insurer_raw not in result.output


def test_revoke_by_prefix_revokes_that_key_only(app, db):
    keep = last_line(_create(app, "--role", "marketplace", "--name", "Keep"))
    drop = last_line(_create(app, "--role", "marketplace", "--name", "Drop"))

    result = invoke(app, "api-keys", "revoke", drop[:12])

    assert_ok(result)
    assert last_line(result) == f"Revoked key {drop[:12]}"
    assert _stored_key(drop).revoked_at is not None
    assert _stored_key(keep).revoked_at is None
    listing = invoke(app, "api-keys", "list").output
    assert any(line.startswith(drop[:12]) and " revoked " in line for line in listing.splitlines())
    assert any(line.startswith(keep[:12]) and " active " in line for line in listing.splitlines())


def test_revoke_an_unknown_prefix_fails(app, db):
    last_line(_create(app, "--role", "marketplace", "--name", "Keep"))

    result = invoke(app, "api-keys", "revoke", "acc_nosuchkey")

    assert_failed(result, "No key with prefix acc_nosuchkey")
    assert db.session.execute(select(ApiKey)).scalar_one().revoked_at is None


def test_create_with_a_rate_limit_stores_it_and_list_shows_it(app, db):
    raw = last_line(_create(app, "--role", "marketplace", "--name", "Busy service", "--rate-limit", "5"))
    plain = last_line(_create(app, "--role", "marketplace", "--name", "Calm service"))

    assert _stored_key(raw).rate_limit == 5
    assert _stored_key(plain).rate_limit is None
    result = invoke(app, "api-keys", "list")
    assert_ok(result)
    rows = {line.split()[0]: line.split() for line in result.output.splitlines()[1:-1]}
    assert rows[raw[:12]][5:] == ["5", "Busy", "service"]
    assert rows[plain[:12]][5:] == ["-", "Calm", "service"]


@pytest.mark.parametrize("value", ["0", "-3", "100001"])
def test_a_rate_limit_out_of_range_is_refused(app, db, value):
    result = _create(app, "--role", "marketplace", "--name", "Too much", "--rate-limit", value)

    assert_failed(result, "rate_limit: A rate limit is a whole number of requests a second, 1 to 100000.")
    assert row_counts()["api_keys"] == 0


@pytest.mark.parametrize("value", ["abc", "2.5", ""])
def test_a_rate_limit_that_is_not_a_whole_number_is_refused(app, db, value):
    result = _create(app, "--role", "marketplace", "--name", "Too much", "--rate-limit", value)

    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "--rate-limit" in result.output
    assert row_counts()["api_keys"] == 0
