"""Admin figures on coverage checks by day and route, on premiums by category, and on premium bound."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, true

from accelerator.domain.categories import category_name
from accelerator.domain.money import ZERO
from accelerator.extensions import db
from accelerator.models import CoverageCheck, Policy, Quote, QuoteRequest, Seller
from accelerator.services.metrics.ranges import json_elements, parse_range, utc_day

ROUTES: tuple[str, ...] = ("marketplace", "insurer", "review", "seller")


# --- Admin: coverage checks and premiums -----------------------------------------------------------------

@dataclass(frozen=True)
class DailyChecks:
    """Coverage checks made on one UTC day, by the route each answered."""

    day: date
    marketplace: int
    insurer: int
    review: int
    seller: int

    @property
    def total(self) -> int:
        """Checks of every route."""
        return self.marketplace + self.insurer + self.review + self.seller


def coverage_checks_by_day(start: object, end: object) -> list[DailyChecks]:
    """Coverage checks per UTC day by route (GROUP BY day, route), every day of the range present."""
    period = parse_range(start, end)
    low, high = period.bounds()
    day = utc_day(CoverageCheck.checked_at).label("day")
    counts: dict[date, Counter] = defaultdict(Counter)
    for checked_on, route, count in db.session.execute(
            select(day, CoverageCheck.route, func.count()).where(CoverageCheck.checked_at >= low,
                                                                 CoverageCheck.checked_at < high)
            .group_by(day, CoverageCheck.route)):
        counts[checked_on][route] += count
    return [DailyChecks(d, *(counts[d][route] for route in ROUTES)) for d in period.dates()]


@dataclass(frozen=True)
class CategoryPremium:
    """Premium written in one category (`category` "" for policies with no category)."""

    category: str
    name: str
    policies: int
    premium: Decimal


@dataclass(frozen=True)
class PremiumsByCategory:
    """Premium by category, and the distinct totals (a policy in two categories counts in both bars)."""

    categories: list[CategoryPremium]
    policies: int
    premium: Decimal


def premiums_by_category(start: object, end: object) -> PremiumsByCategory:
    """Premiums of policies effective in the range, by category, largest first.

    A policy bought here (quote_id set) counts under the categories of the quote request it was bought
    from; any other policy under its seller's profile categories. A policy with several categories
    counts its whole premium under each, so the bars may add up to more than `premium`, the total.
    Policies without a premium are left out.
    """
    period = parse_range(start, end)
    base = (Policy.premium.is_not(None), Policy.effective_date >= period.start, Policy.effective_date <= period.end)
    policies, premium = db.session.execute(select(func.count(Policy.id), func.sum(Policy.premium)).where(*base)).one()
    found: dict[str, list] = defaultdict(lambda: [0, ZERO])
    bought = (select(Policy.id, Policy.premium, QuoteRequest.categories.label("categories"))
              .join(Quote, Quote.id == Policy.quote_id).join(QuoteRequest, QuoteRequest.id == Quote.quote_request_id)
              .where(*base))
    other = (select(Policy.id, Policy.premium, Seller.categories.label("categories"))
             .join(Seller, Seller.seller_id == Policy.seller_id).where(Policy.quote_id.is_(None), *base))
    for query in (bought, other):
        sub = query.subquery()
        elements = json_elements(sub.c.categories)
        rows = db.session.execute(
            select(elements.c.value, func.count(), func.sum(sub.c.premium))
            .select_from(sub).join(elements, true()).group_by(elements.c.value)).all()
        empty = db.session.execute(select(func.count(), func.sum(sub.c.premium))
                                   .where(func.json_array_length(sub.c.categories) == 0)).one()
        for code, count, total in [*rows, ("", *empty)]:
            if count:
                found[code][0] += count
                found[code][1] += total
    rows = [CategoryPremium(code, category_name(code) if code else "No category", count, total)
            for code, (count, total) in found.items()]
    rows.sort(key=lambda r: (-r.premium, r.category))
    return PremiumsByCategory(rows, policies or 0, premium if premium is not None else ZERO)


@dataclass(frozen=True)
class BoundPremium:
    """Premium bound in a period: the policies bought through the Accelerator then, and their premium."""

    policies: int
    premium: Decimal


def premium_bound(start: object, end: object) -> BoundPremium:
    """Premium of the quotes bought through the Accelerator in the range, by the UTC day of the purchase.

    A purchase writes the policy in the same transaction that accepts the quote, so the policy's
    `created_at` is the moment it was bound. Policies reported by insurers or uploaded by sellers were
    bound elsewhere, on a day not on record, and are not counted (they count by effective date in
    `premiums_by_category`).
    """
    period = parse_range(start, end)
    low, high = period.bounds()
    policies, premium = db.session.execute(
        select(func.count(Policy.id), func.sum(Policy.premium))
        .where(Policy.quote_id.is_not(None), Policy.premium.is_not(None),
               Policy.created_at >= low, Policy.created_at < high)).one()
    return BoundPremium(policies or 0, premium if premium is not None else ZERO)
