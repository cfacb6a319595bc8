"""Read models of the insurer portal: the inbox of routed requests, one request, policies, webhooks, keys.

Every function takes the insurer's id from the logged-in staff member and reads only that insurer's
rows, so another insurer's request, policy, endpoint or key is never found (NotFound, a 404).
Lists come back as flask_sqlalchemy Paginations, which the templates' pagination macro draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import contains_eager

from accelerator import clock
from accelerator.domain.errors import NotFound
from accelerator.extensions import db
from accelerator.models import ApiKey, Insurer, Policy, Quote, QuoteRequest, QuoteRouting, WebhookEndpoint
from accelerator.services import api_keys as api_key_service
from accelerator.services import quotes, webhooks
from accelerator.services.insurers import get_insurer
from accelerator.services.paging import Page, fetch_page

INBOX_PER_PAGE = 25
POLICIES_PER_PAGE = 25
DELIVERIES_PER_PAGE = 25
MAX_PAGE = 100_000

# The inbox's sort orders: (label, ORDER BY). Ties fall back to the newest routing, so pages are stable.
INBOX_SORTS: dict[str, str] = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "revenue": "Annual revenue, largest first",
    "start": "Start date, soonest first",
}
# How the insurer sees a request routed to it (the inbox's tabs, in order, and the badges' words):
# open (not answered), quoted (a quote still valid), expired (every quote it offered has expired),
# declined, won (the seller bought its quote), lost (the seller bought another insurer's) and
# withdrawn (the seller withdrew the request). The API keeps the contract's four: open, quoted,
# declined and closed (won, lost and withdrawn).
STATUS_LABELS: dict[str, str] = {
    "open": "Open", "quoted": "Quoted", "expired": "Quote expired", "declined": "Declined", "won": "Won",
    "lost": "Lost", "withdrawn": "Withdrawn",
}


class LoadedPagination(Pagination):
    """A Pagination over a page that was already read (a services.paging.Page)."""

    def _query_items(self) -> list:
        """The items already read."""
        return list(self._query_args["items"])

    def _query_count(self) -> int:
        """The total already counted."""
        return int(self._query_args["total"])


def as_pagination(page: Page) -> Pagination:
    """A services.paging.Page as the Pagination the templates draw."""
    return LoadedPagination(page=page.page, per_page=page.per_page, max_per_page=None, error_out=False,
                            items=page.items, total=page.total)


def _page(page: int) -> int:
    """A page number within bounds (1 to MAX_PAGE)."""
    return min(max(int(page), 1), MAX_PAGE)


def seen_status(today: date):
    """The SQL for a routed request's status as the insurer sees it on `today` (a key of STATUS_LABELS).

    One definition serves the labels, the tabs' filters and their counts. Its own decline stays
    "declined" whatever happened after; then the request's end (withdrawn, won, lost); an open request
    it quoted whose quotes have all expired is "expired".
    """
    own = (Quote.quote_request_id == QuoteRouting.quote_request_id) & (Quote.insurer_id == QuoteRouting.insurer_id)
    won = exists(select(Quote.id).where(own, Quote.status == "accepted"))
    offered = exists(select(Quote.id).where(own))
    valid = exists(select(Quote.id).where(own, Quote.valid_until >= today))
    closed = or_(QuoteRequest.status == "closed", QuoteRouting.status == "closed")
    return case(
        (QuoteRouting.status == "declined", "declined"),
        (QuoteRequest.withdrawn_at.is_not(None), "withdrawn"),
        (closed & won, "won"),
        (closed, "lost"),
        ((QuoteRouting.status == "quoted") & offered & ~valid, "expired"),
        else_=QuoteRouting.status,
    )


_ORDER = {
    "newest": (QuoteRouting.routed_at.desc(), QuoteRouting.id.desc()),
    "oldest": (QuoteRouting.routed_at.asc(), QuoteRouting.id.asc()),
    "revenue": (QuoteRequest.annual_revenue.desc(), QuoteRouting.routed_at.desc(), QuoteRouting.id.desc()),
    "start": (QuoteRequest.desired_start_date.asc(), QuoteRouting.routed_at.desc(), QuoteRouting.id.desc()),
}


@dataclass(frozen=True)
class Inbox:
    """The insurer, a page of the requests routed to it (QuoteRoutings with their requests), and counts."""

    insurer: Insurer
    routings: Pagination  # items: (QuoteRouting with its request, status as the insurer sees it)
    counts: dict[str, int]
    status: str | None
    sort: str


def status_counts(insurer_id: int, today: date | None = None) -> dict[str, int]:
    """How many requests routed to the insurer are in each status of STATUS_LABELS (as it sees them)."""
    seen = seen_status(today or clock.today())
    rows = db.session.execute(
        select(seen, func.count())
        .select_from(QuoteRouting)
        .join(QuoteRequest, QuoteRouting.quote_request_id == QuoteRequest.id)
        .where(QuoteRouting.insurer_id == insurer_id)
        .group_by(seen)
    ).all()
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for status, count in rows:
        counts[status] = counts.get(status, 0) + count
    return counts


def inbox(insurer_id: int, status: str | None = None, sort: str = "newest", page: int = 1,
          per_page: int = INBOX_PER_PAGE, today: date | None = None) -> Inbox:
    """The requests routed to the insurer, of one status or all, sorted, one page of them."""
    today = today or clock.today()
    insurer = get_insurer(insurer_id)
    status = status if status in STATUS_LABELS else None
    sort = sort if sort in INBOX_SORTS else "newest"
    seen = seen_status(today).label("seen")
    query = (select(QuoteRouting, seen)
             .join(QuoteRequest, QuoteRouting.quote_request_id == QuoteRequest.id)
             .options(contains_eager(QuoteRouting.quote_request))
             .where(QuoteRouting.insurer_id == insurer.id))
    if status:
        query = query.where(seen_status(today) == status)
    result = fetch_page(query.order_by(*_ORDER[sort]), _page(page), per_page, scalars=False)
    items = [(routing, seen) for routing, seen in result.items]
    pager = as_pagination(Page(items=items, page=result.page, per_page=result.per_page, total=result.total))
    return Inbox(insurer=insurer, routings=pager, counts=status_counts(insurer.id, today), status=status, sort=sort)


@dataclass(frozen=True)
class RequestPage:
    """One routed request as the insurer sees it: the request, its routing, its status, their quotes."""

    routed: quotes.RoutedRequest
    status: str

    @property
    def request(self) -> QuoteRequest:
        """The seller's application."""
        return self.routed.request

    @property
    def routing(self) -> QuoteRouting:
        """This insurer's routing row (status, decline reason, when it responded)."""
        return self.routed.routing

    @property
    def can_quote(self) -> bool:
        """Whether a quote may still be offered (open, quoted, or its quotes expired; not declined or closed)."""
        return self.status in ("open", "quoted", "expired")

    @property
    def can_decline(self) -> bool:
        """Whether the request may still be declined (only before quoting it)."""
        return self.status == "open"


