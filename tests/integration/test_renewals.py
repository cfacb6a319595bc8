"""Renewals (services/renewal_rule.py, services/renewals.py) on a real database, every rule with the day
injected: which policies can be renewed, the prefilled request, sending it (once, even when submissions
race), the quotes beside the policy, buying one (the cover goes on from the old expiration date), and the
dashboard's countdown and next steps."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.extensions import db as _db
from accelerator.models import Policy, QuoteRequest, QuoteRouting
from accelerator.services import purchase, renewal_rule, renewals, sellers
from accelerator.services.audit import Actor
from accelerator.services.quotes import QuoteRequestData
from tests import factories

TODAY = date(2027, 3, 10)  # every rule below is asked on this day; nothing reads the clock


def _seller(**overrides):
    """A seller with a completed profile: WA, toys, $20,000 a month."""
    values = dict(legal_name="Blue Kite Toys LLC", state="WA", categories=["toys"],
                  monthly_gross_sales=Decimal("20000.00"))
    values.update(overrides)
    return factories.make_seller(**values)


def _policy(seller, insurer, days_left: int, **overrides) -> Policy:
    """A verified policy of the seller that ran for a year and expires `days_left` days after TODAY."""
    ends = TODAY + timedelta(days=days_left)
    values = dict(seller_id=seller.seller_id, insurer=insurer, effective_date=ends - timedelta(days=365),
                  expiration_date=ends, premium=Decimal("1850.00"))
    values.update(overrides)
    return factories.make_policy(**values)


def _data(policy: Policy, **changes) -> QuoteRequestData:
    """A renewal request as the form would send it."""
    values = dict(legal_name="Blue Kite Toys LLC", state="WA", categories=("toys",),
                  annual_revenue=Decimal("240000.00"), per_occurrence_limit=policy.per_occurrence_limit,
                  aggregate_limit=policy.aggregate_limit, deductible=policy.deductible,
                  desired_start_date=policy.expiration_date)
    values.update(changes)
    return QuoteRequestData(**values)


def _count(model) -> int:
    """How many rows a table has."""
    return _db.session.execute(select(func.count()).select_from(model)).scalar_one()


# --- which policies can be renewed ---------------------------------------------------------------


@pytest.mark.parametrize(("days_left", "eligible"), [(61, False), (60, True), (20, True), (1, True), (0, False),
                                                     (-5, False)])
def test_the_renewal_window_is_the_last_60_days_of_the_policy(db, days_left, eligible):
    policy = _policy(_seller(), factories.make_insurer(), days_left)
    state = renewal_rule.state_of(policy.seller_id, policy.id, TODAY)
    assert state.eligible is eligible
    assert state.can_start is eligible
    assert state.days_left == days_left
    assert state.window_opens == policy.expiration_date - timedelta(days=60)
    if days_left > 60:
        assert state.problem == "You can ask for renewal quotes from March 11, 2027, 60 days before the policy expires."
    elif days_left <= 0:
        assert state.problem.startswith(f"This policy expired on {renewal_rule.long_date(policy.expiration_date)}")


@pytest.mark.parametrize(("overrides", "words"), [
    ({"verification": "pending", "source": "seller_upload"}, "Only a policy the marketplace has verified"),
    ({"verification": "rejected", "source": "seller_upload"}, "Only a policy the marketplace has verified"),
    ({"cancellation_date": TODAY + timedelta(days=5), "insurer_name": "Harbor Mutual"},
     "Harbor Mutual is cancelling this policy from"),  # even from a later day
    ({"cancellation_date": TODAY - timedelta(days=5)}, "This policy was cancelled"),
    ({"effective_date": TODAY + timedelta(days=3)}, "This policy has not started yet."),
], ids=["pending", "rejected", "cancelled-later", "cancelled", "not-started"])
def test_only_a_verified_policy_in_force_and_never_cancelled_can_be_renewed(db, overrides, words):
    policy = _policy(_seller(), factories.make_insurer(), 20, **overrides)
    state = renewal_rule.state_of(policy.seller_id, policy.id, TODAY)
    assert not state.eligible and not state.can_start
    assert state.problem.startswith(words)


def test_a_policy_already_continued_by_another_verified_one_is_not_renewed_again(db):
    seller = _seller()
    insurer = factories.make_insurer()
    policy = _policy(seller, insurer, 20)
    # Neither a pending upload, nor a policy that ends first, nor another seller's policy continues it.
    _policy(seller, None, 400, source="seller_upload", verification="pending", insurer_id=None,
            effective_date=policy.expiration_date)
    _policy(seller, insurer, 10)
    _policy(_seller(), insurer, 400, effective_date=policy.expiration_date)
    assert renewal_rule.state_of(seller.seller_id, policy.id, TODAY).eligible
    following = _policy(seller, insurer, 385, effective_date=policy.expiration_date, policy_number="NEXT-1")
    state = renewal_rule.state_of(seller.seller_id, policy.id, TODAY)
    assert not state.eligible and state.successor.id == following.id
    assert state.problem == "Policy NEXT-1 already continues your cover when this one expires."


def test_states_for_names_each_policys_open_renewal_request_only(db):
    seller = _seller()
    insurer = factories.make_insurer()
    one, two, three = (_policy(seller, insurer, 20), _policy(seller, insurer, 30), _policy(seller, insurer, 40))
    # One's renewal is open; two's was closed (bought); three's open one belongs to another seller's record.
    opened = factories.make_quote_request(seller_id=seller.seller_id, renewal_of_policy_id=one.id)
    factories.make_quote_request(seller_id=seller.seller_id, renewal_of_policy_id=two.id, status="closed")
    factories.make_quote_request(seller_id=_seller().seller_id, renewal_of_policy_id=three.id)
    factories.make_quote_request(seller_id=seller.seller_id)  # an ordinary request
    states = renewal_rule.states_for(seller.seller_id, [one, two, three], TODAY)
    assert states[one.id].open_request_id == opened.id and not states[one.id].can_start
    assert states[two.id].open_request_id is None
    assert states[three.id].open_request_id is None


def test_another_sellers_policy_is_not_found(db):
    policy = _policy(_seller(), factories.make_insurer(), 20)
    other = _seller()
    with pytest.raises(NotFound):
        renewal_rule.state_of(other.seller_id, policy.id, TODAY)
    with pytest.raises(NotFound):
        renewals.draft(other.seller_id, policy.id, TODAY)
    with pytest.raises(NotFound):
        renewals.submit_renewal(other.seller_id, policy.id, _data(policy), TODAY)
    with pytest.raises(NotFound):
        renewals.policy_page(other.seller_id, policy.id, TODAY)
    assert _count(QuoteRequest) == 0


# --- the prefilled request -----------------------------------------------------------------------


def test_the_draft_takes_the_terms_from_the_policy_and_the_business_from_the_profile(db):
    seller = _seller(categories=["toys", "baby"])
    insurer = factories.make_insurer()
    original = factories.make_quote_request(seller_id=seller.seller_id, categories=["home"], top_products="Kites",
                                            states_shipped=["WA", "OR"], claims_last_3_years=1, status="closed")
    quote = factories.make_quote(original, insurer, valid_until=TODAY)
    policy = _policy(seller, insurer, 20, quote_id=quote.id, per_occurrence_limit=Decimal("2000000.00"),
                     aggregate_limit=Decimal("4000000.00"), deductible=Decimal("5000.00"))
    draft = renewals.draft(seller.seller_id, policy.id, TODAY)
    prefill = draft.prefill
    assert (prefill.legal_name, prefill.state, prefill.categories) == ("Blue Kite Toys LLC", "WA", ("baby", "toys"))
    assert prefill.annual_revenue == Decimal("240000.00")
    assert (prefill.per_occurrence_limit, prefill.aggregate_limit, prefill.deductible) == (
        Decimal("2000000.00"), Decimal("4000000.00"), Decimal("5000.00"))
    assert prefill.desired_start_date == policy.expiration_date
    # What the profile does not hold comes from the request the policy was bought from.
    assert (prefill.top_products, prefill.states_shipped, prefill.claims_last_3_years) == ("Kites", ("OR", "WA"), 1)
    assert draft.adjusted == []
    assert draft.state.can_start


def test_the_draft_falls_back_to_the_original_request_and_raises_terms_to_the_requirement(db):
    seller = _seller(legal_name="", state=None, categories=[], monthly_gross_sales=None)
    insurer = factories.make_insurer()
    original = factories.make_quote_request(seller_id=seller.seller_id, legal_name="Old Name LLC", state="TX",
                                            categories=["electronics"], annual_revenue=Decimal("99000.00"),
                                            status="closed")
    quote = factories.make_quote(original, insurer, valid_until=TODAY)
    policy = _policy(seller, insurer, 20, quote_id=quote.id, per_occurrence_limit=Decimal("500000.00"),
                     aggregate_limit=Decimal("600000.00"), deductible=Decimal("25000.00"))
    draft = renewals.draft(seller.seller_id, policy.id, TODAY)
    prefill = draft.prefill
    assert (prefill.legal_name, prefill.state, prefill.categories) == ("Old Name LLC", "TX", ("electronics",))
    assert prefill.annual_revenue == Decimal("99000.00")
    assert (prefill.per_occurrence_limit, prefill.aggregate_limit, prefill.deductible) == (
        Decimal("1000000.00"), Decimal("1000000.00"), Decimal("10000.00"))
    assert draft.adjusted == [
        "The per-occurrence limit was raised from $500,000.00 to the required $1,000,000.00.",
        "The aggregate limit was raised from $600,000.00 to $1,000,000.00.",
        "The deductible was lowered from $25,000.00 to the allowed $10,000.00.",
    ]


def test_a_policy_with_no_request_and_a_bare_profile_leaves_the_unknowns_empty(db):
    seller = _seller(legal_name="", state=None, categories=[], monthly_gross_sales=None)
    policy = _policy(seller, factories.make_insurer(), 20)
    prefill = renewals.draft(seller.seller_id, policy.id, TODAY).prefill
    assert (prefill.legal_name, prefill.state, prefill.categories, prefill.annual_revenue) == ("", "", (), None)
    assert prefill.desired_start_date == policy.expiration_date


# --- sending it ----------------------------------------------------------------------------------


def test_submitting_routes_the_renewal_like_any_request_and_a_second_submit_answers_the_first(db):
    seller = _seller()
    fits = factories.make_insurer(licensed_states=["WA"], categories=["toys"])
    factories.make_insurer(licensed_states=["TX"], categories=["toys"])
    policy = _policy(seller, fits, 20)
    sent = renewals.submit_renewal(seller.seller_id, policy.id, _data(policy), TODAY)
    assert sent.created and sent.routed == [fits.id]
    request = _db.session.get(QuoteRequest, sent.request.id)
    assert request.renewal_of_policy_id == policy.id and request.status == "open"
    assert request.desired_start_date == policy.expiration_date
    assert [r.insurer_id for r in request.routings] == [fits.id]
    again = renewals.submit_renewal(seller.seller_id, policy.id, _data(policy, annual_revenue=Decimal("1.00")), TODAY)
    assert not again.created and again.request.id == request.id and again.routed == []
    assert _count(QuoteRequest) == 1 and _count(QuoteRouting) == 1
    assert renewal_rule.state_of(seller.seller_id, policy.id, TODAY).open_request_id == request.id


def test_submitting_for_a_policy_that_cannot_be_renewed_is_a_conflict_and_writes_nothing(db):
    seller = _seller()
    policy = _policy(seller, factories.make_insurer(), 90)
    with pytest.raises(Conflict) as raised:
        renewals.submit_renewal(seller.seller_id, policy.id, _data(policy), TODAY)
    assert raised.value.code == "not_renewable"
    assert "You can ask for renewal quotes from" in raised.value.message
    assert _count(QuoteRequest) == 0


def test_bad_values_are_field_errors_and_write_nothing(db):
    seller = _seller()
    policy = _policy(seller, factories.make_insurer(), 20)
    with pytest.raises(ValidationError) as raised:
        renewals.submit_renewal(seller.seller_id, policy.id,
                                _data(policy, desired_start_date=TODAY - timedelta(days=1)), TODAY)
    assert set(raised.value.fields) == {"desired_start_date"}
    with pytest.raises(ValidationError) as raised:
        renewals.submit_renewal(seller.seller_id, policy.id,
                                _data(policy, state="ZZ", aggregate_limit=Decimal("10.00")), TODAY)
    assert {"state", "aggregate_limit"} <= set(raised.value.fields)
    assert _count(QuoteRequest) == 0
    # Nothing was left locked or half-written: a good submission goes through.
    assert renewals.submit_renewal(seller.seller_id, policy.id, _data(policy), TODAY).created


def test_submissions_racing_through_the_served_app_make_one_request(live_app, db):
    seller = _seller()
    factories.make_insurer(licensed_states=["WA"], categories=["toys"])
    policy = _policy(seller, factories.make_insurer(), 20)
    seller_id, policy_id, data = seller.seller_id, policy.id, _data(policy)
    _db.session.commit()
    workers = 6
    barrier = threading.Barrier(workers)
    results: list = []
    errors: list[BaseException] = []

    def submit() -> None:
        with live_app.app_context():
            try:
                barrier.wait()
                sent = renewals.submit_renewal(seller_id, policy_id, data, TODAY)
                results.append((sent.request.id, sent.created))
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    _db.session.expire_all()
    [request_id] = _db.session.execute(select(QuoteRequest.id)).scalars().all()
    assert sorted(results) == sorted([(request_id, False)] * (workers - 1) + [(request_id, True)])


# --- beside the current policy, and buying ------------------------------------------------------


def test_compare_terms_says_each_difference_in_words(db):
    insurer = factories.make_insurer()
    policy = _policy(_seller(), insurer, 20, deductible=Decimal("2500.00"))
    request = factories.make_quote_request(seller_id=policy.seller_id)
    quote = factories.make_quote(request, insurer, annual_premium=Decimal("1990.00"),
                                 per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("3000000.00"),
                                 deductible=Decimal("1000.00"), valid_until=TODAY)
    rows = {row.label: row for row in sellers.compare_terms(policy, quote)}
    assert [rows[k].change for k in ("Annual premium", "Per occurrence", "Aggregate", "Deductible")] == [
        "$140.00 more", "same", "$1,000,000 more", "$1,500.00 less"]
    assert rows["Annual premium"].cents and not rows["Aggregate"].cents
    unknown = _policy(_seller(), insurer, 20, premium=None)
    assert sellers.compare_terms(unknown, quote)[0].change == ""


def test_renewal_quotes_beside_the_policy_then_buying_one_continues_the_cover(db):
    seller = _seller()
    factories.make_monthly_sales(seller.seller_id, date(2026, 1, 1), "25000.00")
    harbor = factories.make_insurer(licensed_states=["WA"], categories=["toys"], policy_prefix="HX")
    cove = factories.make_insurer(licensed_states=["WA"], categories=["toys"], am_best_rating="B+")
    policy = _policy(seller, harbor, 20)
    request = renewals.submit_renewal(seller.seller_id, policy.id, _data(policy, accepts_below_minimum_rating=True),
                                      TODAY).request
    valid = TODAY + timedelta(days=10)
    good = factories.make_quote(request, harbor, annual_premium=Decimal("1990.00"), valid_until=valid)
    factories.make_quote(request, cove, annual_premium=Decimal("1500.00"), valid_until=valid)

    view = renewals.policy_page(seller.seller_id, policy.id, TODAY)
    renewal = view.renewal
    assert renewal.request.id == request.id and renewal.insurers_asked == 2 and renewal.current_meets
    assert [q.line.quote.annual_premium for q in renewal.quotes] == [Decimal("1500.00"), Decimal("1990.00")]
    assert [q.line.meets_requirement for q in renewal.quotes] == [False, True]
    assert renewal.quotes[1].changes[0].change == "$140.00 more"
    detail = sellers.get_request(seller.seller_id, request.id, today=TODAY)
    assert detail.renewal_of.id == policy.id and detail.renewal_of_meets
    assert detail.changes[good.id][0].change == "$140.00 more"

    # The dashboard: the cover ends in 20 days, and the open renewal is the next step.
    board = sellers.dashboard(seller.seller_id, TODAY)
    assert board.compliance.countdown.days == 20 and board.compliance.countdown.tone == "expiring"
    assert [s.kind for s in board.next_steps] == ["renewal_quotes"]
    assert board.next_steps[0].request_id == request.id

    bought = purchase.buy_quote(Actor("seller"), seller.seller_id, request.id, good.id, today=TODAY)
    new = bought.policy
    # "Never before today" leaves the renewal's start where it was asked: the old expiration date.
    assert new.effective_date == policy.expiration_date
    assert new.expiration_date == purchase.one_year_after(policy.expiration_date)
    state = renewal_rule.state_of(seller.seller_id, policy.id, TODAY)
    assert state.successor.id == new.id and not state.can_start
    board = sellers.dashboard(seller.seller_id, TODAY)
    assert board.compliance.cover_until == new.expiration_date
    assert board.compliance.countdown.tone == "ok"
    assert board.next_steps == []
    view = renewals.policy_page(seller.seller_id, policy.id, TODAY)
    assert view.renewal.bought.id == new.id


def test_a_renewal_bought_after_the_old_policy_expired_starts_today(db):
    seller = _seller()
    insurer = factories.make_insurer(licensed_states=["WA"], categories=["toys"])
    policy = _policy(seller, insurer, 5)
    request = renewals.submit_renewal(seller.seller_id, policy.id, _data(policy), TODAY).request
    quote = factories.make_quote(request, insurer, valid_until=TODAY + timedelta(days=30))
    later = TODAY + timedelta(days=9)
    new = purchase.buy_quote(Actor("seller"), seller.seller_id, request.id, quote.id, today=later).policy
    assert new.effective_date == later  # a gap the seller chose; cover never starts in the past


# --- the dashboard's countdown and next steps ----------------------------------------------------


def test_countdown_and_next_steps_while_due_then_overdue(db):
    seller = _seller()
    factories.make_monthly_sales(seller.seller_id, date(2027, 2, 1), "25000.00")  # deadline: March 30, 2027
    insurer = factories.make_insurer()
    request = factories.make_quote_request(seller_id=seller.seller_id, routed_to=[insurer])
    factories.make_quote(request, insurer, valid_until=TODAY + timedelta(days=10))
    board = sellers.dashboard(seller.seller_id, TODAY)
    countdown = board.compliance.countdown
    assert (countdown.days, countdown.words, countdown.date_label, countdown.day, countdown.tone) == (
        20, "days left", "Deadline", date(2027, 3, 30), "due")
    assert board.compliance.missing == [
        "You have no policy on record: buy one through the Accelerator or upload one you hold."]
    # Quotes are waiting on the request already asked: compare them (no second request), or upload.
    assert [s.kind for s in board.next_steps] == ["quotes", "upload"]
    assert board.next_steps[0].request_id == request.id

    countdown = sellers.dashboard(seller.seller_id, date(2027, 3, 29)).compliance.countdown
    assert (countdown.days, countdown.words) == (1, "day left")
    countdown = sellers.dashboard(seller.seller_id, date(2027, 3, 30)).compliance.countdown
    assert (countdown.days, countdown.words, countdown.tone) == (0, "days left", "due")
    board = sellers.dashboard(seller.seller_id, date(2027, 3, 31))
    countdown = board.compliance.countdown
    assert (countdown.days, countdown.words, countdown.date_label, countdown.tone) == (
        1, "day overdue", "The deadline was", "overdue")
    assert board.compliance.status == "overdue"
    assert sellers.dashboard(seller.seller_id, date(2027, 4, 9)).compliance.countdown.words == "days overdue"


def test_what_is_missing_names_each_policy_and_the_renewal_comes_first(db):
    seller = _seller()
    factories.make_monthly_sales(seller.seller_id, date(2027, 2, 1), "25000.00")
    insurer = factories.make_insurer()
    low = _policy(seller, insurer, 20, policy_number="LOW-1", per_occurrence_limit=Decimal("500000.00"),
                  aggregate_limit=Decimal("500000.00"))
    board = sellers.dashboard(seller.seller_id, TODAY)
    assert board.compliance.status == "due"
    assert board.compliance.missing == [
        "Policy LOW-1: per-occurrence limit $500,000.00 is below the required $1,000,000.00 and aggregate limit "
        "$500,000.00 is below the required $1,000,000.00."]
    assert [s.kind for s in board.next_steps] == ["renew", "ask", "upload"]
    assert board.next_steps[0].policy_id == low.id
    assert board.next_steps[0].text == "Renew policy LOW-1: it expires in 20 days, on March 30, 2027."


def test_pending_verification_says_to_wait_and_compliant_far_from_expiry_has_nothing_to_do(db):
    seller = _seller()
    factories.make_monthly_sales(seller.seller_id, date(2027, 2, 1), "25000.00")
    upload = _policy(seller, None, 300, source="seller_upload", verification="pending", insurer_id=None)
    board = sellers.dashboard(seller.seller_id, TODAY)
    assert board.compliance.status == "pending_verification"
    assert board.compliance.countdown.tone == "due"
    assert [s.kind for s in board.next_steps] == ["wait"]
    upload.verification = "verified"
    _db.session.commit()
    board = sellers.dashboard(seller.seller_id, TODAY)
    assert board.compliance.status == "compliant"
    assert (board.compliance.countdown.days, board.compliance.countdown.tone) == (300, "ok")
    assert board.next_steps == []


def test_cover_ending_by_cancellation_within_the_window_asks_for_a_new_policy(db):
    seller = _seller()
    factories.make_monthly_sales(seller.seller_id, date(2027, 2, 1), "25000.00")
    _policy(seller, factories.make_insurer(), 200, cancellation_date=TODAY + timedelta(days=15))
    board = sellers.dashboard(seller.seller_id, TODAY)
    assert board.compliance.status == "compliant"
    assert board.compliance.cover_until == TODAY + timedelta(days=15)
    assert board.compliance.countdown.tone == "expiring"
    assert [s.kind for s in board.next_steps] == ["ask", "upload"]  # a cancelled policy is not renewed


def test_not_required_has_no_countdown_but_still_offers_the_renewal(db):
    seller = _seller(monthly_gross_sales=Decimal("500.00"))
    policy = _policy(seller, factories.make_insurer(), 20)
    board = sellers.dashboard(seller.seller_id, TODAY)
    assert board.compliance.status == "not_required" and board.compliance.countdown is None
    assert [(s.kind, s.policy_id) for s in board.next_steps] == [("renew", policy.id)]
    line = next(line for group in board.groups for line in group.lines if line.policy.id == policy.id)
    assert line.renewal.can_start

