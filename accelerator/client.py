"""A small typed Python client for the Accelerator API, built on requests.

    from accelerator.client import AcceleratorClient, ApiError

    api = AcceleratorClient("https://accelerator.example", api_key="acc_...")
    policy = api.report_policy({"policy_number": "HX-1", "seller_id": "A1B2C3D4E5", ...})
    try:
        api.cancel_policy("HX-1", "2026-06-01")
    except ApiError as exc:
        print(exc.status, exc.code, exc.fields)

One session (connection reuse; use one client per thread), a timeout on every call, and retries
on 429 and 503 that honour Retry-After. Every POST and PUT carries an Idempotency-Key (a fresh one
unless you pass yours), so a retried write is applied once. Errors raise ApiError with the status
and the contract's error body.

Types come from the API's declarations (accelerator/shapes), the classes the server validates with,
answers with and documents from. A declared answer is an `Answer[Model]`: the JSON object exactly as
it came (read it as a dict: `quote["annual_premium"] == "1850.00"`), and `.parsed()` reads it through
its declaration into the typed model (`Decimal` money, `date`s, aware `datetime`s, `int` ids):

    quote = api.offer_quote(7, QuoteOffer(annual_premium="1850.00", ..., valid_until="2026-12-31"))
    quote.parsed().annual_premium      # Decimal("1850.00")

A body may be given as its declaration (checked here by the server's own rules before it is sent)
or as a plain dict. The coverage batch's answer (results that are each an error or a check) stays plain JSON.
"""

from __future__ import annotations

import time
import uuid
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar

import requests
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from accelerator.shapes.certificates import CertificateRead, StoredCertificate
from accelerator.shapes.claim_cases import ClaimCase, ClaimCasePage, OpenCase
from accelerator.shapes.confirmations import Confirmation, ConfirmationAnswer, ConfirmationPage
from accelerator.shapes.coverage import CoverageCheck, CoverageItem
from accelerator.shapes.discovery import Health, OpenApiDocument, ProductCategory
from accelerator.shapes.policies import Claim, ClaimPage, ClaimReport, Policy, PolicyPage, PolicyReport
from accelerator.shapes.quotes import Quote, QuoteDecline, QuoteOffer, QuoteRequest, QuoteRequestPage
from accelerator.shapes.sellers import Compliance, MonthlySales, SellerCategories
from accelerator.shapes.webhooks import NewWebhookEndpoint, WebhookDeliveryPage, WebhookEndpointPage

JSON = dict[str, Any]
M = TypeVar("M", bound=BaseModel)


class Answer(dict[str, Any], Generic[M]):
    """A JSON object answer, as it came (a dict), typed by its declaration; `.parsed()` reads it through it."""

    def __init__(self, body: JSON, declaration: type[M]):
        super().__init__(body)
        self.declaration = declaration

    def parsed(self) -> M:
        """The answer read through its declaration (pydantic.ValidationError if it does not fit)."""
        return self.declaration.model_validate(self)


class Answers(list[Any], Generic[M]):
    """A JSON array answer of declared objects, as it came (a list); `.parsed()` reads each through it."""

    def __init__(self, body: list, declaration: type[M]):
        super().__init__(body)
        self.declaration = declaration

    def parsed(self) -> list[M]:
        """Each item read through the declaration."""
        return [self.declaration.model_validate(item) for item in self]


def _sent(body: BaseModel | Any) -> Any:
    """A body as JSON: a declaration's fields that were set (money and dates as text), a dict as it is."""
    if isinstance(body, BaseModel):
        return to_jsonable_python({name: getattr(body, name) for name in body.model_fields_set})
    return body


class ApiError(Exception):
    """An error answer: `status`, and the contract's `code`, `message` and `fields` (from `body`)."""

    def __init__(self, status: int, body: Any, *, headers: dict | None = None):
        self.status = status
        self.body = body if isinstance(body, dict) else {}
        error = self.body.get("error") if isinstance(self.body.get("error"), dict) else {}
        self.code: str = error.get("code", "unknown")
        self.message: str = error.get("message", str(body)[:200])
        self.fields: dict[str, str] = error.get("fields") or {}
        self.headers = headers or {}
        super().__init__(f"{status} {self.code}: {self.message}")


