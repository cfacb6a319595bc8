"""The answers as JSON text: a check's, joined from pre-encoded pieces, and a batch item's error."""

from __future__ import annotations

import json
from collections.abc import Sequence

from flask import Flask

from accelerator.domain.coverage import CoverageDecision
from accelerator.domain.errors import DomainError
from accelerator.domain.money import format_money
from accelerator.domain.terms import PolicyTerms
from accelerator.services.coverage.questions import CheckInput
from accelerator.services.coverage.statements import POLICY_COLUMNS
from accelerator.shapes.policies import policy_json_written

ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))
# The JSON string encoder the encoder above uses (the C one where there is one).
_string = json.encoder.c_encode_basestring_ascii or json.encoder.py_encode_basestring_ascii
_COLUMN_NAMES = tuple(column.name for column in POLICY_COLUMNS)


class _SelectedPolicy:
    """A selected policy row with what the policy object's declaration reads of a Policy, by column name
    (no ORM object is built)."""

    def __init__(self, row: Sequence, terms: PolicyTerms):
        self.__dict__.update(zip(_COLUMN_NAMES, row, strict=True))
        self.excluded_categories = self.excluded_categories or []
        self.aggregate_remaining = terms.aggregate_remaining
        self._terms = terms

    def terms(self) -> PolicyTerms:
        """The pure-domain view of this policy."""
        return self._terms


def _reason_text(reason) -> str:
    number = reason.policy_number
    return (f'{{"code":{_string(reason.code)},"policy_number":{"null" if number is None else _string(number)},'
            f'"message":{_string(reason.message)}}}')


def answer_text(check_id: str, checked_at: str, question: CheckInput, decision: CoverageDecision,
                 policy_text: str) -> str:
    """The contract's JSON answer of one check, exactly as `ENCODER.encode` gives the same dict."""
    category = "null" if question.category is None else _string(question.category)
    reasons = ",".join([_reason_text(r) for r in decision.reasons]) if decision.reasons else ""
    return (f'{{"check_id":{_string(check_id)},"checked_at":{_string(checked_at)},'
            f'"seller_id":{_string(question.seller_id)},"incident_date":"{question.incident_date.isoformat()}",'
            f'"amount":"{format_money(question.amount)}","category":{category},'
            f'"status":{_string(decision.status)},"covered_amount":"{format_money(decision.covered_amount)}",'
            f'"route":{_string(decision.route)},"policy":{policy_text},"reasons":[{reasons}]}}')


def policy_answer_text(app: Flask, row: Sequence, terms: PolicyTerms) -> str:
    """The contract's policy object as JSON text, written by its declaration's writer (no app context needed)."""
    return ENCODER.encode(policy_json_written(_SelectedPolicy(row, terms), app.config["REQUIREMENT"]))


def item_error_text(error: DomainError) -> str:
    """A per-item error of a batch, in the contract's error form, as JSON text."""
    body: dict = {"code": error.code, "message": error.message}
    if error.fields:
        body["fields"] = dict(error.fields)
    return ENCODER.encode({"error": body})
