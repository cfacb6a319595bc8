"""Coverage checks: the marketplace asks who answers for a claim; every answer is recorded first.

This is the hottest path of the product, so it reads only the columns the decision and the answer
need, in as few statements as possible: one for the seller's policies (one for every seller of a
batch), one more only when a seller has no policy (is it known?), and one INSERT of the record(s),
committed before the answer leaves. They run on the hot path's own connections (services/hotpath.py),
where concurrent checks on SQLite share one commit. The answer is serialized once, by joining
pre-encoded pieces (the same text `json` would give: a test compares them), and the record keeps that
exact text; the replay answers it again byte for byte.
"""

from __future__ import annotations

import functools
import json
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask, current_app, has_app_context
from sqlalchemy import bindparam, insert, select, union_all
from sqlalchemy.engine import Engine

from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.coverage import CoverageDecision, decide_coverage, in_order
from accelerator.domain.errors import DomainError, NotFound, ValidationError
from accelerator.domain.money import ZERO, format_money, parse_money
from accelerator.domain.terms import PolicyTerms
from accelerator.domain.values import normalize_seller_id, parse_date
from accelerator.extensions import db
from accelerator.models import CoverageCheck, MonthlySales, Policy, QuoteRequest, User
from accelerator.services.hotpath import KeyRow, hot_connections, key_statement
from accelerator.services.prepared import Prepared

MAX_BATCH = 500

_checks = CoverageCheck.__table__
_policies = Policy.__table__
# The columns the decision and the policy object need, and nothing else.
_POLICY_COLUMNS = (
    _policies.c.id, _policies.c.seller_id, _policies.c.policy_number, _policies.c.insurer_id,
    _policies.c.insurer_name, _policies.c.insurer_naic_code, _policies.c.insurer_rating, _policies.c.source,
    _policies.c.verification, _policies.c.effective_date, _policies.c.expiration_date,
    _policies.c.cancellation_date, _policies.c.per_occurrence_limit, _policies.c.aggregate_limit,
    _policies.c.claims_paid, _policies.c.deductible, _policies.c.occurrence_based,
    _policies.c.additional_insured, _policies.c.excluded_categories,
)
_json = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))
# The JSON string encoder the encoder above uses (the C one where there is one).
_string = json.encoder.c_encode_basestring_ascii or json.encoder.py_encode_basestring_ascii


class CheckInput:
    """One coverage question, every field checked and normalized."""

    __slots__ = ("amount", "category", "incident_date", "seller_id")

    def __init__(self, seller_id: str, incident_date: date, amount: Decimal, category: str | None):
        self.seller_id = seller_id
        self.incident_date = incident_date
        self.amount = amount
        self.category = category


def _parse_date(value: object) -> date:
    """A date as given (within the contract's range) or parsed from `YYYY-MM-DD`."""
    return parse_date(value.isoformat() if isinstance(value, date) else value)


def parse_check(seller_id: object, incident_date: object, amount: object, category: object = None) -> CheckInput:
    """Check the four inputs of a coverage check (strings, or a date and a Decimal as the API parsed
    them); one ValidationError names every wrong field."""
    errors: dict[str, str] = {}
    values: list[object] = []
    for name, raw, parse in (("seller_id", seller_id, normalize_seller_id),
                             ("incident_date", incident_date, _parse_date),
                             ("amount", amount, parse_money)):
        if raw is None:
            errors[name] = "is required"
            values.append(None)
            continue
        try:
            values.append(parse(raw))
        except ValueError as exc:
            errors[name] = str(exc)
            values.append(None)
    if category is not None and (not isinstance(category, str) or category not in CATEGORY_CODES):
        errors["category"] = "must be a category code from GET /api/v1/categories"
    if errors:
        raise ValidationError("Check the coverage question.", fields=errors)
    return CheckInput(values[0], values[1], values[2], category)


def _new_check_id(now_ns: int) -> str:
    """`chk_` + milliseconds (so the index grows at its end) + 64 random bits (so ids cannot be guessed)."""
    return f"chk_{now_ns // 1_000_000:012x}{secrets.token_hex(8)}"


