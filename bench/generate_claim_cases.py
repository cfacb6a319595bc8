"""Load N claim cases with their history in bulk into a database the data generator has filled, for the benchmarks.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/generate_data.py --policies 1000000
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/generate_claim_cases.py --cases 100000

Every case stands on a real coverage check: the checks are decided and recorded by the coverage
service itself (in batches of 500, under the marketplace key the data generator made), so each case's
route, insurer and chosen policy are the check's. The cases were opened over the two years before now,
and each has lived its life by the pure rules (domain/claim_cases.py): accepted, denied, disputed,
stepped in, paid, recovered, closed, or left unanswered until its deadline escalated it. Only the recent
ones still wait for an answer, so no deadline has passed when the benchmark starts. Written as the
data generator writes (executemany on SQLite, COPY on PostgreSQL); the audit log, webhook events and
mails an opening would also write are not made.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_data import Loader  # noqa: E402

from accelerator.domain import claim_cases as rules  # noqa: E402
from accelerator.domain.errors import Conflict  # noqa: E402

CASE_COLUMNS = ("id", "case_id", "request_hash", "seller_id", "kind", "incident_date", "amount_claimed", "category",
                "order_id", "description", "opened_at", "check_id", "policy_id", "route", "insurer_id", "state",
                "escalation", "respond_by", "accepted_by", "stepped_in", "owed_by", "outcome", "payment_payer",
                "payment_amount", "paid_at", "recovery_from", "recovery_due", "recovery_recovered", "updated_at")
EVENT_COLUMNS = ("id", "claim_case_id", "at", "event", "by", "note")
AMOUNTS = [Decimal(a) for a in ("180.00", "450.00", "999.99", "1250.00", "3800.00", "12500.00", "60000.00")]
CATEGORIES = [None, None, None, "toys", "baby", "electronics", "home"]
DESCRIPTIONS = ["The kettle's base melted and burned the counter.", "A toy's small part was swallowed; A&E visit.",
                "The charger overheated and scorched a rug.", "A shelf bracket failed and the shelf fell on a foot."]
HISTORY_DAYS = 730
BATCH = 500


def _paths(rng: random.Random, route: str) -> list[tuple]:
    """The answers a case on `route` receives in turn, as (answer, *arguments); the life is drawn at random."""
    roll = rng.random()
    if route == "marketplace":
        return [("pay", "marketplace")] if roll < 0.92 else [("close", "withdrawn")]
    party = "insurer" if route == "insurer" else "seller"
    if route == "review":
        return [("step_in",), ("pay", "marketplace")] if roll < 0.6 else [("close", "invalid")]
    if roll < 0.70:
        return [("accept", party), ("pay", party)]
    if roll < 0.80:
        return [("deny", party), ("step_in",), ("pay", "marketplace"), ("recover",)]
    if roll < 0.88:
        return [("wait",), ("step_in",), ("pay", "marketplace"), ("recover",)]
    if roll < 0.95:
        return [("accept", party), ("wait",), ("step_in",), ("pay", "marketplace")]
    return [("close", "withdrawn")]


def live(rng: random.Random, case, opened: datetime, amount: Decimal, now: datetime, days: int):
    """The case and its history entries after the answers of its drawn life that came before `now`."""
    entries: list = []
    at = opened
    for step in _paths(rng, case.route):
        answer = step[0]
        at = at + timedelta(days=days + 1) if answer == "wait" else at + timedelta(hours=rng.randint(2, 24 * days))
        if at >= now:
            break
        try:
            if answer == "wait":
                case, added = rules.effective(case, at)
            elif answer == "accept":
                case, added = rules.accept(case, step[1], at, days)
            elif answer == "deny":
                case, added = rules.deny(case, step[1], "Not covered: the product was modified.", at)
            elif answer == "step_in":
                case, added = rules.step_in(case, None, at)
            elif answer == "pay":
                case, added = rules.pay(case, step[1], amount, at)
            elif answer == "recover":
                if case.recovery is None:
                    break
                case, added = rules.recover(case, case.recovery.due, at)
            else:
                case, added = rules.close(case, step[1], None, at)
        except Conflict:  # the drawn answer does not fit the case's state (an escalation came first): it ends
            break
        entries.extend(added)
    case, added = rules.effective(case, now)
    entries.extend(added)
    return case, entries


def generate(url: str, cases: int, seed: int, out: Path) -> dict:
    """Record the checks, then load the cases and their history; returns counts."""
    os.environ["DATABASE_URL"] = url
    from accelerator import clock, create_app
    from accelerator.services.claim_cases import CaseInput
    from accelerator.services.coverage.checks import run_checks
    from accelerator.services.coverage.questions import CheckInput

    rng = random.Random(seed)
    sellers = (out / "sellers.txt").read_text().split()
    app = create_app()
    days = app.config["CLAIM_RESPONSE_DAYS"]
    now = clock.now()
    start = now - timedelta(days=HISTORY_DAYS)
    opened = sorted(start + timedelta(seconds=rng.uniform(0, HISTORY_DAYS * 86400 - 60)) for _ in range(cases))
    inputs = []
    for n, moment in enumerate(opened, 1):
        incident = (moment - timedelta(days=rng.randint(1, 60))).date()
        inputs.append(CaseInput(case_id=f"bench-case-{seed}-{n:07d}", seller_id=rng.choice(sellers),
                                kind=rng.choice(rules.KINDS), incident_date=incident,
                                amount_claimed=rng.choice(AMOUNTS),
                                category=rng.choice(CATEGORIES), order_id=f"ORD-{rng.randrange(10**9):09d}",
                                description=rng.choice(DESCRIPTIONS), respond_by=None))
    loader = Loader(url)
    prefix = (out / "marketplace.key").read_text().strip()[:12]
    key_id = int(loader.scalar(f"SELECT id FROM api_keys WHERE prefix = '{prefix}'"))
    with app.app_context():
        checks = []
        for i in range(0, cases, BATCH):
            questions = [CheckInput(c.seller_id, c.incident_date, c.amount_claimed, c.category)
                         for c in inputs[i:i + BATCH]]
            checks.extend(json.loads(text) for text in run_checks(key_id, questions))
    # The chosen policy's id is in the check's record, not in its answer.
    cur = loader.raw.cursor()
    cur.execute(f"SELECT check_id, policy_id FROM coverage_checks WHERE api_key_id = {key_id}")
    policy_of = dict(cur.fetchall())
    cur.close()
    first_case = int(loader.scalar("SELECT COALESCE(MAX(id), 0) FROM claim_cases")) + 1
    first_event = int(loader.scalar("SELECT COALESCE(MAX(id), 0) FROM claim_case_events")) + 1
    events: list[tuple] = []

    def rows():
        for n, (request, moment, check) in enumerate(zip(inputs, opened, checks, strict=True)):
            policy = check["policy"]
            insurer = policy["insurer"] if policy else None
            insurer_id = int(insurer["id"]) if insurer and insurer.get("id") is not None else None
            case, entries = rules.open_case(check["route"], insurer_id, moment, None, days)
            case, later = live(rng, case, moment, request.amount_claimed, now, days)
            entries = [*entries, *later]
            case_row_id = first_case + n
            for entry in entries:
                events.append((first_event + len(events), case_row_id, entry.at, entry.event, entry.by, entry.note))
            payment, recovery = case.payment, case.recovery
            yield (case_row_id, request.case_id, request.digest(), request.seller_id, request.kind,
                   request.incident_date, request.amount_claimed, request.category, request.order_id,
                   request.description, moment, check["check_id"], policy_of[check["check_id"]], case.route,
                   case.insurer_id, case.state, case.escalation, case.respond_by, case.accepted_by, case.stepped_in,
                   case.owed_by, case.outcome, payment.payer if payment else None,
                   payment.amount if payment else None, payment.paid_at if payment else None,
                   recovery.owed_by if recovery else None, recovery.due if recovery else None,
                   recovery.recovered if recovery else None, entries[-1].at)

    written = loader.write("claim_cases", CASE_COLUMNS, rows())
    loader.write("claim_case_events", EVENT_COLUMNS, events)
    cur = loader.raw.cursor()
    cur.execute("SELECT state, COUNT(*) FROM claim_cases GROUP BY state")
    states = dict(cur.fetchall())
    cur.close()
    loader.finish(tables=("claim_cases", "claim_case_events"))
    return {"cases": written, "events": len(events), "states": states}


def main() -> None:
    """Parse arguments, load, print what was made."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="the target database (default: $DATABASE_URL)")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out",
                        help="where the data generator wrote sellers.txt and marketplace.key")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    url = args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    print(json.dumps(generate(url, args.cases, args.seed, args.out)))


if __name__ == "__main__":
    main()
