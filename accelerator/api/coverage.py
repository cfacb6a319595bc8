"""Coverage checks (role marketplace): one check, a batch of up to 500, and the replay of a recorded check.

The single check is the product's hottest request, and Flask's own work per request (request and app
contexts, routing, the session, the after-request hooks) costs more than the check itself. So a thin
WSGI layer in front of Flask (`CoverageFastPath`) answers the plain case itself: a GET of exactly
this path, without a cookie or a body, whose query is the four parameters in plain characters, each
valid, and whose bearer key is a valid marketplace key used within the last minute. It checks the key
against the database on every request (never cached), makes the same service call as the Flask view,
and answers with the headers the app's own after-request hooks give this path (taken from them at
the first request). Every other request, including every error, goes to Flask untouched, so errors,
401s, 403s, 400s and the key's last-use update stay in one place. Set COVERAGE_FAST_PATH = False in
the config to serve everything through Flask.
"""

from __future__ import annotations

import hmac
import re

from flask import Flask, current_app, g

from accelerator.api.blueprint import bp
from accelerator.api.core import (
    LAST_USED_RESOLUTION,
    MAX_KEY_LENGTH,
    Fields,
    QueryArgs,
    idempotent,
    read_json,
    require_role,
)
from accelerator.api.openapi import (
    CATEGORY,
    DATE,
    MONEY_IN,
    MONEY_OUT,
    SELLER_ID_IN,
    SELLER_ID_OUT,
    TIMESTAMP,
    operation,
    path_param,
    query_param,
    ref,
)
from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.errors import ValidationError
from accelerator.domain.money import parse_money
from accelerator.domain.values import normalize_seller_id, parse_date
from accelerator.extensions import db
from accelerator.models.types import utcnow
from accelerator.services import coverage
from accelerator.services.api_keys import PREFIX_LENGTH, hash_key
from accelerator.services.coverage import MAX_BATCH, CheckInput
from accelerator.services.hotpath import KeyRow


def _json_text(text: str, status: int = 200):
    """A response whose body is JSON text made (and recorded) by the service, sent as it is."""
    return current_app.response_class(text, status=status, mimetype="application/json")


@bp.get("/coverage")
@require_role("marketplace")
def check_coverage():
    """Decide who answers for a claim; the answer is recorded before it is sent."""
    args = QueryArgs()
    seller_id = args.seller_id()
    incident_date = args.date("incident_date")
    amount = args.money("amount")
    category = args.category("category", required=False)
    args.check("Check the coverage question.")
    return _json_text(coverage.check_coverage_text(g.api_key.id, seller_id, incident_date, amount, category))


_ITEM_FIELDS = frozenset(("seller_id", "incident_date", "amount", "category"))


def _batch_item(item: object) -> CheckInput | ValidationError:
    """One item of a batch: a checked question, or the error answered in its place."""
    question = _plain_item(item)
    return question if question is not None else _read_item(item)


def _plain_item(item: object) -> CheckInput | None:
    """A valid item read directly (what nearly every item of a batch is), or None to read it with
    Fields, which words the errors (so an item is valid here exactly when it is valid there)."""
    if type(item) is not dict or not item.keys() <= _ITEM_FIELDS:
        return None
    try:
        amount = item["amount"]
        amount = amount if type(amount) is str else amount.text  # a JsonNumber; anything else: AttributeError
        category = item.get("category")
        if category is not None and (type(category) is not str or category not in CATEGORY_CODES):
            return None
        return CheckInput(normalize_seller_id(item["seller_id"]), parse_date(item["incident_date"]),
                          parse_money(amount), category)
    except (KeyError, AttributeError, ValueError):
        return None


def _read_item(item: object) -> CheckInput | ValidationError:
    """One item read by Fields: the question, or the error naming each wrong field."""
    if not isinstance(item, dict):
        return ValidationError("Each check must be a JSON object.")
    fields = Fields(item)
    seller_id = fields.seller_id()
    incident_date = fields.date("incident_date")
    amount = fields.money("amount")
    category = fields.category("category", required=False)
    for name in fields.unknown():
        fields.error(name, "Unknown field.")
    if fields.errors:
        return ValidationError("Check this check's fields.", fields=dict(fields.errors))
    return CheckInput(seller_id, incident_date, amount, category)


@bp.post("/coverage/batch")
@require_role("marketplace")
@idempotent
def check_coverage_batch():
    """Decide and record 1 to 500 checks; an invalid item is answered by an error in its place."""
    data = read_json()
    fields = Fields(data)
    checks = fields.raw("checks")
    if checks is not None and (not isinstance(checks, list) or not 1 <= len(checks) <= MAX_BATCH):
        fields.error("checks", f"Must be an array of 1 to {MAX_BATCH} checks.")
    fields.check(f"Send {{\"checks\": [...]}} with 1 to {MAX_BATCH} checks.")
    items = [_batch_item(item) for item in checks]
    return _json_text(coverage.check_batch_text(g.api_key.id, items))


