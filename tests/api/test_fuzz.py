"""Fuzzing with schemathesis, in process, from the app's own OpenAPI document, over every operation.

Valid keys of both roles are sent: each case goes once with the key of the operation's documented role
and once with the other role's key (a documented 403), with some data in place so that paths sometimes
name real things. The checks: no 5xx, every answer's status, content type, headers and body conform to
the document, and data the document allows is not refused (positive data acceptance: a value the
schema lets through and the app answers 400 for is a disagreement).
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

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

from accelerator import create_app
from accelerator.models import Confirmation
from accelerator.services import claim_cases
from accelerator.services.audit import Actor
from tests import certificate_pdfs, factories

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, positive_data_acceptance]
ROLES = ("insurer", "marketplace")
# Operations whose bodies have rules that JSON Schema cannot state, so schema-valid data may rightly be
# refused with 400: across fields (expiration after effective, deductible below the limit), against the
# clock (respond_by after now, valid_until today or later), against the world (the webhook host must
# resolve) or Unicode's unassigned code points (claim_id), with the answer (a denial needs a note), or with
# the kind (a notice's fields depend on its kind). Every other check still runs on them.
# The certificate endpoints' body is any binary to the schema, but must be a readable PDF (415 not a PDF, 422 one
# that cannot be read) and, to be stored, a certificate stating a policy's terms (422 fields_missing).
RULES_BEYOND_THE_SCHEMA = frozenset({"POST /api/v1/claim-cases", "POST /api/v1/claims", "POST /api/v1/policies",
                                     "POST /api/v1/policies/{policy_number}/notices",
                                     "POST /api/v1/quote-requests/{request_id}/quotes", "POST /api/v1/webhooks",
                                     "POST /api/v1/confirmations/{confirmation_id}",
                                     "POST /api/v1/certificates/read", "POST /api/v1/sellers/{seller_id}/certificates"})
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "40"))


@pytest.fixture()
def fuzz_keys(db):
    """Keys of both roles, and a policy, a routed quote request, a quote, a claim case and two confirmations (ids 1
    and 2) to find."""
    insurer = factories.make_insurer()
    seller = factories.make_seller(seller_id="A1B2C3D4E5")
    factories.make_policy(insurer=insurer, seller_id=seller.seller_id, policy_number="HX-1",
                          effective_date=date(2026, 1, 1), expiration_date=date(2027, 1, 1))
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


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_conforms_and_never_fails(case, app, fuzz_keys):
    roles = case.operation.definition.raw.get("x-roles") or []
    checks = [c for c in CHECKS if c is not positive_data_acceptance or case.operation.label not in
              RULES_BEYOND_THE_SCHEMA]
    if not roles:
        case.call_and_validate(app=app, headers={}, checks=checks)
        return
    for role in (roles[0], *(other for other in ROLES if other not in roles)):
        case.call_and_validate(app=app, headers={"Authorization": f"Bearer {fuzz_keys[role]}"}, checks=checks)
