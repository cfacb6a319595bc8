"""Load a realistic database of N sellers and their policies in bulk, for the benchmarks.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/flask --app wsgi db upgrade
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/generate_data.py --policies 1000000

The schema must exist (`flask db upgrade`) and hold no benchmark data yet. Each seller has one to
seven policies: a run of yearly renewals (the older ones expired), now and then a cancelled one, an
uploaded policy that is pending or rejected, excluded categories, and claims paid that drew some
aggregates down (a few to zero). A third of the sellers without a policy are known (an account's
worth: a sales record); the rest are unknown. SQLite is loaded with executemany in large
transactions, PostgreSQL with COPY. Prints the seller IDs file and a marketplace API key file for
the benchmark (bench/out/ by default).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CATEGORIES = ["apparel", "automotive", "baby", "beauty", "books", "electronics", "grocery", "health", "home",
              "industrial", "outdoors", "pet", "tools", "toys"]
RATINGS = ["A++", "A+", "A", "A", "A-", "A-", "B++", "B+"]
STATES = ["CA", "NY", "TX", "WA", "FL", "IL", "PA", "OH", "GA", "NC"]
LIMITS = [(Decimal("500000.00"), Decimal("1000000.00")), (Decimal("1000000.00"), Decimal("1000000.00")),
          (Decimal("1000000.00"), Decimal("2000000.00")), (Decimal("2000000.00"), Decimal("4000000.00")),
          (Decimal("25000.00"), Decimal("50000.00"))]
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
BATCH = 50_000

POLICY_COLUMNS = ("id", "policy_number", "seller_id", "insurer_id", "insurer_name", "insurer_naic_code",
                  "insurer_rating", "source", "verification", "effective_date", "expiration_date",
                  "cancellation_date", "per_occurrence_limit", "aggregate_limit", "deductible", "claims_paid",
                  "occurrence_based", "additional_insured", "excluded_categories", "premium", "created_at",
                  "updated_at")
# How each column is written: money (cents on SQLite), date, timestamp, bool, JSON list, or as is.
KINDS = {"per_occurrence_limit": "money", "aggregate_limit": "money", "deductible": "money", "claims_paid": "money",
         "premium": "money", "amount_paid": "money", "aggregate_remaining": "money", "gross_proceeds": "money",
         "effective_date": "date", "expiration_date": "date", "cancellation_date": "date", "incident_date": "date",
         "month": "date", "created_at": "ts", "updated_at": "ts", "occurrence_based": "bool",
         "additional_insured": "bool", "excluded_categories": "json", "categories": "json",
         "licensed_states": "json",
         # claim cases and their history (generate_claim_cases.py)
         "amount_claimed": "money", "payment_amount": "money", "recovery_due": "money", "recovery_recovered": "money",
         "opened_at": "ts", "respond_by": "ts", "paid_at": "ts", "at": "ts", "stepped_in": "bool"}


def seller_id_of(n: int) -> str:
    """The n-th benchmark seller's ID (10 characters of A-Z0-9)."""
    return f"BS{n:08d}"


class Loader:
    """Writes rows into one table per call, in the database's own bulk way."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine

        self.engine = create_engine(url)
        self.sqlite = self.engine.dialect.name == "sqlite"
        self.raw = self.engine.raw_connection()
        if self.sqlite:
            cur = self.raw.cursor()
            # A bulk load we would redo on failure: no fsync until the end.
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-262144")
            cur.close()

    def _value(self, column: str, value):
        if value is None:
            return None
        kind = KINDS.get(column)
        if kind == "json":
            return json.dumps(sorted(value))
        if not self.sqlite:
            return value
        if kind == "money":
            return int(value * 100)
        if kind == "date":
            return value.isoformat()
        if kind == "ts":
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        if kind == "bool":
            return int(value)
        return value

    def write(self, table: str, columns: tuple[str, ...], rows) -> int:
        """Insert `rows` (tuples in `columns` order); returns how many."""
        count = 0
        chunk: list[tuple] = []
        for row in rows:
            chunk.append(tuple(self._value(c, v) for c, v in zip(columns, row, strict=True)))
            if len(chunk) >= BATCH:
                count += self._flush(table, columns, chunk)
                chunk = []
        if chunk:
            count += self._flush(table, columns, chunk)
        return count

    def _flush(self, table: str, columns: tuple[str, ...], chunk: list[tuple]) -> int:
        cur = self.raw.cursor()
        names = ", ".join(columns)
        if self.sqlite:
            cur.execute("BEGIN")
            cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", chunk)
            cur.execute("COMMIT")
        else:
            with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row(row)
            self.raw.commit()
        cur.close()
        return len(chunk)

    def scalar(self, sql: str):
        cur = self.raw.cursor()
        cur.execute(sql)
        value = cur.fetchone()[0]
        cur.close()
        if not self.sqlite:
            self.raw.commit()
        return value

    def finish(self, tables: tuple[str, ...] = ("insurers", "sellers", "policies", "claims", "monthly_sales")) -> None:
        """Fix PostgreSQL's id sequences of `tables` after explicit ids; let the planners see the new tables."""
        cur = self.raw.cursor()
        if self.sqlite:
            cur.execute("ANALYZE")
        else:
            for table in tables:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table}), 1))")
            cur.execute("ANALYZE")
            self.raw.commit()
        cur.close()
        self.raw.close()


