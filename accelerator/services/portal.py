"""Read models of the insurer portal: the inbox of routed requests, one request, policies, webhooks, keys.

Every function takes the insurer's id from the logged-in staff member and reads only that insurer's
rows, so another insurer's request, policy, endpoint or key is never found (NotFound, a 404).
Lists come back as flask_sqlalchemy Paginations, which the templates' pagination macro draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager

from accelerator.extensions import db
from accelerator.models import ApiKey, Insurer, Policy, QuoteRequest, QuoteRouting, WebhookEndpoint
from accelerator.services import api_keys as api_key_service
from accelerator.services import quotes, webhooks
from accelerator.services.insurers import get_insurer
from accelerator.services.paging import Page

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
STATUS_LABELS: dict[str, str] = {"open": "Open", "quoted": "Quoted", "declined": "Declined", "closed": "Closed"}


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


def routing_status(request: QuoteRequest, routing: QuoteRouting) -> str:
    """The request's status as this insurer sees it: closed once the request closed, else its routing's."""
    return "closed" if request.status == "closed" else routing.status


def _status_clause(status: str):
    """The contract's status filter: `closed` is the request's or the routing's; others are the routing's."""
    if status == "closed":
        return or_(QuoteRequest.status == "closed", QuoteRouting.status == "closed")
    return and_(QuoteRequest.status != "closed", QuoteRouting.status == status)


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
    routings: Pagination
    counts: dict[str, int]
    status: str | None
    sort: str


def status_counts(insurer_id: int) -> dict[str, int]:
    """How many requests routed to the insurer are open, quoted, declined and closed (as it sees them)."""
    seen = case((QuoteRequest.status == "closed", "closed"), else_=QuoteRouting.status)
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
          per_page: int = INBOX_PER_PAGE) -> Inbox:
    """The requests routed to the insurer, of one status or all, sorted, one page of them."""
    insurer = get_insurer(insurer_id)
    status = status if status in STATUS_LABELS else None
    sort = sort if sort in INBOX_SORTS else "newest"
    query = (select(QuoteRouting)
             .join(QuoteRequest, QuoteRouting.quote_request_id == QuoteRequest.id)
             .options(contains_eager(QuoteRouting.quote_request))
             .where(QuoteRouting.insurer_id == insurer.id))
    if status:
        query = query.where(_status_clause(status))
    pager = db.paginate(query.order_by(*_ORDER[sort]), page=_page(page), per_page=per_page, error_out=False)
    return Inbox(insurer=insurer, routings=pager, counts=status_counts(insurer.id), status=status, sort=sort)


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
        """Whether a quote may still be offered (open or already quoted; not declined or closed)."""
        return self.status in ("open", "quoted")

    @property
    def can_decline(self) -> bool:
        """Whether the request may still be declined (only before quoting it)."""
        return self.status == "open"


def request_page(insurer_id: int, request_id: int) -> RequestPage:
    """One request routed to the insurer, or NotFound (also when it was routed only to others)."""
    routed = quotes.get_routed(insurer_id, request_id)
    return RequestPage(routed=routed, status=routing_status(routed.request, routed.routing))


def policies(insurer_id: int, page: int = 1, per_page: int = POLICIES_PER_PAGE) -> Pagination:
    """The insurer's own policies, latest effective date first (claims paid and aggregate remaining on each)."""
    query = (select(Policy).where(Policy.insurer_id == insurer_id)
             .order_by(Policy.effective_date.desc(), Policy.policy_number, Policy.id))
    return db.paginate(query, page=_page(page), per_page=per_page, error_out=False)


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
