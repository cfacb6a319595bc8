"""Fixtures for the API tests: insurers with keys, and clients driving the live server."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accelerator.client import AcceleratorClient
from accelerator.extensions import db as _db
from tests import factories


def policy_body(**overrides) -> dict:
    """A valid report-policy body (a one-year policy from 2026-01-01)."""
    body = {
        "policy_number": "HX-2026-000123",
        "seller_id": "a1b2c3d4e5",
        "effective_date": "2026-01-01",
        "expiration_date": "2027-01-01",
        "per_occurrence_limit": "1000000.00",
        "aggregate_limit": "2000000.00",
        "deductible": "2500.00",
        "occurrence_based": True,
        "additional_insured": True,
        "excluded_categories": ["baby"],
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def count(model) -> int:
    """Rows of a table, read afresh (the live server writes through its own connections)."""
    _db.session.rollback()
    return _db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture()
def insurer(db):
    """An approved insurer with a broad appetite."""
    return factories.make_insurer(name="Harbor Mutual", naic_code="12345", am_best_rating="A")


@pytest.fixture()
def insurer_key(insurer) -> str:
    """A raw insurer key of `insurer`."""
    return factories.make_api_key("insurer", insurer)


@pytest.fixture()
def marketplace_key(db) -> str:
    """A raw marketplace key."""
    return factories.make_api_key("marketplace")


@pytest.fixture()
def api(live_server, insurer_key):
    """The client, as the insurer, against the live server."""
    with AcceleratorClient(live_server.url, insurer_key, timeout=30) as client:
        yield client


@pytest.fixture()
def other_insurer(db):
    """A second approved insurer."""
    return factories.make_insurer(name="Other Casualty", naic_code="54321")


@pytest.fixture()
def other_api(live_server, other_insurer):
    """The client, as the second insurer."""
    with AcceleratorClient(live_server.url, factories.make_api_key("insurer", other_insurer), timeout=30) as client:
        yield client


@pytest.fixture()
def anonymous(live_server):
    """The client without a key."""
    with AcceleratorClient(live_server.url, timeout=30) as client:
        yield client