def make_insurers(count: int) -> list[dict]:
    """`count` approved insurers with distinct names, NAIC codes and policy prefixes."""
    return [{"id": i, "name": f"Bench Mutual {i}", "naic_code": f"{70000 + i:05d}", "rating": RATINGS[i % len(RATINGS)],
             "prefix": f"B{i:03d}"} for i in range(1, count + 1)]


def policies_for(rng: random.Random, seller: str, count: int, insurers: list[dict], next_id, numbers: dict):
    """One seller's policies: yearly renewals ending around now, with the odd cancellation and upload."""
    start = TODAY - timedelta(days=365 * (count - 1) + rng.randrange(0, 300))
    insurer = rng.choice(insurers)
    per_occurrence, aggregate = rng.choice(LIMITS)
    for k in range(count):
        effective = start + timedelta(days=365 * k)
        expiration = effective + timedelta(days=365)
        upload = rng.random() < 0.06
        cancellation = None
        if rng.random() < 0.05:
            cancellation = effective + timedelta(days=rng.randrange(1, 364))
        if rng.random() < 0.15:
            insurer = rng.choice(insurers)
        excluded = rng.sample(CATEGORIES, rng.choice((0, 0, 0, 1, 2)))
        claims_paid = Decimal("0.00")
        roll = rng.random()
        if roll < 0.02:
            claims_paid = aggregate  # exhausted
        elif roll < 0.15:
            claims_paid = Decimal(rng.randrange(100, 2_000_000)) / 100
        if upload:
            number = f"UP-{next_id():09d}"
            owner = (None, "Outside Casualty Co", "99001", "A")
            verification = rng.choice(("pending", "pending", "rejected", "verified"))
            source = "seller_upload"
        else:
            numbers[insurer["id"]] = numbers.get(insurer["id"], 0) + 1
            number = f"{insurer['prefix']}-{numbers[insurer['id']]:09d}"
            owner = (insurer["id"], insurer["name"], insurer["naic_code"], insurer["rating"])
            verification = "verified"
            source = "insurer" if rng.random() < 0.6 else "marketplace"
        deductible = rng.choice((Decimal("0.00"), Decimal("1000.00"), Decimal("2500.00"), Decimal("10000.00")))
        yield {
            "policy_number": number, "seller_id": seller, "insurer_id": owner[0], "insurer_name": owner[1],
            "insurer_naic_code": owner[2], "insurer_rating": owner[3], "source": source,
            "verification": verification, "effective_date": effective, "expiration_date": expiration,
            "cancellation_date": cancellation, "per_occurrence_limit": per_occurrence, "aggregate_limit": aggregate,
            "deductible": deductible, "claims_paid": claims_paid, "occurrence_based": rng.random() < 0.9,
            "additional_insured": rng.random() < 0.85, "excluded_categories": excluded,
            "premium": Decimal(rng.randrange(50_000, 900_000)) / 100,
        }