class _SelectedPolicy:
    """A selected policy row with what the serializer reads of a Policy (no ORM object is built)."""

    __slots__ = (
        "_terms",
        "additional_insured",
        "aggregate_limit",
        "aggregate_remaining",
        "cancellation_date",
        "deductible",
        "effective_date",
        "excluded_categories",
        "expiration_date",
        "id",
        "insurer_id",
        "insurer_naic_code",
        "insurer_name",
        "insurer_rating",
        "occurrence_based",
        "per_occurrence_limit",
        "policy_number",
        "seller_id",
        "source",
        "verification",
    )

    def __init__(self, row: Sequence, terms: PolicyTerms):
        (self.id, self.seller_id, self.policy_number, self.insurer_id, self.insurer_name, self.insurer_naic_code,
         self.insurer_rating, self.source, self.verification, self.effective_date, self.expiration_date,
         self.cancellation_date, self.per_occurrence_limit, self.aggregate_limit, _claims_paid, self.deductible,
         self.occurrence_based, self.additional_insured, excluded) = row
        self.excluded_categories = excluded or []
        self.aggregate_remaining = terms.aggregate_remaining
        self._terms = terms

    def terms(self) -> PolicyTerms:
        """The pure-domain view of this policy."""
        return self._terms


def _terms(row: Sequence) -> PolicyTerms:
    """The domain's terms of a selected row; its key is the row id (which the record keeps)."""
    (policy_id, _seller, number, insurer_id, _name, _naic, rating, source, verification, effective, expiration,
     cancellation, per_occurrence, aggregate, claims_paid, deductible, occurrence_based, additional_insured,
     excluded) = row
    remaining = aggregate - claims_paid
    return PolicyTerms(number, insurer_id, rating, source, verification, effective, expiration, cancellation,
                       per_occurrence, aggregate, remaining if remaining > ZERO else ZERO, deductible,
                       occurrence_based, additional_insured, frozenset(excluded) if excluded else frozenset(),
                       policy_id)


_RECORD_COLUMNS = ("check_id", "checked_at", "seller_id", "incident_date", "amount", "category", "status", "route",
                   "covered_amount", "policy_id", "api_key_id", "response")
# Lists of sellers are padded (with their last ID) to one of these lengths, so a few compiled
# statements serve every batch.
_SIZES = (1, 8, 64, MAX_BATCH)
_prepared: dict[tuple[str, str, int], Prepared] = {}


def _statement(dialect, kind: str, size: int = 1) -> Prepared:
    """The hot path's statement `kind` for `size` sellers, compiled for `dialect` (once per process)."""
    key = (dialect.name, kind, size)
    found = _prepared.get(key)
    if found is not None:
        return found
    names = [f"s{i}" for i in range(size)]
    sellers = [bindparam(name, type_=_policies.c.seller_id.type) for name in names]
    if kind == "policies":
        statement = select(*_POLICY_COLUMNS).where(_policies.c.seller_id.in_(sellers) if size > 1
                                                   else _policies.c.seller_id == sellers[0])
        found = Prepared(statement, dialect, names, _POLICY_COLUMNS)
    elif kind == "known":
        statement = union_all(*(select(column).where(column.in_(sellers))
                                for column in (User.seller_id, QuoteRequest.seller_id, MonthlySales.seller_id)))
        found = Prepared(statement, dialect, names)
    elif size == 1:
        values = {name: bindparam(name, type_=_checks.c[name].type) for name in _RECORD_COLUMNS}
        found = Prepared(insert(_checks).values(values), dialect, _RECORD_COLUMNS,
                         rows=functools.partial(_statement, dialect, "record"))
    else:
        rows = [{name: bindparam(f"{name}_{i}", type_=_checks.c[name].type) for name in _RECORD_COLUMNS}
                for i in range(size)]
        found = Prepared(insert(_checks).values(rows), dialect,
                         [f"{name}_{i}" for i in range(size) for name in _RECORD_COLUMNS])
    _prepared[key] = found
    return found


def _padded(seller_ids: list[str]) -> tuple[list[str], int]:
    size = next(n for n in _SIZES if n >= len(seller_ids))
    return seller_ids + [seller_ids[-1]] * (size - len(seller_ids)), size


class _Loaded:
    """What the reads found: each seller's policies (in the decision's order), their rows, known sellers."""

    __slots__ = ("known", "policies", "rows")

    def __init__(self):
        self.policies: dict[str, list[PolicyTerms]] = {}
        self.rows: dict[int, Sequence] = {}
        self.known: set[str] = set()


