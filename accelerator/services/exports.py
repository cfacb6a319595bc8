"""CSV downloads: an insurer's bordereau, the admin compliance list, the coverage-check log.

Each export checks its arguments when called (ValidationError or NotFound before a byte is sent) and
returns an iterator of CSV lines (RFC 4180, CRLF-terminated), the header first; an empty set gives the
header alone. Rows are read in chunks by keyset, and the read transaction is ended between chunks, so a
download of any size holds neither all rows in memory nor a database lock while the client reads.
Iterate inside an app context; in a view:

    lines = exports.insurer_bordereau(current_user.insurer_id)
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="bordereau.csv"'})

Every cell is CSV-injection safe: text starting with = + - @ tab or carriage return gets a leading '.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import or_, select

from accelerator.domain.money import ZERO, format_money
from accelerator.extensions import db
from accelerator.models import CoverageCheck, Policy, Seller
from accelerator.services import metrics

CHUNK = 1000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

BORDEREAU_HEADER: tuple[str, ...] = (
    "policy_number", "seller_id", "legal_name", "effective_date", "expiration_date", "cancellation_date",
    "per_occurrence_limit", "aggregate_limit", "deductible", "premium", "claims_paid", "aggregate_remaining",
    "verification", "source",
)
COMPLIANCE_HEADER: tuple[str, ...] = ("seller_id", "legal_name", "status", "required_since", "deadline",
                                      "policy_number")
CHECK_LOG_HEADER: tuple[str, ...] = ("check_id", "checked_at", "seller_id", "incident_date", "amount", "category",
                                     "status", "covered_amount", "route")


def safe_cell(value: object) -> str:
    """One cell as text: money with two decimals, ISO dates, UTC timestamps with Z, "" for None;
    text a spreadsheet would run as a formula is prefixed with a single quote."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Decimal):
        text = format_money(value)
    elif isinstance(value, datetime):
        text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def csv_line(cells: Iterable[object]) -> str:
    """One CSV record (quoted where needed, CRLF-terminated) of safe cells."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([safe_cell(c) for c in cells])
    return buffer.getvalue()


def insurer_bordereau(insurer_id: object, start: object = None, end: object = None) -> Iterator[str]:
    """The insurer's policies as a CSV bordereau (BORDEREAU_HEADER), by policy number.

    With `start` and `end` (both or neither), only the policies in force on at least one day of that
    range (effective <= end and cover running past start). `claims_paid` is the running total now.
    """
    metrics.check_insurer(insurer_id)
    conditions = [Policy.insurer_id == insurer_id]
    if start is not None or end is not None:
        period = metrics.parse_range(start, end)
        conditions += [Policy.effective_date <= period.end, metrics.cover_end() > period.start]
    return _bordereau(conditions)


def _bordereau(conditions: list) -> Iterator[str]:
    """The lazy half of insurer_bordereau: the header, then the rows CHUNK by CHUNK."""
    # Keyset on policy_number, unique per insurer: the (insurer_id, policy_number) index serves each chunk.
    yield csv_line(BORDEREAU_HEADER)
    after = ""
    while True:
        rows = db.session.execute(
            select(Policy.policy_number, Policy.id, Policy.seller_id, Seller.legal_name, Policy.effective_date,
                   Policy.expiration_date, Policy.cancellation_date, Policy.per_occurrence_limit,
                   Policy.aggregate_limit, Policy.deductible, Policy.premium, Policy.claims_paid,
                   Policy.verification, Policy.source)
            .join(Seller, Seller.seller_id == Policy.seller_id)
            .where(*conditions, Policy.policy_number > after)
            .order_by(Policy.policy_number).limit(CHUNK)).all()
        metrics.end_read_transaction()
        if not rows:
            return
        for r in rows:
            yield csv_line((r.policy_number, r.seller_id, r.legal_name, r.effective_date, r.expiration_date,
                            r.cancellation_date, r.per_occurrence_limit, r.aggregate_limit, r.deductible,
                            r.premium, r.claims_paid, max(ZERO, r.aggregate_limit - r.claims_paid),
                            r.verification, r.source))
        after = rows[-1].policy_number


def compliance_list(on: object, statuses: Iterable[str] | str | None = None,
                    deadline_by: date | None = None) -> Iterator[str]:
    """Every seller's compliance on `on` (COMPLIANCE_HEADER), by seller ID; optionally only `statuses`
    (codes of metrics.STATUSES: compliant, pending_verification, due, overdue, not_required) and only
    deadlines on or before `deadline_by`."""
    standings = metrics.seller_standings(on, statuses, deadline_by)
    return _compliance_lines(standings)


def _compliance_lines(standings: Iterator[metrics.SellerStanding]) -> Iterator[str]:
    """The lazy half of compliance_list: the header, then one line per standing."""
    yield csv_line(COMPLIANCE_HEADER)
    for s in standings:
        yield csv_line((s.seller_id, s.legal_name, s.status, s.required_since, s.deadline, s.policy_number))


def coverage_check_log(start: object, end: object) -> Iterator[str]:
    """Coverage checks made on the UTC days from `start` to `end` (CHECK_LOG_HEADER), oldest first."""
    low, high = metrics.parse_range(start, end).bounds()
    return _check_lines(low, high)


def _check_lines(low: datetime, high: datetime) -> Iterator[str]:
    """The lazy half of coverage_check_log: the header, then the checks CHUNK by CHUNK."""
    yield csv_line(CHECK_LOG_HEADER)
    checks = CoverageCheck
    after_at, after_id = low, 0
    while True:
        # Keyset on (checked_at, id): the checked_at index serves every chunk, however deep the download.
        rows = db.session.execute(
            select(checks.id, checks.check_id, checks.checked_at, checks.seller_id, checks.incident_date,
                   checks.amount, checks.category, checks.status, checks.covered_amount, checks.route)
            .where(checks.checked_at >= after_at, checks.checked_at < high,
                   or_(checks.checked_at > after_at, checks.id > after_id))
            .order_by(checks.checked_at, checks.id).limit(CHUNK)).all()
        metrics.end_read_transaction()
        if not rows:
            return
        for r in rows:
            yield csv_line((r.check_id, r.checked_at, r.seller_id, r.incident_date, r.amount, r.category,
                            r.status, r.covered_amount, r.route))
        after_at, after_id = rows[-1].checked_at, rows[-1].id