def generate(url: str, policies: int, per_seller: float, insurer_count: int, seed: int, out: Path) -> dict:
    """Load the data; returns counts and timings."""
    rng = random.Random(seed)
    loader = Loader(url)
    if loader.scalar("SELECT COUNT(*) FROM policies"):
        raise SystemExit("The database already holds policies: start from an empty one (flask db upgrade).")
    started = time.monotonic()
    insurers = make_insurers(insurer_count)
    loader.write("insurers", ("id", "name", "naic_code", "am_best_rating", "status", "policy_prefix",
                              "licensed_states", "categories", "contact_name", "contact_email", "contact_phone",
                              "website", "description", "created_at", "updated_at"),
                 ((i["id"], i["name"], i["naic_code"], i["rating"], "approved", i["prefix"], STATES, CATEGORIES,
                   "", "", "", "", "A benchmark insurer.", NOW, NOW) for i in insurers))
    # Policies per seller: 1..7 around the mean; sellers are added until the policy count is reached.
    counts: list[int] = []
    total = 0
    while total < policies:
        n = max(1, min(7, round(rng.gauss(per_seller, 1.3))))
        n = min(n, policies - total)
        counts.append(n)
        total += n
    with_policies = len(counts)
    without = max(1, with_policies // 10)  # sellers with no policy: a third known, the rest unknown
    seller_ids = [seller_id_of(i) for i in range(1, with_policies + without + 1)]
    loader.write("sellers", ("id", "seller_id", "legal_name", "contact_name", "contact_email", "contact_phone",
                             "state", "categories", "created_at"),
                 ((i + 1, s, f"Seller {s} LLC", "", "", "", rng.choice(STATES), ["toys"], NOW)
                  for i, s in enumerate(seller_ids)))
    policy_id = iter(range(1, policies + 1))
    upload_seq = iter(range(1, 10**9))
    numbers: dict[int, int] = {}
    claims: list[tuple] = []

    def rows():
        for seller, count in zip(seller_ids, counts, strict=False):
            for p in policies_for(rng, seller, count, insurers, lambda: next(upload_seq), numbers):
                pid = next(policy_id)
                if p["claims_paid"] > 0:
                    remaining = max(Decimal("0.00"), p["aggregate_limit"] - p["claims_paid"])
                    incident = p["effective_date"] + timedelta(days=rng.randrange(0, 300))
                    claims.append((len(claims) + 1, f"bench-claim-{pid}", pid, seller, incident,
                                   p["claims_paid"], remaining, "0" * 64, None, NOW))
                yield (pid, *(p[c] for c in POLICY_COLUMNS[1:20]), NOW, NOW)

    written = loader.write("policies", POLICY_COLUMNS, rows())
    loader.write("claims", ("id", "claim_id", "policy_id", "seller_id", "incident_date", "amount_paid",
                            "aggregate_remaining", "request_hash", "insurer_id_sent", "created_at"), claims)
    known = seller_ids[with_policies:with_policies + without // 3]
    sales_rows = []
    for s in known + seller_ids[: with_policies // 5]:
        for m in range(1, 4):
            proceeds = Decimal(rng.randrange(0, 2_500_000)) / 100
            sales_rows.append((len(sales_rows) + 1, s, date(2026, m, 1), proceeds, NOW))
    loader.write("monthly_sales", ("id", "seller_id", "month", "gross_proceeds", "updated_at"), sales_rows)
    loader.finish()
    elapsed = time.monotonic() - started
    out.mkdir(parents=True, exist_ok=True)
    (out / "sellers.txt").write_text("\n".join(seller_ids) + "\n")
    return {"policies": written, "sellers": len(seller_ids), "sellers_with_policies": with_policies,
            "claims": len(claims), "sales": len(sales_rows), "seconds": round(elapsed, 1)}


def make_marketplace_key(url: str, out: Path) -> str:
    """A marketplace API key through the real service (as `flask api-keys create` makes one)."""
    os.environ["DATABASE_URL"] = url
    from accelerator import create_app
    from accelerator.services import api_keys
    from accelerator.services.audit import Actor

    app = create_app()
    with app.app_context():
        _key, raw = api_keys.create_key(Actor.cli(), "marketplace", "benchmark")
    (out / "marketplace.key").write_text(raw + "\n")
    return raw


def main() -> None:
    """Parse arguments, load, print what was made."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="the target database (default: $DATABASE_URL)")
    parser.add_argument("--policies", type=int, default=1_000_000)
    parser.add_argument("--per-seller", type=float, default=4.0, help="mean policies per seller (1 to 7)")
    parser.add_argument("--insurers", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out",
                        help="where sellers.txt and marketplace.key are written")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    url = args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    stats = generate(url, args.policies, args.per_seller, args.insurers, args.seed, args.out)
    make_marketplace_key(url, args.out)
    print(json.dumps(stats))
    print(f"seller IDs: {args.out / 'sellers.txt'}; marketplace key: {args.out / 'marketplace.key'}")


if __name__ == "__main__":
    main()
