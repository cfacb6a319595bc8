"""pydantic v2 against msgspec for the coverage question and answer, in process (parse+validate+serialize).

    .venv/bin/python bench/bench_declarations.py [--rounds 7] [--n 20000]

Each round times every variant once in turn (interleaved, so load from other programs falls on all
alike); the figure is the median over the rounds, in microseconds per question. The variants:
- hand: what the fast path did before (the domain rules called one by one);
- pydantic: accelerator.shapes.coverage.CoverageQuery (the declaration the app now uses);
- msgspec: a Struct with the same domain rules in __post_init__ (msgspec stops at the first error).
A benchmark, not a test: it never fails on a figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date

import msgspec
from pydantic import BaseModel

from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.money import format_money, parse_money
from accelerator.domain.values import normalize_seller_id, parse_date
from accelerator.services.coverage.questions import CheckInput
from accelerator.shapes.coverage import CoverageQuery

QUERY = {"seller_id": "a1b2c3d4e5", "incident_date": "2026-06-01", "amount": "2500.00", "category": "toys"}
BAD = {"seller_id": "a1", "incident_date": "2026-02-30", "amount": "0", "category": "x"}


def hand(values: dict) -> CheckInput:
    """The rules called one by one (the old fast path)."""
    category = values.get("category")
    if category is not None and category not in CATEGORY_CODES:
        raise ValueError("category")
    return CheckInput(normalize_seller_id(values["seller_id"]), parse_date(values["incident_date"]),
                      parse_money(values["amount"]), category)


def pydantic_question(values: dict) -> CheckInput:
    """The declaration."""
    return CoverageQuery.model_validate(values).question()


class MsgspecQuery(msgspec.Struct, forbid_unknown_fields=True):
    """The same question as a msgspec Struct; the rules run after the types are checked."""

    seller_id: str
    incident_date: str
    amount: str
    category: str | None = None

    def __post_init__(self):
        self.seller_id = normalize_seller_id(self.seller_id)
        self.incident_date = parse_date(self.incident_date)
        self.amount = parse_money(self.amount)
        if self.category is not None and self.category not in CATEGORY_CODES:
            raise ValueError("must be a category code")


def msgspec_question(values: dict) -> CheckInput:
    """The msgspec Struct."""
    q = msgspec.convert(values, MsgspecQuery)
    return CheckInput(q.seller_id, q.incident_date, q.amount, q.category)


class AnswerModel(BaseModel):
    """A reduced coverage answer (no policy) for the serializers."""

    check_id: str
    seller_id: str
    incident_date: date
    amount: str
    category: str | None
    status: str
    reasons: list[dict]


class AnswerStruct(msgspec.Struct):
    """The same answer for msgspec."""

    check_id: str
    seller_id: str
    incident_date: date
    amount: str
    category: str | None
    status: str
    reasons: list[dict]


def _answer(q: CheckInput) -> dict:
    return {"check_id": "chk_0123456789ab0123456789abcdef", "seller_id": q.seller_id, "incident_date": q.incident_date,
            "amount": format_money(q.amount), "category": q.category, "status": "covered",
            "reasons": [{"code": "no_policy", "policy_number": None, "message": "No policy."}]}


_json = json.JSONEncoder(separators=(",", ":"), default=str)
_msgspec_encoder = msgspec.json.Encoder()


def hand_all(values: dict) -> bytes:
    return _json.encode(_answer(hand(values))).encode()


def pydantic_all(values: dict) -> bytes:
    return AnswerModel(**_answer(pydantic_question(values))).model_dump_json().encode()


def msgspec_all(values: dict) -> bytes:
    return _msgspec_encoder.encode(AnswerStruct(**_answer(msgspec_question(values))))


def _time(fn, values: dict, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        try:
            fn(values)
        except (ValueError, msgspec.ValidationError):
            pass
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    variants = {"hand": (hand, hand_all), "pydantic": (pydantic_question, pydantic_all),
                "msgspec": (msgspec_question, msgspec_all)}
    cases = {"parse+validate (valid)": (0, QUERY), "parse+validate (4 bad fields)": (0, BAD),
             "parse+validate+serialize (valid)": (1, QUERY)}
    figures: dict = {(c, v): [] for c in cases for v in variants}
    for _ in range(args.rounds):
        for case, (which, values) in cases.items():
            for name, fns in variants.items():
                figures[(case, name)].append(_time(fns[which], values, args.n))
    print("| case | " + " | ".join(variants) + " |")
    print("| --- | " + " | ".join("---" for _ in variants) + " |")
    for case in cases:
        cells = [f"{statistics.median(figures[(case, v)]):.2f} µs" for v in variants]
        print(f"| {case} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