@bp.get("/coverage/checks/<check_id>")
@require_role("marketplace")
def get_coverage_check(check_id: str):
    """A recorded check's answer, exactly as it was first sent."""
    QueryArgs().check()
    return _json_text(coverage.get_check_text(check_id))


# --- the single check without Flask ---------------------------------------------------------------

_PATH = "/api/v1/coverage"
_PARAMS = frozenset(("seller_id", "incident_date", "amount", "category"))
# Values that URL decoding leaves as they are (no %, no +): anything else goes to Flask.
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9._-]{1,40}")


class CoverageFastPath:
    """WSGI middleware answering plain single checks without Flask; everything else goes to `next_app`."""

    def __init__(self, app: Flask, next_app):
        self.app = app
        self.next_app = next_app
        self.headers: list[tuple[str, str]] | None = None
        self.engine = None

    def __call__(self, environ, start_response):
        if (environ.get("PATH_INFO") != _PATH or environ.get("REQUEST_METHOD") != "GET"
                or "HTTP_COOKIE" in environ or environ.get("CONTENT_LENGTH") not in (None, "", "0")
                or not self.app.config.get("COVERAGE_FAST_PATH", True)):
            return self.next_app(environ, start_response)
        question = _plain_question(environ.get("QUERY_STRING", ""))
        if question is None:
            return self.next_app(environ, start_response)
        if self.engine is None:
            self._prepare()
        raw_key = _bearer_key(environ.get("HTTP_AUTHORIZATION", ""))
        if raw_key is None:
            return self.next_app(environ, start_response)
        try:
            # The key is read in the same read transaction as the policies; nothing is written
            # unless it is a valid marketplace key.
            texts = coverage.run_checks(None, [question], self.app, self.engine, key_prefix=raw_key[:PREFIX_LENGTH],
                                        accept_key=lambda row: _fresh_marketplace_key(raw_key, row))
        except Exception as exc:  # noqa: BLE001 - answered by the app's own error handling
            return self._error(environ, start_response, exc)
        if texts is None:
            return self.next_app(environ, start_response)
        body = texts[0].encode("ascii")
        start_response("200 OK", [*self.headers, ("Content-Length", str(len(body)))])
        return [body]

    def _prepare(self) -> None:
        """The engine, and the headers the app's after-request hooks give a 200 JSON answer on this path."""
        app = self.app
        with app.test_request_context(_PATH, method="GET"):
            self.engine = db.engine
            response = app.process_response(app.response_class("{}", status=200, mimetype="application/json"))
        self.headers = [(name, value) for name, value in response.headers.items() if name != "Content-Length"]

    def _error(self, environ, start_response, exc: Exception):
        """What Flask answers when a view raises `exc` (the contract's JSON 500, logged)."""
        app = self.app
        with app.request_context(environ):
            response = app.finalize_request(app.handle_user_exception(exc))
        return response(environ, start_response)


def _plain_question(query: str) -> CheckInput | None:
    """The check a query asks for, when it is the plain, valid case; else None (Flask answers it)."""
    values: dict[str, str] = {}
    for part in query.split("&"):
        name, sep, value = part.partition("=")
        if not sep or name not in _PARAMS or name in values or not _PLAIN_VALUE.fullmatch(value):
            return None
        values[name] = value
    category = values.get("category")
    if category is not None and category not in CATEGORY_CODES:
        return None
    try:
        return CheckInput(normalize_seller_id(values["seller_id"]), parse_date(values["incident_date"]),
                          parse_money(values["amount"]), category)
    except (KeyError, ValueError):
        return None


def _bearer_key(header: str) -> str | None:
    """The key of an `Authorization: Bearer <key>` header, read as authenticate() reads it, if it can
    be one; None otherwise (Flask answers)."""
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not PREFIX_LENGTH <= len(raw) <= MAX_KEY_LENGTH:
        return None
    return raw


def _fresh_marketplace_key(raw: str, row: KeyRow | None) -> int | None:
    """The key's id when `row` (read now, never cached) is that key, a valid marketplace key whose
    last use is recorded as recent; None for anything else (Flask answers, and records the use)."""
    if row is None or not hmac.compare_digest(hash_key(raw), row.key_hash):
        return None
    if row.revoked_at is not None or row.role != "marketplace":
        return None
    if row.last_used_at is None or utcnow() - row.last_used_at > LAST_USED_RESOLUTION:
        return None
    return row.id


