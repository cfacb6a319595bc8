"""Fuzzing with schemathesis, in process, from the app's own OpenAPI document, over every operation.

Valid keys of both roles are sent: each case goes once with the key of the operation's documented role
and once with the other role's key (a documented 403), with some data in place so that paths sometimes
name real things. The checks: no 5xx, every answer's status, content type, headers and body conform to
the document, and data the document allows is not refused (positive data acceptance: a value the
schema lets through and the app answers 400 for is a disagreement).

Rules between fields the document states itself (if/then/else: a notice's fields by its kind, a denial's
note). A few bodies have rules JSON Schema cannot state (against the clock, against the world, what a PDF
says); the document says them in words, and RULES_MET below moves each generated schema-valid body (in every
phase: examples, coverage, fuzzing) to meet them, keeping it schema-valid, so that acceptance is checked on
every operation: no exemption.
"""

from __future__ import annotations

import os
import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accelerator import clock, create_app
from accelerator.domain.claim_case_input import MAX_RESPOND_DAYS
from accelerator.domain.values import MAX_DATE
from accelerator.models import Confirmation
from accelerator.services import claim_cases
from accelerator.services.audit import Actor
from accelerator.services.policies import MAX_TERM_DAYS
from tests import certificate_pdfs, factories

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, positive_data_acceptance]
ROLES = ("insurer", "marketplace")
FUZZ_POLICY_TERM = (date(2026, 1, 1), date(2027, 1, 1))  # the period of the fixture's policy HX-1
# The certificate endpoints' body is any binary to the schema but must be a PDF certificate (415 not a PDF, 422
# one that cannot be read, or one that does not state a policy's terms when it is to be stored): each generated
# body is sent as it is, every check but acceptance; a positive case is then sent again as a certificate.
CERTIFICATE_BODIES = frozenset({"POST /api/v1/certificates/read", "POST /api/v1/sellers/{seller_id}/certificates"})
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "40"))


@pytest.fixture()
def fuzz_keys(db):
    """Keys of both roles, and a policy, a routed quote request, a quote, a claim case and two confirmations (ids 1
    and 2) to find."""
    insurer = factories.make_insurer()
    seller = factories.make_seller(seller_id="A1B2C3D4E5")
    factories.make_policy(insurer=insurer, seller_id=seller.seller_id, policy_number="HX-1",
                          effective_date=FUZZ_POLICY_TERM[0], expiration_date=FUZZ_POLICY_TERM[1])
    request = factories.make_quote_request(routed_to=[insurer], seller_id=seller.seller_id)
    factories.make_quote(request, insurer)
    claim_cases.open_case(Actor("fuzz"), None, claim_cases.CaseInput(
        case_id="AZ-2026-0042", seller_id=seller.seller_id, kind="property_damage", incident_date=date(2026, 6, 1),
        amount_claimed=Decimal("2500.00"), category=None, order_id=None, description="A scorched carpet.",
        respond_by=None))
    for number in ("UP-1", "UP-2"):
        upload = factories.make_policy(source="seller_upload", verification="pending", insurer=insurer,
                                       seller_id=seller.seller_id, policy_number=number)
        db.session.add(Confirmation(policy_id=upload.id, insurer_id=insurer.id, status="pending"))
    db.session.commit()
    return {"insurer": factories.make_api_key("insurer", insurer), "marketplace": factories.make_api_key("marketplace")}


# Certificate bodies: real certificates (whole, with fields missing, edited later), broken and encrypted PDFs,
# and any bytes at all, so that both the reading and every refusal are reached.
schemathesis.openapi.media_type("application/pdf", st.one_of(
    st.sampled_from([certificate_pdfs.certificate(), certificate_pdfs.certificate(policy_number=None),
                     certificate_pdfs.certificate(aggregate_limit="$1"), certificate_pdfs.modified_later(),
                     certificate_pdfs.broken(), certificate_pdfs.encrypted(), certificate_pdfs.blank()]),
    st.binary(max_size=512)))

# The document as an app serves it; serving it touches no database, so an app on an empty in-memory
# database loads it at collection time. Each call then goes, in process, to the test app (`app=app`).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}))




# --- the rules beyond the schema, met by moving each generated body (schema-valid before and after) -------


def _money(value) -> Decimal:
    """A generated amount (a JSON string or number) as the app reads it."""
    return Decimal(str(value))


def _limits(body: dict) -> None:
    """aggregate_limit >= per_occurrence_limit (the two swapped), deductible < per_occurrence_limit (left out)."""
    per, aggregate = body.get("per_occurrence_limit"), body.get("aggregate_limit")
    if per is None or aggregate is None:
        return
    if _money(aggregate) < _money(per):
        body["per_occurrence_limit"], body["aggregate_limit"] = per, aggregate = aggregate, per
    if body.get("deductible") is not None and _money(body["deductible"]) >= _money(per):
        del body["deductible"]  # its default, 0, is below any limit


