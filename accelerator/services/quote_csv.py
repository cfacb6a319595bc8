"""Bulk quotes from a CSV file: every row checked, and all of them offered in one transaction or none.

The file has a header row naming its columns (any order; the optional ones may be left out) and one
quote per row, as the portal's template shows. A row is checked as the API checks an offer: money in
plain decimal notation (a `$` and thousands commas are forgiven), dates `YYYY-MM-DD`, the rules of
`quotes.offer_errors`, and a quote request routed to this insurer that still takes quotes. When any
row is wrong, nothing is applied and `QuoteCsvRejected` lists every problem as (row, column, message),
rows numbered as a spreadsheet numbers them (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.errors import ValidationError
from accelerator.domain.money import ZERO, parse_money
from accelerator.domain.values import parse_date
from accelerator.extensions import db
from accelerator.models import Quote, QuoteRequest, QuoteRouting
from accelerator.models.types import utcnow
from accelerator.services import audit, quotes
from accelerator.services.policies import term_errors

MAX_BYTES = 512 * 1024
MAX_ROWS = 1000
MAX_CELL = 100  # every cell but notes, which may hold quotes.MAX_NOTES characters
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database; a larger number names nothing

REQUIRED = ("quote_request_id", "annual_premium", "per_occurrence_limit", "aggregate_limit", "deductible",
            "valid_until")
OPTIONAL = ("occurrence_based", "additional_insured", "excluded_categories", "notes")
COLUMNS = REQUIRED + OPTIONAL

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, order=True)
class RowError:
    """One problem in the file: its row (as a spreadsheet numbers it), column, and what is wrong."""

    row: int
    column: str
    message: str


class QuoteCsvRejected(ValidationError):
    """Some rows are wrong, so no quote of the file was offered; `row_errors` says where and why."""

    def __init__(self, row_errors: list[RowError], rows: int):
        """`rows`: how many quote rows the file holds."""
        count = len(row_errors)
        super().__init__(f"No quote was offered: {count} problem{'' if count == 1 else 's'} in the file. "
                         "Correct them and upload the whole file again.")
        self.row_errors = sorted(row_errors, key=lambda e: (e.row, _column_rank(e.column), e.message))
        self.rows = rows


@dataclass(frozen=True)
class UploadResult:
    """A file applied in full: the quotes offered, one per row."""

    quote_ids: tuple[int, ...]
    request_ids: tuple[int, ...]

    @property
    def offered(self) -> int:
        """How many quotes were offered."""
        return len(self.quote_ids)


@dataclass(frozen=True)
class _Row:
    """A row that passed every check of its own: its number, the request it quotes, the offer."""

    number: int
    request_id: int
    offer: quotes.QuoteOffer


def _column_rank(column: str) -> int:
    """Where a column comes in the template (-1 for a whole-row problem), to order the report."""
    return COLUMNS.index(column) if column in COLUMNS else -1


def _file_error(message: str) -> ValidationError:
    """A problem with the file as a whole, as the form's `file` field shows it."""
    return ValidationError(message, fields={"file": message})


# --- the template -------------------------------------------------------------------------------


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one that could start a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def template_csv(today: date) -> str:
    """The template: the header and one example row (every cell formula-safe)."""
    example = ["1234", "1850.00", "1000000.00", "2000000.00", "1000.00", (today + timedelta(days=30)).isoformat(),
               "true", "true", "baby;health", "Example row: replace it with your quotes."]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in COLUMNS])
    writer.writerow([safe_cell(c) for c in example])
    return out.getvalue()


# --- reading the file ---------------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (a byte-order mark is fine), or a ValidationError saying how to save it."""
    if len(raw) > MAX_BYTES:
        raise _file_error(f"The file is larger than {MAX_BYTES // 1024} KB. Split it into smaller files.")
    if not raw.strip():
        raise _file_error("The file is empty. Use the template: a header row, then one quote per row.")
    if raw.startswith(b"PK\x03\x04"):
        raise _file_error("This is a spreadsheet workbook, not a CSV file. In your spreadsheet choose "
                          "Save As, then \u201cCSV UTF-8 (comma delimited)\u201d, and upload that file.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_error("The file is UTF-16 text. Save it as \u201cCSV UTF-8 (comma delimited)\u201d and "
                          "upload it again.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). Save it as "
                          "\u201cCSV UTF-8 (comma delimited)\u201d and upload it again.") from exc
    if "\x00" in text:
        raise _file_error("The file holds binary data, not CSV text. Upload a CSV file made from the template.")
    return text


