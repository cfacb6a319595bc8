"""Checking one row: each cell parsed (money, dates, yes/no, categories), then the offer's rules."""

from __future__ import annotations

import re
from datetime import date

from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.money import ZERO, parse_money
from accelerator.domain.values import parse_date
from accelerator.services import quotes
from accelerator.services.quote_csv.columns import COLUMNS, MAX_CELL
from accelerator.services.quote_csv.outcomes import Row, RowError

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def check_row(number: int, cells: dict[str, str], today: date) -> tuple[Row | None, list[RowError]]:
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
    unreadable = {e.column for e in errors}  # the other cells are still read, so one upload reports them all

    values: dict = {}

    def parse(name: str, parser, *, required: bool = True):
        """Parse one cell into `values`, or note its error."""
        if name in unreadable:
            return
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
        rules = quotes.offer_errors(quotes.QuoteOffer(
            annual_premium=values.get("annual_premium"), per_occurrence_limit=values.get("per_occurrence_limit"),
            aggregate_limit=values.get("aggregate_limit"), deductible=values.get("deductible"),
            valid_until=values.get("valid_until"), notes="" if "notes" in failed else cell("notes").strip()), today)
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
    return Row(number=number, request_id=values["quote_request_id"], offer=offer), []


def request_id_of(cells: dict[str, str]) -> int | None:
    """The quote request a row names, or None when its cell does not name one (its own error says why)."""
    try:
        return _request_id((cells.get("quote_request_id") or "").strip()[:MAX_CELL])
    except ValueError:
        return None


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
