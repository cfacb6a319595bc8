"""Buying a quote (services/purchase.py) on a real database, and two buys racing through the real server."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select

from accelerator.domain.errors import Conflict, NotFound
from accelerator.models import AuditEntry, Policy, Quote, QuoteRequest, QuoteRouting, WebhookEndpoint, WebhookEvent
from accelerator.services import purchase
from accelerator.services.audit import Actor
from tests import factories
from tests.factories import TODAY

ACTOR = Actor("seller@example.com")


def _setup(start_in_days: int = 10):
    """A seller's request with a chosen quote (prefix HX) and a rival one."""
    seller = factories.make_seller()
    harbor = factories.make_insurer(name="Harbor Mutual", policy_prefix="HX")
    other = factories.make_insurer(name="Other Mutual")
    request = factories.make_quote_request(seller_id=seller.seller_id, routed_to=[harbor, other],
                                           desired_start_date=TODAY + timedelta(days=start_in_days))
    chosen = factories.make_quote(request, harbor, annual_premium=Decimal("1850.00"))
    rival = factories.make_quote(request, other, annual_premium=Decimal("1700.00"))
    return seller, harbor, request, chosen, rival


def _count(db, model) -> int:
    """How many rows a table has."""
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_buying_records_the_policy_accepts_closes_and_emits_in_one_go(db):
    seller, harbor, request, chosen, rival = _setup()
    db.session.add(WebhookEndpoint(insurer_id=harbor.id, url="https://hooks.example/h", secret="s"))
    db.session.add(WebhookEndpoint(insurer_id=rival.insurer_id, url="https://hooks.example/o", secret="t"))
    db.session.commit()
    bought = purchase.buy_quote(ACTOR, seller.seller_id, request.id, chosen.id)
    assert bought.created
    db.session.expire_all()
    policy = db.session.get(Policy, bought.policy.id)
    start = request.desired_start_date
    assert policy.policy_number == f"HX-{start.year}-{chosen.id:06d}"
    assert (policy.source, policy.verification, policy.quote_id) == ("marketplace", "verified", chosen.id)
    assert (policy.effective_date, policy.expiration_date) == (start, start.replace(year=start.year + 1))
    assert (policy.per_occurrence_limit, policy.aggregate_limit, policy.deductible, policy.premium) == (
        chosen.per_occurrence_limit, chosen.aggregate_limit, chosen.deductible, Decimal("1850.00"))
    assert policy.verified_at is not None
    assert db.session.get(Quote, chosen.id).status == "accepted"
    assert db.session.get(Quote, rival.id).status == "closed"
    req = db.session.get(QuoteRequest, request.id)
    assert req.status == "closed" and req.closed_at is not None
    assert set(db.session.execute(select(QuoteRouting.status)).scalars()) == {"closed"}
    [event] = db.session.execute(select(WebhookEvent)).scalars().all()  # only the chosen insurer is told
    assert (event.event_type, event.insurer_id) == ("quote.accepted", harbor.id)
    assert event.payload["data"]["quote"]["status"] == "accepted"
    assert event.payload["data"]["quote"]["id"] == str(chosen.id)
    assert event.payload["data"]["quote_request"]["status"] == "closed"
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "buy")).scalar_one()
    assert entry.object_id == str(policy.id) and entry.details["quote"] == chosen.id


def test_buying_the_same_quote_again_answers_the_same_policy(db):
    seller, _harbor, request, chosen, _rival = _setup()
    first = purchase.buy_quote(ACTOR, seller.seller_id, request.id, chosen.id)
    again = purchase.buy_quote(ACTOR, seller.seller_id, request.id, chosen.id)
    assert (first.created, again.created) == (True, False)
    assert again.policy.id == first.policy.id
    assert _count(db, Policy) == 1


def test_buying_a_second_quote_of_a_closed_request_is_a_conflict(db):
    seller, _harbor, request, chosen, rival = _setup()
    purchase.buy_quote(ACTOR, seller.seller_id, request.id, chosen.id)
    with pytest.raises(Conflict) as exc:
        purchase.buy_quote(ACTOR, seller.seller_id, request.id, rival.id)
    assert exc.value.code == "quote_request_closed"
    assert _count(db, Policy) == 1


def test_the_conditional_update_decides_even_when_the_first_check_saw_the_request_open(db, monkeypatch):
    """Two buys that both passed the friendly check: the UPDATE ... WHERE status='open' lets one through."""
    seller, _harbor, request, chosen, rival = _setup()
    purchase.buy_quote(ACTOR, seller.seller_id, request.id, chosen.id)
    db.session.expire_all()
    monkeypatch.setattr(purchase, "purchase_problem", lambda quote, today: None)
    with pytest.raises(Conflict, match="bought a moment ago"):
        purchase.buy_quote(ACTOR, seller.seller_id, request.id, rival.id)
    db.session.expire_all()
    assert _count(db, Policy) == 1
    assert db.session.get(Quote, rival.id).status == "closed"