def request_page(insurer_id: int, request_id: int, today: date | None = None) -> RequestPage:
    """One request routed to the insurer, or NotFound (also when it was routed only to others)."""
    routed = quotes.get_routed(insurer_id, request_id)
    status = db.session.execute(
        select(seen_status(today or clock.today())).select_from(QuoteRouting)
        .join(QuoteRequest, QuoteRouting.quote_request_id == QuoteRequest.id)
        .where(QuoteRouting.id == routed.routing.id)
    ).scalar_one()
    return RequestPage(routed=routed, status=status)


def policies(insurer_id: int, page: int = 1, per_page: int = POLICIES_PER_PAGE) -> Pagination:
    """The insurer's own policies, latest effective date first (claims paid and aggregate remaining on each)."""
    query = (select(Policy).where(Policy.insurer_id == insurer_id)
             .order_by(Policy.effective_date.desc(), Policy.policy_number, Policy.id))
    return db.paginate(query, page=_page(page), per_page=per_page, error_out=False)


def policy(insurer_id: int, policy_id: int) -> Policy:
    """One of the insurer's own policies, or NotFound (also for another insurer's)."""
    found = db.session.get(Policy, policy_id)
    if found is None or found.insurer_id != insurer_id:
        raise NotFound("No such policy of yours.")
    return found


@dataclass(frozen=True)
class WebhooksPage:
    """The insurer's active endpoints and a page of its delivery log ((event, attempts) items)."""

    endpoints: list[WebhookEndpoint]
    deliveries: Pagination
    max_endpoints: int


def webhooks_page(insurer_id: int, page: int = 1, per_page: int = DELIVERIES_PER_PAGE) -> WebhooksPage:
    """The insurer's webhook endpoints and its deliveries, newest first."""
    endpoints = webhooks.list_endpoints(insurer_id, 1, webhooks.MAX_ENDPOINTS).items
    deliveries = webhooks.list_deliveries(insurer_id, _page(page), per_page)
    return WebhooksPage(endpoints=list(endpoints), deliveries=as_pagination(deliveries),
                        max_endpoints=webhooks.MAX_ENDPOINTS)


def api_keys(insurer_id: int) -> list[ApiKey]:
    """The insurer's API keys, newest first (active and revoked)."""
    return api_key_service.list_keys(insurer_id=insurer_id)
