"""Pure arithmetic of the claim-case figures: medians, each party's waits for an answer, escalation reasons.

The figures' definitions live here, so the page that states them and the numbers agree:
- insurer: from the case's latest `opened` or `rechecked` entry to the insurer's `accepted` or `denied`;
- seller: from the latest `opened` or `rechecked` entry to the seller's `accepted`, `disputed` or `denied`
  (the seller answers for an insurer that is not on the Accelerator);
- marketplace: from the latest escalation (`escalated`, `denied`, `disputed`) to its `stepped_in` or `closed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

ANSWER_PARTIES = ("insurer", "seller", "marketplace")
_WAIT_STARTS = {"insurer": ("opened", "rechecked"), "seller": ("opened", "rechecked"),
                "marketplace": ("escalated", "denied", "disputed")}
_ANSWERS = {"insurer": ("accepted", "denied"), "seller": ("accepted", "disputed", "denied"),
            "marketplace": ("stepped_in", "closed")}
_REASON_OF_EVENT = {"denied": "insurer_denied", "disputed": "seller_disputed"}


@dataclass(frozen=True)
class CaseEntry:
    """One history line of a case, as the figures read it."""

    case: int
    at: datetime
    event: str
    by: str
    note: str | None = None


def median(values: Sequence[float]) -> float | None:
    """The median (the mean of the two middle values of an even count); None for no value."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    middle = n // 2
    return float(ordered[middle]) if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def answer_waits(entries: Iterable[CaseEntry]) -> dict[str, list[float]]:
    """Seconds each party took to answer, one value per answer, from entries ordered by case then time."""
    waits: dict[str, list[float]] = {party: [] for party in ANSWER_PARTIES}
    started: dict[tuple[int, str], datetime] = {}
    for entry in entries:
        for party in ANSWER_PARTIES:
            if entry.event in _WAIT_STARTS[party]:
                started[(entry.case, party)] = entry.at
        # An answer is the party's own entry (a denial by the system never happens; the marketplace's by itself).
        if entry.by in _ANSWERS and entry.event in _ANSWERS[entry.by]:
            since = started.pop((entry.case, entry.by), None)
            if since is not None:
                waits[entry.by].append(max(0.0, (entry.at - since).total_seconds()))
    return waits


def escalation_reason(event: str, note: str | None) -> str | None:
    """The escalation an entry records (the `escalated` entry notes it), or None for any other entry."""
    if event == "escalated":
        return note
    return _REASON_OF_EVENT.get(event)