def _policy_rules(body: dict) -> dict:
    """The term (expiration after effective, at most MAX_TERM_DAYS) and the limits."""
    _limits(body)
    if isinstance(body.get("effective_date"), str) and isinstance(body.get("expiration_date"), str):
        first, last = sorted(date.fromisoformat(body[k]) for k in ("effective_date", "expiration_date"))
        if first == last or (last - first).days > MAX_TERM_DAYS:
            last = first + timedelta(days=1 + (last - first).days % MAX_TERM_DAYS)
        if last > MAX_DATE:
            first, last = MAX_DATE - (last - first), MAX_DATE
        body["effective_date"], body["expiration_date"] = first.isoformat(), last.isoformat()
    return body


def _quote_rules(body: dict) -> dict:
    """The limits, and valid_until today or later (the app's clock)."""
    _limits(body)
    if isinstance(body.get("valid_until"), str):
        today = clock.today()
        given = date.fromisoformat(body["valid_until"])
        if given < today:
            body["valid_until"] = (today + timedelta(days=(today - given).days % 365)).isoformat()
    return body


def _case_rules(body: dict) -> dict:
    """respond_by after now and at most MAX_RESPOND_DAYS ahead (the app's clock; a minute's margin for the
    time the request takes)."""
    if isinstance(body.get("respond_by"), str):
        now = clock.now()
        try:
            given = datetime.fromisoformat(body["respond_by"].replace("Z", "+00:00"))
        except ValueError:
            given = now
        if not now + timedelta(minutes=1) < given <= now + timedelta(days=MAX_RESPOND_DAYS, minutes=-1):
            span = int(timedelta(days=MAX_RESPOND_DAYS, minutes=-2).total_seconds())
            moment = now + timedelta(minutes=1, seconds=1 + int(given.timestamp()) % span)
            body["respond_by"] = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return body


def _notice_rules(body: dict) -> dict:
    """A notice of cancellation's date after today and within the period of the fixture's policy (the clock's
    and the world's rule; which fields a kind takes, the document states)."""
    if isinstance(body.get("cancellation_date"), str):
        first = max(clock.today() + timedelta(days=1), FUZZ_POLICY_TERM[0])
        span = (FUZZ_POLICY_TERM[1] - first).days
        if span > 0:
            given = date.fromisoformat(body["cancellation_date"])
            body["cancellation_date"] = (first + timedelta(days=given.toordinal() % span)).isoformat()
    return body


def _claim_rules(body: dict) -> dict:
    """claim_id without code points Unicode leaves unassigned (the schema states the rest: which ones are
    unassigned changes with the Unicode version, and no portable pattern names them)."""
    if isinstance(body.get("claim_id"), str):
        body["claim_id"] = "".join(ch for ch in body["claim_id"]
                                   if unicodedata.category(ch) not in ("Cc", "Cs", "Cn")) or "clm"
    return body


def _webhook_rules(body: dict) -> dict:
    """The URL's host an address that needs no DNS and is public (the app resolves hosts: the world's rule),
    https, no user, no fragment, no spaces; the generated path and query kept."""
    if isinstance(body.get("url"), str):
        try:
            parts = urlsplit(body["url"])
        except ValueError:
            parts = urlsplit("")
        rest = "".join(ch for ch in parts.path + ("?" + parts.query if parts.query else "")
                       if not ch.isspace() and ch not in "#\x00")
        body["url"] = ("https://93.184.216.34/" + rest.lstrip("/"))[:2000]
    return body


RULES_MET = {"POST /api/v1/policies": _policy_rules, "POST /api/v1/quote-requests/{request_id}/quotes": _quote_rules,
             "POST /api/v1/claim-cases": _case_rules, "POST /api/v1/claims": _claim_rules,
             "POST /api/v1/webhooks": _webhook_rules, "POST /api/v1/policies/{policy_number}/notices": _notice_rules}


def _meet_the_rules(case) -> None:
    """A positive case's body moved to meet its operation's rules beyond the schema (RULES_MET); a value
    that is not well-formed (a negative case's, say) is left as it is."""
    meet = RULES_MET.get(case.operation.label)
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if meet is None or not positive or not isinstance(case.body, dict):
        return
    body = dict(case.body)
    try:
        meet(body)
    except (ValueError, TypeError, ArithmeticError):
        return
    case.body = body


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_conforms_and_never_fails(case, app, fuzz_keys):
    _meet_the_rules(case)
    roles = case.operation.definition.raw.get("x-roles") or []
    headers = [{}] if not roles else [{"Authorization": f"Bearer {fuzz_keys[role]}"}
                                      for role in (roles[0], *(other for other in ROLES if other not in roles))]
    if case.operation.label in CERTIFICATE_BODIES:
        as_generated = [c for c in CHECKS if c is not positive_data_acceptance]
        for each in headers:
            case.call_and_validate(app=app, headers=each, checks=as_generated)
        if not (case.meta is not None and case.meta.generation.mode.is_positive):
            return
        case.body = certificate_pdfs.certificate()  # stored once (201), then the same policy again (409)
    for each in headers:
        case.call_and_validate(app=app, headers=each, checks=CHECKS)