def _load(dialect, cursor, seller_ids: list[str]) -> _Loaded:
    """Every policy of these sellers (one statement), and which of those without any are known (one more)."""
    loaded = _Loaded()
    values, size = _padded(seller_ids)
    policies, rows = loaded.policies, loaded.rows
    for row in _statement(dialect, "policies", size).rows(cursor, values):
        rows[row[0]] = row
        found = policies.get(row[1])
        if found is None:
            policies[row[1]] = [_terms(row)]
        else:
            found.append(_terms(row))
    for seller, terms in policies.items():
        if len(terms) > 1:
            policies[seller] = in_order(terms)  # once per seller, not once per check of a batch
    missing = [seller for seller in seller_ids if seller not in policies]
    if missing:
        values, size = _padded(missing)
        loaded.known = {row[0] for row in _statement(dialect, "known", size).rows(cursor, values)}
    return loaded


def _reason_text(reason) -> str:
    number = reason.policy_number
    return (f'{{"code":{_string(reason.code)},"policy_number":{"null" if number is None else _string(number)},'
            f'"message":{_string(reason.message)}}}')


def _answer_text(check_id: str, checked_at: str, question: CheckInput, decision: CoverageDecision,
                 policy_text: str) -> str:
    """The contract's JSON answer of one check, exactly as `_json.encode` gives the same dict."""
    category = "null" if question.category is None else _string(question.category)
    reasons = ",".join([_reason_text(r) for r in decision.reasons]) if decision.reasons else ""
    return (f'{{"check_id":{_string(check_id)},"checked_at":{_string(checked_at)},'
            f'"seller_id":{_string(question.seller_id)},"incident_date":"{question.incident_date.isoformat()}",'
            f'"amount":"{format_money(question.amount)}","category":{category},'
            f'"status":{_string(decision.status)},"covered_amount":"{format_money(decision.covered_amount)}",'
            f'"route":{_string(decision.route)},"policy":{policy_text},"reasons":[{reasons}]}}')


def _policy_text(app: Flask, row: Sequence, terms: PolicyTerms) -> str:
    """The contract's policy object as JSON text, by the API's serializer (which reads the app's config)."""
    # Imported here: the API package imports this module (the answer's policy object is the API's).
    from accelerator.api.serializers import policy_json

    if has_app_context():
        return _json.encode(policy_json(_SelectedPolicy(row, terms)))
    with app.app_context():
        return _json.encode(policy_json(_SelectedPolicy(row, terms)))


_second: tuple[int, datetime, str] = (0, datetime.fromtimestamp(0, UTC), "")


