"""Which insurers see a seller's quote request: every approved insurer whose appetite fits it.

An insurer receives a request when all of these hold:

- its status is exactly "approved" (pending and suspended insurers receive nothing);
- it writes every category of the request (the request's categories are a subset of its own);
- it is licensed in the request's state;
- the request's annual revenue lies in its revenue band: at least `min_revenue` and at most
  `max_revenue`, both inclusive, a missing bound being no bound;
- it is rated at least the request's `min_rating` by AM Best (the marketplace's minimum), unless the
  seller asked for offers from insurers rated below it too (`accepts_below_minimum_rating`). A request
  without a `min_rating` judges no rating; an insurer without a known rating is below any minimum.

The answer is the matching insurer ids, each once, in ascending order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from accelerator.domain.values import rating_at_least


@dataclass(frozen=True)
class InsurerAppetite:
    """What an insurer will write: its status, categories, licensed states and revenue band; its AM Best rating."""

    insurer_id: int
    status: str
    categories: frozenset[str] = field(default_factory=frozenset)
    states: frozenset[str] = field(default_factory=frozenset)
    min_revenue: Decimal | None = None
    max_revenue: Decimal | None = None
    rating: str | None = None


@dataclass(frozen=True)
class RequestProfile:
    """What a quote request asks cover for: its categories, the seller's state and annual revenue; the
    lowest AM Best rating it is routed to, and whether the seller wants offers from insurers below it."""

    categories: frozenset[str]
    state: str
    annual_revenue: Decimal
    min_rating: str | None = None
    accepts_below_minimum_rating: bool = False


def fits(insurer: InsurerAppetite, request: RequestProfile) -> bool:
    """Whether `insurer` is approved and its appetite holds every part of `request`."""
    return (
        insurer.status == "approved"
        # issubset, not <=, so a list passed by mistake is still judged as a set, not compared in order.
        and frozenset(request.categories).issubset(insurer.categories)
        and request.state in insurer.states
        and (insurer.min_revenue is None or insurer.min_revenue <= request.annual_revenue)
        and (insurer.max_revenue is None or request.annual_revenue <= insurer.max_revenue)
        and (request.min_rating is None or request.accepts_below_minimum_rating
             or rating_at_least(insurer.rating, request.min_rating))
    )


def route_quote_request(insurers: Iterable[InsurerAppetite], request: RequestProfile) -> list[int]:
    """The ids, ascending and each once, of the insurers a quote request is routed to."""
    return sorted({insurer.insurer_id for insurer in insurers if fits(insurer, request)})