def _retry_after(value: str | None, default: float) -> float:
    """Seconds from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return default


# A certificate's read takes up to 30 s on the server (the contract), inside gunicorn's 60 s worker timeout
# (gunicorn.conf.py): the certificate calls wait at least this long, whatever the client's own timeout.
CERTIFICATE_TIMEOUT = 70.0


class AcceleratorClient:
    """The API's client: one requests.Session, timeouts, retries on 429/503, ApiError on errors."""

    def __init__(self, base_url: str, api_key: str | None = None, *, timeout: float = 10.0,
                 max_retries: int = 3, max_retry_wait: float = 30.0, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.last_status: int | None = None  # the status of the last answer (201 vs 200, say)
        self.session = session or requests.Session()
        self.session.headers["Accept"] = "application/json"
        self.session.headers["User-Agent"] = "accelerator-client/1"
        if api_key:
            self.session.headers["Authorization"] = f"Bearer {api_key}"

    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()

    def __enter__(self) -> AcceleratorClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- transport ------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, params: dict | None = None, json: Any = None,
                idempotency_key: str | None = None, headers: dict | None = None, data: bytes | None = None,
                timeout: float | None = None) -> Any:
        """Send a request (a JSON body, or raw `data` with its Content-Type in `headers`) and return the
        decoded JSON (None for 204); raise ApiError on 4xx/5xx. `timeout`: this call's, else the client's."""
        send_headers = dict(headers or {})
        if method in ("POST", "PUT"):
            send_headers.setdefault("Idempotency-Key", idempotency_key or str(uuid.uuid4()))
        params = {k: v for k, v in (params or {}).items() if v is not None}
        attempt = 0
        while True:
            response = self.session.request(method, self.base_url + path, params=params, json=json, data=data,
                                            headers=send_headers, timeout=timeout or self.timeout)
            if response.status_code in (429, 503) and attempt < self.max_retries:
                wait = _retry_after(response.headers.get("Retry-After"), default=0.5 * 2 ** attempt)
                if wait <= self.max_retry_wait:
                    response.close()
                    time.sleep(wait)
                    attempt += 1
                    continue
            self.last_status = response.status_code
            return self._decode(response)

    @staticmethod
    def _decode(response: requests.Response) -> Any:
        if response.status_code == 204 or not response.content:
            if response.status_code >= 400:
                raise ApiError(response.status_code, {}, headers=dict(response.headers))
            return None
        try:
            body = response.json()
        except ValueError:
            body = {"error": {"code": "not_json", "message": response.text[:200]}}
        if response.status_code >= 400:
            raise ApiError(response.status_code, body, headers=dict(response.headers))
        return body

    # --- discovery --------------------------------------------------------------------------------

    def health(self) -> Answer[Health]:
        """GET /healthz (a 503 raises ApiError)."""
        return Answer(self.request("GET", "/healthz"), Health)

    def categories(self) -> Answers[ProductCategory]:
        """GET /api/v1/categories: [{"code", "name"}, ...]."""
        return Answers(self.request("GET", "/api/v1/categories"), ProductCategory)

    def openapi(self) -> Answer[OpenApiDocument]:
        """GET /api/v1/openapi.json."""
        return Answer(self.request("GET", "/api/v1/openapi.json"), OpenApiDocument)

    # --- insurer: policies ------------------------------------------------------------------------

    def report_policy(self, policy: PolicyReport | JSON, *, idempotency_key: str | None = None) -> Answer[Policy]:
        """POST /api/v1/policies: report a policy (201 new, 200 a repeat of the same terms)."""
        return Answer(self.request("POST", "/api/v1/policies", json=_sent(policy), idempotency_key=idempotency_key),
                      Policy)

    def list_policies(self, *, seller_id: str | None = None, page: int | None = None,
                      per_page: int | None = None) -> Answer[PolicyPage]:
        """GET /api/v1/policies."""
        return Answer(self.request("GET", "/api/v1/policies",
                                   params={"seller_id": seller_id, "page": page, "per_page": per_page}), PolicyPage)

    def get_policy(self, policy_number: str) -> Answer[Policy]:
        """GET /api/v1/policies/{policy_number}."""
        return Answer(self.request("GET", f"/api/v1/policies/{_segment(policy_number)}"), Policy)

    def cancel_policy(self, policy_number: str, cancellation_date: str, *,
                      idempotency_key: str | None = None) -> Answer[Policy]:
        """POST /api/v1/policies/{policy_number}/cancel."""
        return Answer(self.request("POST", f"/api/v1/policies/{_segment(policy_number)}/cancel",
                                   json={"cancellation_date": cancellation_date}, idempotency_key=idempotency_key),
                      Policy)

    def send_notice(self, policy_number: str, kind: str, *, cancellation_date: str | None = None,
                    reason: str | None = None, idempotency_key: str | None = None) -> Answer[Policy]:
        """POST /api/v1/policies/{policy_number}/notices (`notice_of_cancellation` with a date and a reason,
        `reinstatement`, `non_renewal`)."""
        body: dict[str, Any] = {"kind": kind}
        if cancellation_date is not None:
            body["cancellation_date"] = cancellation_date
        if reason is not None:
            body["reason"] = reason
        return Answer(self.request("POST", f"/api/v1/policies/{_segment(policy_number)}/notices", json=body,
                                   idempotency_key=idempotency_key), Policy)

    def policy_claims(self, policy_number: str, *, page: int | None = None,
                      per_page: int | None = None) -> Answer[ClaimPage]:
        """GET /api/v1/policies/{policy_number}/claims."""
        return Answer(self.request("GET", f"/api/v1/policies/{_segment(policy_number)}/claims",
                                   params={"page": page, "per_page": per_page}), ClaimPage)

    # --- insurer: quote requests ------------------------------------------------------------------

    def list_quote_requests(self, *, status: str | None = None, page: int | None = None,
                            per_page: int | None = None) -> Answer[QuoteRequestPage]:
        """GET /api/v1/quote-requests (status: open, quoted, declined or closed)."""
        return Answer(self.request("GET", "/api/v1/quote-requests",
                                   params={"status": status, "page": page, "per_page": per_page}), QuoteRequestPage)

    def get_quote_request(self, request_id: str | int) -> Answer[QuoteRequest]:
        """GET /api/v1/quote-requests/{id}."""
        return Answer(self.request("GET", f"/api/v1/quote-requests/{_segment(str(request_id))}"), QuoteRequest)

    def offer_quote(self, request_id: str | int, quote: QuoteOffer | JSON, *,
                    idempotency_key: str | None = None) -> Answer[Quote]:
        """POST /api/v1/quote-requests/{id}/quotes (201 with the quote)."""
        return Answer(self.request("POST", f"/api/v1/quote-requests/{_segment(str(request_id))}/quotes",
                                   json=_sent(quote), idempotency_key=idempotency_key), Quote)

    def decline_quote_request(self, request_id: str | int, reason: str | QuoteDecline, *,
                              idempotency_key: str | None = None) -> Answer[QuoteRequest]:
        """POST /api/v1/quote-requests/{id}/decline (a reason, or its declared body)."""
        body = _sent(reason) if isinstance(reason, QuoteDecline) else {"reason": reason}
        return Answer(self.request("POST", f"/api/v1/quote-requests/{_segment(str(request_id))}/decline",
                                   json=body, idempotency_key=idempotency_key), QuoteRequest)

    # --- insurer: confirmations of uploaded policies ----------------------------------------------

    def list_confirmations(self, *, status: str | None = None, page: int | None = None,
                           per_page: int | None = None) -> Answer[ConfirmationPage]:
        """GET /api/v1/confirmations (status: pending, confirmed, denied or withdrawn)."""
        return Answer(self.request("GET", "/api/v1/confirmations",
                                   params={"status": status, "page": page, "per_page": per_page}), ConfirmationPage)

    def get_confirmation(self, confirmation_id: str | int) -> Answer[Confirmation]:
        """GET /api/v1/confirmations/{id}."""
        return Answer(self.request("GET", f"/api/v1/confirmations/{_segment(str(confirmation_id))}"), Confirmation)

    def answer_confirmation(self, confirmation_id: str | int, answer: str | ConfirmationAnswer,
                            note: str | None = None, *, idempotency_key: str | None = None) -> Answer[Confirmation]:
        """POST /api/v1/confirmations/{id}: `confirmed` or `denied` (a denial needs the note: the seller's reason)."""
        body = _sent(answer) if isinstance(answer, ConfirmationAnswer) else {"answer": answer, "note": note}
        return Answer(self.request("POST", f"/api/v1/confirmations/{_segment(str(confirmation_id))}",
                                   json=body, idempotency_key=idempotency_key), Confirmation)

    # --- insurer: webhooks ------------------------------------------------------------------------

    def register_webhook(self, url: str, *, idempotency_key: str | None = None) -> Answer[NewWebhookEndpoint]:
        """POST /api/v1/webhooks: the answer holds the signing secret, this once."""
        return Answer(self.request("POST", "/api/v1/webhooks", json={"url": url}, idempotency_key=idempotency_key),
                      NewWebhookEndpoint)

    def list_webhooks(self, *, page: int | None = None, per_page: int | None = None) -> Answer[WebhookEndpointPage]:
        """GET /api/v1/webhooks."""
        return Answer(self.request("GET", "/api/v1/webhooks", params={"page": page, "per_page": per_page}),
                      WebhookEndpointPage)

    def delete_webhook(self, endpoint_id: str | int) -> None:
        """DELETE /api/v1/webhooks/{id}."""
        self.request("DELETE", f"/api/v1/webhooks/{_segment(str(endpoint_id))}")

    def webhook_deliveries(self, *, status: str | None = None, page: int | None = None,
                           per_page: int | None = None) -> Answer[WebhookDeliveryPage]:
        """GET /api/v1/webhooks/deliveries: the delivery log."""
        return Answer(self.request("GET", "/api/v1/webhooks/deliveries",
                                   params={"status": status, "page": page, "per_page": per_page}),
                      WebhookDeliveryPage)

    # --- marketplace (role marketplace): coverage, claims, sales and compliance ---------------------

    def check_coverage(self, seller_id: str, incident_date: str, amount: str,
                       category: str | None = None) -> Answer[CoverageCheck]:
        """GET /api/v1/coverage: the decision (recorded before it is answered)."""
        return Answer(self.request("GET", "/api/v1/coverage", params={
            "seller_id": seller_id, "incident_date": incident_date, "amount": amount, "category": category}),
            CoverageCheck)

    def check_coverage_batch(self, checks: list[CoverageItem | Any], *, idempotency_key: str | None = None) -> JSON:
        """POST /api/v1/coverage/batch: {"results": [...]} in order, errors in place of invalid items
        (each result an error or a CoverageCheck)."""
        return self.request("POST", "/api/v1/coverage/batch", json={"checks": [_sent(c) for c in checks]},
                            idempotency_key=idempotency_key)

    def get_coverage_check(self, check_id: str) -> Answer[CoverageCheck]:
        """GET /api/v1/coverage/checks/{check_id}: a recorded check's answer, field for field."""
        return Answer(self.request("GET", f"/api/v1/coverage/checks/{_segment(check_id)}"), CoverageCheck)

    def record_claim(self, claim: ClaimReport | JSON, *, idempotency_key: str | None = None) -> Answer[Claim]:
        """POST /api/v1/claims: 201 the first time, 200 with the first answer for the same claim_id."""
        return Answer(self.request("POST", "/api/v1/claims", json=_sent(claim), idempotency_key=idempotency_key),
                      Claim)

    def report_sales(self, seller_id: str, month: str, gross_proceeds: str, *,
                     idempotency_key: str | None = None) -> Answer[MonthlySales]:
        """PUT /api/v1/sellers/{seller_id}/sales/{YYYY-MM}: record or replace a month's gross proceeds."""
        return Answer(self.request("PUT", f"/api/v1/sellers/{_segment(seller_id)}/sales/{_segment(month)}",
                                   json={"gross_proceeds": gross_proceeds}, idempotency_key=idempotency_key),
                      MonthlySales)

    def record_seller_categories(self, seller_id: str, categories: list[str], *,
                                 idempotency_key: str | None = None) -> Answer[SellerCategories]:
        """PUT /api/v1/sellers/{seller_id}/categories: record or replace the categories the seller sells."""
        return Answer(self.request("PUT", f"/api/v1/sellers/{_segment(seller_id)}/categories",
                                   json={"categories": categories}, idempotency_key=idempotency_key),
                      SellerCategories)

    def compliance(self, seller_id: str, on: str | None = None) -> Answer[Compliance]:
        """GET /api/v1/sellers/{seller_id}/compliance (on defaults to today)."""
        return Answer(self.request("GET", f"/api/v1/sellers/{_segment(seller_id)}/compliance", params={"on": on}),
                      Compliance)

    # --- certificates (marketplace) -----------------------------------------------------------------

    def read_certificate(self, content: bytes, *, content_type: str = "application/pdf",
                         idempotency_key: str | None = None) -> Answer[CertificateRead]:
        """POST /api/v1/certificates/read: read a certificate PDF and check it; stores nothing."""
        return Answer(self.request("POST", "/api/v1/certificates/read", data=content,
                                   headers={"Content-Type": content_type}, idempotency_key=idempotency_key,
                                   timeout=max(self.timeout, CERTIFICATE_TIMEOUT)),
                      CertificateRead)

    def store_certificate(self, seller_id: str, content: bytes, *, content_type: str = "application/pdf",
                          idempotency_key: str | None = None) -> Answer[StoredCertificate]:
        """POST /api/v1/sellers/{seller_id}/certificates: store a seller's certificate as an uploaded policy,
        pending verification (201 {"policy", "read"})."""
        return Answer(self.request("POST", f"/api/v1/sellers/{_segment(seller_id)}/certificates", data=content,
                                   headers={"Content-Type": content_type}, idempotency_key=idempotency_key,
                                   timeout=max(self.timeout, CERTIFICATE_TIMEOUT)),
                      StoredCertificate)

    # --- claim cases (marketplace and insurer) -----------------------------------------------------

    def open_claim_case(self, case: OpenCase | JSON, *, idempotency_key: str | None = None) -> Answer[ClaimCase]:
        """POST /api/v1/claim-cases: 201 the first time, 200 with the case as it is now for the same case_id."""
        return self._case("POST", "/api/v1/claim-cases", _sent(case), idempotency_key)

    def list_claim_cases(self, *, state: str | None = None, seller_id: str | None = None, page: int | None = None,
                         per_page: int | None = None) -> Answer[ClaimCasePage]:
        """GET /api/v1/claim-cases: newest first (an insurer sees its own)."""
        return Answer(self.request("GET", "/api/v1/claim-cases", params={
            "state": state, "seller_id": seller_id, "page": page, "per_page": per_page}), ClaimCasePage)

    def get_claim_case(self, case_id: str) -> Answer[ClaimCase]:
        """GET /api/v1/claim-cases/{case_id}: the case as it stands now."""
        return Answer(self.request("GET", f"/api/v1/claim-cases/{_segment(case_id)}"), ClaimCase)

    def accept_claim_case(self, case_id: str, *, idempotency_key: str | None = None) -> Answer[ClaimCase]:
        """POST /api/v1/claim-cases/{case_id}/accept (insurer)."""
        return self._case("POST", f"/api/v1/claim-cases/{_segment(case_id)}/accept", {}, idempotency_key)

    def deny_claim_case(self, case_id: str, reason: str, *, idempotency_key: str | None = None) -> Answer[ClaimCase]:
        """POST /api/v1/claim-cases/{case_id}/deny (insurer)."""
        return self._case("POST", f"/api/v1/claim-cases/{_segment(case_id)}/deny", {"reason": reason},
                          idempotency_key)

    def step_in_claim_case(self, case_id: str, note: str | None = None, *,
                           idempotency_key: str | None = None) -> Answer[ClaimCase]:
        """POST /api/v1/claim-cases/{case_id}/step-in (marketplace)."""
        return self._case("POST", f"/api/v1/claim-cases/{_segment(case_id)}/step-in", {"note": note},
                          idempotency_key)

    def pay_claim_case(self, case_id: str, payer: str, amount: str, *,
                       idempotency_key: str | None = None) -> Answer[ClaimCase]:
        """POST /api/v1/claim-cases/{case_id}/payments: the case's one payment."""
        return self._case("POST", f"/api/v1/claim-cases/{_segment(case_id)}/payments",
                          {"payer": payer, "amount": amount}, idempotency_key)

    def recover_claim_case(self, case_id: str, amount: str, *,
                           idempotency_key: str | None = None) -> Answer[ClaimCase]:
        """POST /api/v1/claim-cases/{case_id}/recoveries (marketplace)."""
        return self._case("POST", f"/api/v1/claim-cases/{_segment(case_id)}/recoveries", {"amount": amount},
                          idempotency_key)

    def close_claim_case(self, case_id: str, outcome: str, note: str | None = None, *,
                         idempotency_key: str | None = None) -> Answer[ClaimCase]:
        """POST /api/v1/claim-cases/{case_id}/close (marketplace): invalid or withdrawn."""
        return self._case("POST", f"/api/v1/claim-cases/{_segment(case_id)}/close",
                          {"outcome": outcome, "note": note}, idempotency_key)

    def _case(self, method: str, path: str, body: Any, idempotency_key: str | None) -> Answer[ClaimCase]:
        """A write answered with the case object."""
        return Answer(self.request(method, path, json=body, idempotency_key=idempotency_key), ClaimCase)

def _segment(value: str) -> str:
    """A path segment, percent-encoded so a value can never reach another path."""
    from urllib.parse import quote

    return quote(value, safe="")