@bp.record_once
def _install_fast_path(state) -> None:
    """Put CoverageFastPath in front of the app this blueprint is registered on."""
    state.app.wsgi_app = CoverageFastPath(state.app, state.app.wsgi_app)


def _required_query(name: str, schema: dict, description: str = "") -> dict:
    """A required query parameter."""
    return {"name": name, "in": "query", "required": True, "schema": schema, "description": description}


REASON = {
    "type": "object",
    "required": ["code", "policy_number", "message"],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string", "enum": [
            "not_yet_effective", "expired", "cancelled", "verification_rejected", "category_excluded",
            "aggregate_exhausted", "pending_verification", "limit_below_amount", "no_policy", "unknown_seller",
        ]},
        "policy_number": {"type": ["string", "null"]},
        "message": {"type": "string"},
    },
}

COVERAGE_CHECK = {
    "type": "object",
    "description": "A coverage decision, recorded before it was answered; GET /api/v1/coverage/checks/{check_id} "
                   "answers the same JSON again.",
    "required": ["check_id", "checked_at", "seller_id", "incident_date", "amount", "category", "status",
                 "covered_amount", "route", "policy", "reasons"],
    "additionalProperties": False,
    "properties": {
        "check_id": {"type": "string", "pattern": r"^chk_[0-9a-f]+$"},
        "checked_at": TIMESTAMP,
        "seller_id": SELLER_ID_OUT,
        "incident_date": DATE,
        "amount": MONEY_OUT,
        "category": {"anyOf": [CATEGORY, {"type": "null"}]},
        "status": {"type": "string", "enum": ["covered", "undetermined", "not_covered"]},
        "covered_amount": MONEY_OUT,
        "route": {"type": "string", "enum": ["marketplace", "insurer", "review", "seller"]},
        "policy": {"anyOf": [ref("Policy"), {"type": "null"}]},
        "reasons": {"type": "array", "items": ref("CoverageReason")},
    },
}

_CHECK_ITEM_IN = {
    "type": "object",
    "required": ["seller_id", "incident_date", "amount"],
    "properties": {
        "seller_id": SELLER_ID_IN,
        "incident_date": DATE,
        "amount": MONEY_IN,
        "category": {"anyOf": [CATEGORY, {"type": "null"}]},
    },
}

OPENAPI = {
    "paths": {
        "/api/v1/coverage": {
            "get": operation(
                "Check a seller's coverage for an incident", operation_id="checkCoverage", tags=["coverage"],
                roles=("marketplace",),
                description="Answers 200 with a decision, also for an unknown seller. Every check is recorded "
                            "(committed) before the answer is sent. A parameter given twice, or one this "
                            "endpoint does not know, is a 400.",
                params=[
                    _required_query("seller_id", SELLER_ID_IN),
                    _required_query("incident_date", DATE),
                    _required_query("amount", {"type": "string", "pattern": r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,2})?$"},
                                    "USD, plain decimal notation, at most two decimals, greater than 0."),
                    query_param("category", CATEGORY, "Optional; the answer echoes null without it."),
                ],
                responses={"200": ("The decision.", ref("CoverageCheck"))},
            )
        },
        "/api/v1/coverage/batch": {
            "post": operation(
                "Check up to 500 incidents at once", operation_id="checkCoverageBatch", tags=["coverage"],
                roles=("marketplace",),
                description="Each result is a full check (recorded, with its own check_id) or, in place of an "
                            "item that is not an object or whose fields are invalid, `{\"error\": {...}}`; "
                            "nothing is recorded for such an item. Unknown fields of an item are such errors.",
                body={
                    "type": "object", "required": ["checks"],
                    "properties": {"checks": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                                              "items": _CHECK_ITEM_IN}},
                },
                responses={"200": ("The results, in the order of the checks.", {
                    "type": "object", "required": ["results"], "additionalProperties": False,
                    "properties": {"results": {"type": "array", "items": {
                        "anyOf": [ref("CoverageCheck"), ref("Error")]}}},
                })},
            )
        },
        "/api/v1/coverage/checks/{check_id}": {
            "get": operation(
                "Replay a recorded coverage check", operation_id="getCoverageCheck", tags=["coverage"],
                roles=("marketplace",),
                params=[path_param("check_id", {"type": "string"}, "The check_id a check answered.")],
                responses={"200": ("The same JSON the check answered, field for field.", ref("CoverageCheck"))},
                errors=("404",),
            )
        },
    },
    "schemas": {"CoverageCheck": COVERAGE_CHECK, "CoverageReason": REASON},
}