def _header(cells: list[str]) -> list[str]:
    """The header's column names, or a file error naming the unknown, repeated and missing ones."""
    names = [c.strip().lower().replace(" ", "_") for c in cells]
    problems = []
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        problems.append("unknown column" + ("s " if len(unknown) > 1 else " ") + ", ".join(unknown[:5]))
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        problems.append("repeated column" + ("s " if len(repeated) > 1 else " ") + ", ".join(repeated))
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        problems.append("missing column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing))
    if problems:
        raise _file_error("The header row is not right: " + "; ".join(problems) + ". The first row must name "
                          "the columns as the template does.")
    return names


def read_rows(text: str) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The header and the quote rows as (row number, {column: cell}); cells beyond the header are errors."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    number = 0
    try:
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                continue  # a blank line: skipped, but it keeps its row number as a spreadsheet shows it
            if header is None:
                header = _header(cells)
                continue
            if len(rows) >= MAX_ROWS:
                raise _file_error(f"The file has more than {MAX_ROWS:,} quote rows. Split it into smaller files.")
            extra = [c for c in cells[len(header):] if c.strip()]
            if extra:
                errors.append(RowError(number, "", f"This row has {len(cells)} cells; the header names "
                                                   f"{len(header)} columns."))
            values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}
            rows.append((number, values))
    except csv.Error as exc:
        raise _file_error(f"The file is not valid CSV near row {number + 1}: {exc}. Check its quotes (\").") from exc
    if header is None:
        raise _file_error("The file is empty. Use the template: a header row, then one quote per row.")
    if not rows:
        raise _file_error("The file has a header but no quote rows.")
    return rows, errors


# --- checking one row ---------------------------------------------------------------------------


def _money(text: str, allow_zero: bool = False):
    """An amount as a spreadsheet may write it (`$1,850.00`), parsed by the contract's money rule."""
    cleaned = text.strip().removeprefix("$").strip()
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    return parse_money(cleaned, allow_zero=allow_zero)


def _boolean(text: str, default: bool) -> bool:
    """true/false, yes/no, y/n or 1/0 in any case; empty is `default`."""
    value = text.strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("Write true or false (or yes or no).")


def _categories(text: str) -> tuple[str, ...]:
    """Category codes separated by ; (or , | or spaces), each from the list."""
    codes = [c for c in re.split(r"[;,|\s]+", text.strip().lower()) if c]
    unknown = [c for c in codes if c not in CATEGORY_CODES]
    if unknown:
        raise ValueError(f"Unknown category code{'s' if len(unknown) > 1 else ''} {', '.join(unknown[:5])}. "
                         f"Use codes from the list ({', '.join(sorted(CATEGORY_CODES))}), separated by ;.")
    return tuple(sorted(set(codes)))


def _message(exc: ValueError) -> str:
    """A parse error as a sentence: capitalised, ending with a full stop."""
    text = str(exc)
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def check_row(number: int, cells: dict[str, str], today: date) -> tuple[_Row | None, list[RowError]]:
    """One row as an offer, or its errors (each cell checked; then the rules across the cells)."""
    errors: list[RowError] = []

    def cell(name: str) -> str:
        """The row's text in column `name` (empty when the file has no such column)."""
        return cells.get(name, "") or ""

    for name in COLUMNS:
        limit = quotes.MAX_NOTES if name == "notes" else MAX_CELL
        if len(cell(name)) > limit:
            errors.append(RowError(number, name, f"Must be at most {limit:,} characters."))
        elif _CONTROL.search(cell(name)):
            errors.append(RowError(number, name, "Remove the control characters from this cell."))
    if errors:
        return None, errors

    values: dict = {}

    def parse(name: str, parser, *, required: bool = True):
        """Parse one cell into `values`, or note its error."""
        raw = cell(name).strip()
        if required and not raw:
            errors.append(RowError(number, name, "Fill in this cell."))
            return
        try:
            values[name] = parser(raw)
        except ValueError as exc:
            errors.append(RowError(number, name, _message(exc)))

    parse("quote_request_id", _request_id)
    parse("annual_premium", _money)
    parse("per_occurrence_limit", _money)
    parse("aggregate_limit", _money)
    parse("deductible", lambda t: _money(t, allow_zero=True))
    parse("valid_until", _date)
    parse("occurrence_based", lambda t: _boolean(t, True), required=False)
    parse("additional_insured", lambda t: _boolean(t, True), required=False)
    parse("excluded_categories", _categories, required=False)
    if errors:
        # The rules across the amounts that did parse are still judged, so one upload reports them all.
        failed = {e.column for e in errors}
        rules = term_errors(effective_date=None, expiration_date=None,
                            per_occurrence_limit=values.get("per_occurrence_limit"),
                            aggregate_limit=values.get("aggregate_limit"), deductible=values.get("deductible"))
        errors += [RowError(number, name, message) for name, message in rules.items() if name not in failed]
        return None, errors
    offer = quotes.QuoteOffer(
        annual_premium=values["annual_premium"], per_occurrence_limit=values["per_occurrence_limit"],
        aggregate_limit=values["aggregate_limit"], deductible=values.get("deductible", ZERO),
        valid_until=values["valid_until"], occurrence_based=values["occurrence_based"],
        additional_insured=values["additional_insured"], excluded_categories=values["excluded_categories"],
        notes=cell("notes").strip())
    rule_errors = quotes.offer_errors(offer, today)
    if rule_errors:
        return None, [RowError(number, name, message) for name, message in rule_errors.items()]
    return _Row(number=number, request_id=values["quote_request_id"], offer=offer), []


