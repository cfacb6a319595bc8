"""Applying the file: the routings locked and checked, then every row offered in one transaction or none.

The file has a header row naming its columns (any order; the optional ones may be left out) and one
quote per row, as the portal's template shows. A row is checked as the API checks an offer: money in
plain decimal notation (a `$` and thousands commas are forgiven), dates `YYYY-MM-DD`, the rules of
`quotes.offer_errors`, and a quote request routed to this insurer that still takes quotes. When any
row is wrong, nothing is applied and `QuoteCsvRejected` lists every problem as (row, column, message),
rows numbered as a spreadsheet numbers them (the header is row 1).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from accelerator import clock
from accelerator.extensions import db
from accelerator.models import QuoteRequest, QuoteRouting
from accelerator.services import audit, quotes
from accelerator.services.quote_csv.columns import MAX_ID
from accelerator.services.quote_csv.outcomes import QuoteCsvRejected, Row, RowError, UploadResult
from accelerator.services.quote_csv.reading import decode, read_rows
from accelerator.services.quote_csv.rows import check_row, request_id_of

# --- applying the file --------------------------------------------------------------------------


def _routings(insurer_id: int, request_ids: list[int]) -> dict[int, tuple[QuoteRouting, str]]:
    """The insurer's routings of these requests (locked until commit), with each request's status."""
    found: dict[int, tuple[QuoteRouting, str]] = {}
    wanted = [i for i in request_ids if i <= MAX_ID]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        rows = db.session.execute(
            select(QuoteRouting, QuoteRequest.status)
            .join(QuoteRequest, QuoteRouting.quote_request_id == QuoteRequest.id)
            .where(QuoteRouting.insurer_id == insurer_id, QuoteRouting.quote_request_id.in_(chunk))
            .with_for_update(of=QuoteRouting)
        ).all()
        for routing, request_status in rows:
            found[routing.quote_request_id] = (routing, request_status)
    return found


def _routing_errors(named: list[tuple[int, int]], routings: dict[int, tuple[QuoteRouting, str]]) -> list[RowError]:
    """Rows (number, request id) naming a request not routed to the insurer, closed, declined, or already
    in the file."""
    errors = []
    first_row: dict[int, int] = {}
    for number, rid in named:
        if rid in first_row:
            errors.append(RowError(number, "quote_request_id",
                                   f"Quote request #{rid} is already in row {first_row[rid]}: offer one quote "
                                   "per request in a file."))
            continue
        first_row[rid] = number
        if rid not in routings:
            errors.append(RowError(number, "quote_request_id", f"No quote request #{rid} is routed to you."))
            continue
        routing, request_status = routings[rid]
        if request_status == "closed" or routing.status == "closed":
            errors.append(RowError(number, "quote_request_id", f"Quote request #{rid} is closed."))
        elif routing.status == "declined":
            errors.append(RowError(number, "quote_request_id", f"You declined quote request #{rid}."))
    return errors


def upload_quotes(actor: audit.Actor, insurer_id: int, raw: bytes, today: date | None = None) -> UploadResult:
    """Offer one quote per row of a CSV file, all in one transaction; any wrong row and none is offered.

    Raises ValidationError (field `file`) when the file itself cannot be read, and QuoteCsvRejected with
    every row's problems otherwise. The routings are locked while the file is checked and applied, so a
    request closed by a purchase at the same moment is either quoted before or refused.
    """
    today = today or clock.today()
    records, errors = read_rows(decode(raw))
    rows: list[Row] = []
    named: list[tuple[int, int]] = []  # every row's request, also of rows wrong otherwise: one report says all
    for number, cells in records:
        row, row_errors = check_row(number, cells, today)
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
        rid = row.request_id if row is not None else request_id_of(cells)
        if rid is not None and not any(e.column == "quote_request_id" for e in row_errors):
            named.append((number, rid))
    try:
        routings = _routings(insurer_id, sorted({rid for _number, rid in named}))
        errors.extend(_routing_errors(named, routings))
        if errors:
            raise QuoteCsvRejected(errors, len(records))
        now = clock.now()
        created = []
        for row in rows:
            routing, _status = routings[row.request_id]
            created.append((row, quotes.add_offered_quote(routing, row.offer, now)))
        db.session.flush()
        for row, quote in created:
            audit.record(actor, "offer", "quote", quote.id, quote_request=row.request_id,
                         annual_premium=row.offer.annual_premium, via="csv upload", row=row.number)
        audit.record(actor, "upload", "quote_csv", insurer_id, quotes=len(created))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return UploadResult(quote_ids=tuple(q.id for _r, q in created),
                        request_ids=tuple(r.request_id for r, _q in created))
