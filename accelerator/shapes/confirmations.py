"""Insurers' confirmations of uploaded policies, declared once: the list's query, the path, the answer's body and
the confirmation object (the `confirmation.requested` webhook event carries the same dump).

This module imports no Flask and no models (the client reads answers through it).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from accelerator.shapes.policies import Policy
from accelerator.shapes.values import IdOut, Paging, RecordId, TimestampOut, given_when, one_of, text, text_schema

STATUSES = ("pending", "confirmed", "denied", "withdrawn")
ANSWERS = ("confirmed", "denied")
MAX_NOTE = 2000

StatusFilter = one_of(*STATUSES)
AnswerValue = one_of(*ANSWERS)
Note = text(MAX_NOTE, min_length=0, description="Why (required to deny: the seller reads it as the reason).")


class ConfirmationQuery(Paging):
    """GET /api/v1/confirmations's query."""

    status: StatusFilter | None = Field(default=None, description="Only this status.")


class ConfirmationPath(BaseModel):
    """A confirmation named in a path; one that cannot exist is a 404, as another insurer's."""

    model_config = ConfigDict(extra="forbid")

    confirmation_id: RecordId


class ConfirmationAnswer(BaseModel):
    """POST /api/v1/confirmations/{id}'s body."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "description": "`denied` needs a note (1 to 2,000 characters): it is the reason the seller reads.",
        **given_when("answer", "denied", {"note": text_schema(MAX_NOTE)})})

    answer: AnswerValue
    note: Note | None = None


# --- the answer -----------------------------------------------------------------------------------


class Confirmation(BaseModel):
    """An uploaded policy put to its insurer, and the insurer's answer."""

    model_config = ConfigDict(extra="forbid")

    id: IdOut
    status: Literal[STATUSES] = Field(description=(
        "`pending` until the insurer answers; `confirmed` (the policy is verified) or `denied` (it is rejected "
        "with the note as the reason); `withdrawn` when the marketplace verified or rejected the policy first."))
    requested_at: TimestampOut
    answered_at: TimestampOut | None = Field(description="When it was answered or withdrawn; else null.")
    note: str | None = Field(description="The insurer's note with its answer; else null.")
    policy: Policy

    @classmethod
    def of(cls, row: Any) -> Confirmation:
        """The answer for a confirmation row (its policy through the relationship)."""
        return cls(id=row.id, status=row.status, requested_at=row.requested_at, answered_at=row.answered_at,
                   note=row.note, policy=Policy.model_validate(row.policy))


class ConfirmationPage(BaseModel):
    """A page of confirmations: pending ones oldest first, then the answered ones, latest answer first."""

    model_config = ConfigDict(extra="forbid")

    items: list[Confirmation]
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=200)
    total: int = Field(ge=0)


def confirmation_json(row: Any) -> dict:
    """The confirmation object of a row, as its declaration dumps it."""
    return Confirmation.of(row).model_dump(mode="json")