def _checked_at(now_ns: int) -> tuple[datetime, str]:
    """The check's time to the second (as the record keeps it) and its RFC 3339 text (made once a second)."""
    global _second
    seconds = now_ns // 1_000_000_000
    found = _second
    if found[0] != seconds:
        moment = datetime.fromtimestamp(seconds, UTC)
        found = _second = (seconds, moment, moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return found[1], found[2]


def run_checks(api_key_id: int | None, questions: Sequence[CheckInput], app: Flask | None = None,
               engine: Engine | None = None, *, key_prefix: str | None = None,
               accept_key: Callable[[KeyRow | None], int | None] | None = None) -> list[str] | None:
    """Decide, serialize and record every question; the JSON texts, returned once they are committed.

    `app` and `engine` default to the current app's; given both, no app context is needed (the
    fast path in api/coverage.py pushes one only to serialize a policy object). With `key_prefix`,
    the API key with that prefix is read (afresh) in the same read transaction as the policies, and
    `accept_key(row)` gives the key id to record, or None: then nothing more is read or written and
    the answer is None. It uses no session: a caller that holds a session transaction ends it first
    (on SQLite it would hold the write lock this needs).
    """
    app = app if app is not None else current_app._get_current_object()
    connections = hot_connections(engine)
    dialect = connections.engine.dialect
    guarantee = app.config["MARKETPLACE_GUARANTEE_LIMIT"]
    sellers = list(dict.fromkeys([q.seller_id for q in questions]))

    def read(cursor) -> _Loaded | None:
        nonlocal api_key_id
        if key_prefix is not None:
            rows = key_statement(dialect).rows(cursor, [key_prefix])
            api_key_id = accept_key(KeyRow(rows[0]) if rows else None)
            if api_key_id is None:
                return None
        return _load(dialect, cursor, sellers)

    def decide_and_record(conn, cursor, loaded: _Loaded | None) -> list[str] | None:
        if loaded is None:
            return None
        now_ns = time.time_ns()
        now, checked_at = _checked_at(now_ns)
        policies, known, rows = loaded.policies, loaded.known, loaded.rows
        policy_texts: dict[int, str] = {}
        texts, records = [], []
        for question in questions:
            seller = question.seller_id
            found = policies.get(seller)
            decision = decide_coverage(found or (), found is not None or seller in known, question.incident_date,
                                       question.amount, question.category, guarantee)
            chosen = decision.policy
            if chosen is None:
                policy_id, policy_text = None, "null"
            else:
                policy_id = chosen.key
                policy_text = policy_texts.get(policy_id)
                if policy_text is None:
                    policy_text = policy_texts[policy_id] = _policy_text(app, rows[policy_id], chosen)
            check_id = _new_check_id(now_ns)
            text = _answer_text(check_id, checked_at, question, decision, policy_text)
            texts.append(text)
            records.append((check_id, now, seller, question.incident_date, question.amount, question.category,
                            decision.status, decision.route, decision.covered_amount, policy_id, api_key_id, text))
        connections.insert(conn, cursor, _statement(dialect, "record"), records)
        return texts

    return connections.run(read, decide_and_record, snapshot=True)


def _end_session_transaction() -> None:
    """Commit what the request's session holds: on SQLite its transaction holds the write lock, which
    the record's write on another connection would otherwise wait for (the idempotency record, say)."""
    if db.session().in_transaction():
        db.session.commit()


def check_coverage_text(api_key_id: int | None, seller_id: object, incident_date: object, amount: object,
                        category: object = None) -> str:
    """Decide and record one check; the exact JSON text answered (and stored)."""
    question = parse_check(seller_id, incident_date, amount, category)
    _end_session_transaction()
    return run_checks(api_key_id, [question])[0]


def check_coverage(api_key_id: int | None, seller_id: object, incident_date: object, amount: object,
                   category: object = None) -> dict:
    """Decide and record one check; the contract's JSON answer as a dict."""
    return json.loads(check_coverage_text(api_key_id, seller_id, incident_date, amount, category))


def _item_error(error: DomainError) -> str:
    """A per-item error of a batch, in the contract's error form, as JSON text."""
    body: dict = {"code": error.code, "message": error.message}
    if error.fields:
        body["fields"] = dict(error.fields)
    return _json.encode({"error": body})


def check_batch_text(api_key_id: int | None, items: Sequence[CheckInput | DomainError]) -> str:
    """Decide and record 1 to 500 checks; the exact JSON text of `{"results": [...]}`.

    `items` are the parsed questions, with a DomainError in place of each item that was not a valid
    check: it is answered as `{"error": {...}}` in its place, and nothing is recorded for it.
    """
    if not 1 <= len(items) <= MAX_BATCH:
        raise ValidationError(f"Send 1 to {MAX_BATCH} checks.",
                              fields={"checks": f"must hold 1 to {MAX_BATCH} checks"})
    questions = [item for item in items if isinstance(item, CheckInput)]
    _end_session_transaction()
    texts = iter(run_checks(api_key_id, questions) if questions else [])
    parts = [next(texts) if isinstance(item, CheckInput) else _item_error(item) for item in items]
    return '{"results":[' + ",".join(parts) + "]}"


def check_batch(api_key_id: int | None, items: Sequence[CheckInput | DomainError]) -> dict:
    """Decide and record 1 to 500 checks; `{"results": [...]}` with per-item errors in place."""
    return json.loads(check_batch_text(api_key_id, items))


def get_check_text(check_id: object) -> str:
    """The exact JSON text a recorded check answered, or NotFound."""
    if not isinstance(check_id, str) or not check_id.startswith("chk_") or len(check_id) > 40:
        raise NotFound("No coverage check with this id.")
    text = db.session.execute(select(_checks.c.response).where(_checks.c.check_id == check_id)).scalar()
    if text is None:
        raise NotFound("No coverage check with this id.")
    return text


def get_check(check_id: object) -> dict:
    """The JSON answer a recorded check gave, field for field."""
    return json.loads(get_check_text(check_id))
