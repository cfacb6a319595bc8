"""What checking and applying a file give: a row's problem, the rejection, a file error, a checked row, the result."""

from __future__ import annotations

from dataclasses import dataclass

from accelerator.domain.errors import ValidationError
from accelerator.services import quotes
from accelerator.services.quote_csv.columns import column_rank


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
        self.row_errors = sorted(row_errors, key=lambda e: (e.row, column_rank(e.column), e.message))
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
class Row:
    """A row that passed every check of its own: its number, the request it quotes, the offer."""

    number: int
    request_id: int
    offer: quotes.QuoteOffer


def file_error(message: str) -> ValidationError:
    """A problem with the file as a whole, as the form's `file` field shows it."""
    return ValidationError(message, fields={"file": message})
