"""The coverage endpoints on `bp`: one check, a batch of up to 500 (its items read here), and the replay."""

from __future__ import annotations

from flask import current_app, g

from accelerator.api.blueprint import bp
from accelerator.api.core import Fields, QueryArgs, idempotent, read_json, require_role
from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.errors import ValidationError
from accelerator.domain.money import parse_money
from accelerator.domain.values import normalize_seller_id, parse_date
from accelerator.services import coverage
from accelerator.services.coverage import MAX_BATCH, CheckInput


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
