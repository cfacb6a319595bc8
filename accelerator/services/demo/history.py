"""The demo's history: eight weeks of coverage checks and the claims paid on a policy."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from accelerator.extensions import db
from accelerator.models import ApiKey, CoverageCheck, Policy, Seller
from accelerator.services import audit, claims, coverage
from accelerator.services.demo.helpers import D

CHECK_HISTORY_DAYS = 56


def load_check_history(today: date) -> None:
    """Eight weeks of coverage checks, as the claims service would have made them, for the dashboards.

    Each is decided and recorded by the real coverage service (after the demo's transaction, since the
    service writes on connections of its own), then dated back across the weeks: the record's
    checked_at and the same field in its stored answer alike, so a replay still matches the record.
    """
    rng = random.Random(20261123)  # the same history on every machine
    key_id = db.session.execute(select(ApiKey.id).where(ApiKey.role == "marketplace")).scalar_one()
    sellers = [*db.session.execute(select(Seller.seller_id).order_by(Seller.seller_id)).scalars(), "ZZ0UNKNOWN77"]
    db.session.commit()
    amounts = ["85.00", "240.00", "610.00", "975.00", "1000.00", "1850.00", "4200.00", "12500.00", "48000.00"]
    questions = [
        coverage.parse_check(rng.choice(sellers), (today - timedelta(days=rng.randint(1, 150))).isoformat(),
                             rng.choice(amounts), rng.choice([None, None, "toys", "electronics", "apparel", "pet"]))
        for _ in range(240)
    ]
    answers = json.loads(coverage.check_batch_text(key_id, questions))["results"]
    for number, answer in enumerate(answers):
        moment = datetime.combine(today - timedelta(days=number % CHECK_HISTORY_DAYS),
                                  time(8 + number % 10, (7 * number) % 60), UTC)
        check = db.session.execute(
            select(CoverageCheck).where(CoverageCheck.check_id == answer["check_id"])).scalar_one()
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        check.response = check.response.replace(f'"checked_at":"{answer["checked_at"]}"', f'"checked_at":"{stamp}"', 1)
        check.checked_at = moment
    db.session.commit()


def load_claims(actor: audit.Actor, policy: Policy, today: date) -> None:
    """Claims the marketplace's claims service paid on a policy, through the claims service."""
    for number, (days_ago, amount) in enumerate([(150, "4250.00"), (90, "12800.00"), (30, "25700.00")], 1):
        incident = today - timedelta(days=days_ago)
        claims.record_claim(actor, claims.ClaimInput(
            claim_id=f"CLM-{incident.year}-{70310 + 17 * number}", seller_id=policy.seller_id,
            policy_number=policy.policy_number, insurer_id=None, incident_date=incident, amount_paid=D(amount)))
