"""The file's columns (required, optional, in template order) and its size limits."""

from __future__ import annotations

MAX_BYTES = 512 * 1024
MAX_ROWS = 1000
MAX_CELL = 100  # every cell but notes, which may hold quotes.MAX_NOTES characters
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database; a larger number names nothing

REQUIRED = ("quote_request_id", "annual_premium", "per_occurrence_limit", "aggregate_limit", "deductible",
            "valid_until")
OPTIONAL = ("occurrence_based", "additional_insured", "excluded_categories", "notes")
COLUMNS = REQUIRED + OPTIONAL


def column_rank(column: str) -> int:
    """Where a column comes in the template (-1 for a whole-row problem), to order the report."""
    return COLUMNS.index(column) if column in COLUMNS else -1