def test_an_expired_quote_cannot_be_bought_and_nothing_changes(db):
    seller, _harbor, request, chosen, _rival = _setup()
    chosen.valid_until = TODAY - timedelta(days=1)
    db.session.commit()
    with pytest.raises(Conflict) as exc:
        purchase.buy_quote(ACTOR, seller.seller_id, request.id, chosen.id)
    assert exc.value.code == "quote_expired"
    assert "expired on" in exc.value.message
    db.session.expire_all()
    assert _count(db, Policy) == 0
    assert db.session.get(QuoteRequest, request.id).status == "open"
    assert db.session.get(Quote, chosen.id).status == "offered"


def test_a_quote_valid_until_today_can_still_be_bought(db):
    seller, _harbor, request, chosen, _rival = _setup()
    chosen.valid_until = TODAY
    db.session.commit()
    assert purchase.buy_quote(ACTOR, seller.seller_id, request.id, chosen.id).created


def test_another_sellers_quote_is_not_found(db):
    _seller, _harbor, request, chosen, _rival = _setup()
    stranger = factories.make_seller()
    with pytest.raises(NotFound):
        purchase.buy_quote(ACTOR, stranger.seller_id, request.id, chosen.id)
    with pytest.raises(NotFound):
        purchase.buy_quote(ACTOR, _seller.seller_id, request.id + 1000, chosen.id)
    assert _count(db, Policy) == 0


def test_a_start_date_already_past_starts_the_policy_today(db):
    seller, _harbor, request, chosen, _rival = _setup(start_in_days=-20)
    bought = purchase.buy_quote(ACTOR, seller.seller_id, request.id, chosen.id)
    assert bought.policy.effective_date == TODAY


def test_one_year_after_a_leap_day_is_the_first_of_march():
    assert purchase.one_year_after(date(2028, 2, 29)) == date(2029, 3, 1)
    assert purchase.one_year_after(date(2026, 6, 1)) == date(2027, 6, 1)
    assert purchase.policy_dates(date(2026, 6, 1), date(2026, 7, 1)) == (date(2026, 7, 1), date(2027, 7, 1))


# --- a real race through the real server ----------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _logged_in_session(base: str, email: str) -> requests.Session:
    """A browser-like session logged in through the login form (a real session cookie)."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10)
    token = next(g for g in _CSRF.search(page.text).groups() if g)
    response = session.post(f"{base}/login", data={"email": email, "password": factories.TEST_PASSWORD,
                                                   "csrf_token": token}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:300]
    return session


def _race(base: str, sessions: list[requests.Session], urls: list[str]) -> list[requests.Response]:
    """POST every buy at the same moment, each from its own session with its own confirm page's token."""
    tokens = []
    for session, url in zip(sessions, urls, strict=True):
        page = session.get(url, timeout=10)
        assert page.status_code == 200, page.status_code
        tokens.append(next(g for g in _CSRF.search(page.text).groups() if g))
    barrier = threading.Barrier(len(urls))
    results: list[requests.Response | None] = [None] * len(urls)

    def buy(i: int) -> None:
        """Wait for the other buyer, then POST this one's buy."""
        barrier.wait(timeout=10)
        results[i] = sessions[i].post(urls[i], data={"csrf_token": tokens[i]}, allow_redirects=False, timeout=30)

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(len(urls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]


@pytest.mark.parametrize("same_quote", [False, True], ids=["two-quotes", "double-click"])
def test_two_buys_racing_on_one_request_make_exactly_one_policy(live_server, db, same_quote):
    user = factories.make_seller_user()
    base = live_server.url
    rounds = 3
    setups = []
    for _ in range(rounds):
        insurers = [factories.make_insurer(), factories.make_insurer()]
        request = factories.make_quote_request(seller_id=user.seller_id, routed_to=insurers)
        quotes = [factories.make_quote(request, insurers[0]), factories.make_quote(request, insurers[1])]
        setups.append((request, quotes))
    db.session.commit()  # nothing of ours holds the database while the server works
    sessions = [_logged_in_session(base, user.email), _logged_in_session(base, user.email)]
    for request, quotes in setups:
        chosen = [quotes[0], quotes[0]] if same_quote else quotes
        urls = [f"{base}/seller/requests/{request.id}/quotes/{q.id}/buy" for q in chosen]
        responses = _race(base, sessions, urls)
        assert all(r.status_code == 302 for r in responses), [r.status_code for r in responses]
        db.session.rollback()
        db.session.expire_all()
        policies = db.session.execute(
            select(Policy).join(Quote, Policy.quote_id == Quote.id).where(Quote.quote_request_id == request.id)
        ).scalars().all()
        assert len(policies) == 1
        statuses = sorted(db.session.execute(
            select(Quote.status).where(Quote.quote_request_id == request.id)).scalars())
        assert statuses == ["accepted", "closed"]
        to_policy = [r for r in responses if "/seller/policies/" in r.headers["Location"]]
        if same_quote:
            assert len(to_policy) == 2  # both clicks land on the one policy
            assert {r.headers["Location"] for r in to_policy} == {f"/seller/policies/{policies[0].id}"}
        else:
            assert len(to_policy) == 1  # the loser is sent back to the request with the reason
    db.session.rollback()
    assert _count(db, Policy) == rounds