def _request_id(text: str) -> int:
    """A quote request's number (`1234` or `#1234`)."""
    digits = text.removeprefix("#").strip()
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("Must be the quote request's number, as your inbox shows it (e.g. 1234).")
    if len(digits) > 12 or int(digits) == 0:
        raise ValueError(f"No quote request #{digits[:12]} is routed to you.")
    return int(digits)


def _date(text: str) -> date:
    """A `YYYY-MM-DD` date within the contract's range."""
    try:
        return parse_date(text)
    except ValueError as exc:
        raise ValueError(f"Write the date as YYYY-MM-DD, e.g. 2026-06-30 (this one {exc}).") from exc


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


def _routing_errors(rows: list[_Row], routings: dict[int, tuple[QuoteRouting, str]]) -> list[RowError]:
    """Rows naming a request not routed to the insurer, closed, declined, or already in the file."""
    errors = []
    first_row: dict[int, int] = {}
    for row in rows:
        rid = row.request_id
        if rid in first_row:
            errors.append(RowError(row.number, "quote_request_id",
                                   f"Quote request #{rid} is already in row {first_row[rid]}: offer one quote "
                                   "per request in a file."))
            continue
        first_row[rid] = row.number
        if rid not in routings:
            errors.append(RowError(row.number, "quote_request_id", f"No quote request #{rid} is routed to you."))
            continue
        routing, request_status = routings[rid]
        if request_status == "closed" or routing.status == "closed":
            errors.append(RowError(row.number, "quote_request_id", f"Quote request #{rid} is closed."))
        elif routing.status == "declined":
            errors.append(RowError(row.number, "quote_request_id", f"You declined quote request #{rid}."))
    return errors


def upload_quotes(actor: audit.Actor, insurer_id: int, raw: bytes, today: date | None = None) -> UploadResult:
    """Offer one quote per row of a CSV file, all in one transaction; any wrong row and none is offered.

    Raises ValidationError (field `file`) when the file itself cannot be read, and QuoteCsvRejected with
    every row's problems otherwise. The routings are locked while the file is checked and applied, so a
    request closed by a purchase at the same moment is either quoted before or refused.
    """
    today = today or date.today()
    records, errors = read_rows(decode(raw))
    rows: list[_Row] = []
    for number, cells in records:
        row, row_errors = check_row(number, cells, today)
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    try:
        routings = _routings(insurer_id, sorted({r.request_id for r in rows}))
        errors.extend(_routing_errors(rows, routings))
        if errors:
            raise QuoteCsvRejected(errors, len(records))
        now = utcnow()
        created = []
        for row in rows:
            routing, _status = routings[row.request_id]
            offer = row.offer
            quote = Quote(
                quote_request_id=row.request_id, insurer_id=insurer_id, status="offered",
                annual_premium=offer.annual_premium, per_occurrence_limit=offer.per_occurrence_limit,
                aggregate_limit=offer.aggregate_limit, deductible=offer.deductible, valid_until=offer.valid_until,
                occurrence_based=offer.occurrence_based, additional_insured=offer.additional_insured,
                excluded_categories=list(offer.excluded_categories), notes=offer.notes,
            )
            db.session.add(quote)
            routing.status = "quoted"
            routing.responded_at = routing.responded_at or now
            created.append((row, quote))
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
