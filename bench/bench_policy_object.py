"""The policy object's writing, before (a hand-written dict builder) and now (its declaration), in process.

    .venv/bin/python bench/bench_policy_object.py [--rounds 7] [--n 20000]

Each round times every variant once in turn (interleaved, so load from other programs falls on all
alike); the figure is the median over the rounds, in microseconds of this process's CPU per policy object
(process_time, as the machine is shared). The variants:
- hand: the dict builder shapes/answers.py had (`policy_json` before issue 14's conversion), copied here;
- declared: accelerator.shapes.policies.policy_json (Policy.model_validate(row).model_dump(mode="json"));
- hand+json / declared+json: the same, encoded as the coverage hot path encodes it (services/coverage/answers.py).
A benchmark, not a test: it never fails on a figure.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from decimal import Decimal

from flask import current_app

from accelerator import create_app
from accelerator.domain.compliance import meets_requirement
from accelerator.domain.money import format_money
from accelerator.models import Policy
from accelerator.services.coverage.answers import ENCODER
from accelerator.shapes.policies import policy_json


def ident(value):
    """An id as the API writes it, or None."""
    return str(value) if value is not None else None


def day(value):
    """YYYY-MM-DD, or None."""
    return value.isoformat() if value is not None else None


def hand_policy_json(policy: Policy) -> dict:
    """The builder as it was (shapes/answers.py before the conversion)."""
    return {
        "policy_number": policy.policy_number,
        "insurer": {"id": ident(policy.insurer_id), "name": policy.insurer_name,
                    "naic_code": policy.insurer_naic_code, "am_best_rating": policy.insurer_rating},
        "seller_id": policy.seller_id, "source": policy.source, "verification": policy.verification,
        "effective_date": day(policy.effective_date), "expiration_date": day(policy.expiration_date),
        "cancellation_date": day(policy.cancellation_date),
        "per_occurrence_limit": format_money(policy.per_occurrence_limit),
        "aggregate_limit": format_money(policy.aggregate_limit),
        "aggregate_remaining": format_money(policy.aggregate_remaining),
        "deductible": format_money(policy.deductible), "occurrence_based": policy.occurrence_based,
        "additional_insured": policy.additional_insured, "excluded_categories": sorted(policy.excluded_categories),
        "meets_requirement": meets_requirement(policy.terms(), current_app.config["REQUIREMENT"]),
    }


def main() -> None:
    """Time the variants, interleaved, and print the medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    policy = Policy(id=7, policy_number="HX-2026-000123", seller_id="A1B2C3D4E5", insurer_id=3,
                    insurer_name="Harbor Mutual", insurer_naic_code="12345", insurer_rating="A", source="insurer",
                    verification="verified", effective_date=date(2026, 1, 1), expiration_date=date(2027, 1, 1),
                    cancellation_date=None, per_occurrence_limit=Decimal("1000000.00"),
                    aggregate_limit=Decimal("2000000.00"), claims_paid=Decimal("5000.00"),
                    deductible=Decimal("2500.00"), occurrence_based=True, additional_insured=True,
                    excluded_categories=["baby"])
    variants = {"hand": lambda: hand_policy_json(policy), "declared": lambda: policy_json(policy),
                "hand+json": lambda: ENCODER.encode(hand_policy_json(policy)),
                "declared+json": lambda: ENCODER.encode(policy_json(policy))}
    with create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).app_context():
        assert hand_policy_json(policy) == policy_json(policy)
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.rounds):
            for name, call in variants.items():
                start = time.process_time()
                for _ in range(args.n):
                    call()
                times[name].append((time.process_time() - start) / args.n * 1e6)
    for name, figures in times.items():
        print(f"{name:14s} {statistics.median(figures):7.2f} µs")


if __name__ == "__main__":
    main()
