"""Dashboard figures on a real database: every metric, its edges (empty, reversed, one day, week bounds)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from accelerator.domain.errors import NotFound, ValidationError
from accelerator.services import metrics
from tests import factories

D = Decimal


def at(day: date, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """A UTC timestamp on `day`."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


# --- Ranges -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "field", "words"), [
    ("2026-03-10", "2026-03-09", "end", "on or after"),
    (date(2026, 3, 10), date(2020, 1, 1), "end", "on or after"),
    ("2020-01-01", "2023-01-02", "end", "at most 1,096 days"),
    ("1899-12-31", "1900-01-05", "start", "between"),
    ("2999-12-01", "3000-01-01", "end", "between"),
    ("2026-02-30", "2026-03-01", "start", "real calendar date"),
    ("yesterday", "2026-03-01", "start", "YYYY-MM-DD"),
    (None, "2026-03-01", "start", "required"),
    ("2026-03-01", "", "end", "required"),
    (datetime(2026, 3, 1, tzinfo=UTC), "2026-03-02", "start", "not a time"),
    (20260301, "2026-03-02", "start", "YYYY-MM-DD"),
])
def test_bad_ranges_name_the_field(db, start, end, field, words):
    for call in (metrics.quote_funnel, metrics.coverage_checks_by_day, metrics.compliance_by_week,
                 metrics.median_time_to_quote, metrics.premiums_by_category):
        with pytest.raises(ValidationError) as caught:
            call(start, end)
        assert words in caught.value.fields[field]


def test_three_calendar_years_are_allowed_and_weeks_cover_the_range(db):
    period = metrics.parse_range("2024-01-01", "2026-12-31")
    assert period.days == 1096
    weeks = metrics.parse_range("2026-03-04", "2026-03-17").weeks()  # a Wednesday to a Tuesday
    assert weeks == [(date(2026, 3, 2), date(2026, 3, 8)), (date(2026, 3, 9), date(2026, 3, 15)),
                     (date(2026, 3, 16), date(2026, 3, 17))]


# --- Admin: compliance by week --------------------------------------------------------------------------

def _seller_with_sales(month: date, proceeds: str = "20000.00"):
    """A seller with one month of sales (over the default threshold unless told)."""
    seller = factories.make_seller()
    factories.make_monthly_sales(seller.seller_id, month, proceeds)
    return seller


def test_compliance_by_week_counts_each_status_at_each_weeks_end(db):
    insurer = factories.make_insurer(am_best_rating="A")
    # Required since January 2026 (deadline 2026-03-02): due until its policy starts on 2026-02-16.
    becomes_compliant = _seller_with_sales(date(2026, 1, 1))
    factories.make_policy(seller_id=becomes_compliant.seller_id, insurer=insurer,
                          effective_date=date(2026, 2, 16), expiration_date=date(2027, 2, 16))
    _seller_with_sales(date(2026, 1, 1))  # due all along
    pending = _seller_with_sales(date(2025, 12, 1))
    factories.make_policy(seller_id=pending.seller_id, source="seller_upload", verification="pending",
                          effective_date=date(2026, 1, 1), expiration_date=date(2027, 1, 1))
    _seller_with_sales(date(2025, 12, 1))  # deadline 2026-01-30: overdue
    _seller_with_sales(date(2026, 1, 1), "10000.00")  # at the threshold, not over it: not required
    weeks = metrics.compliance_by_week("2026-02-02", "2026-02-22")
    assert [(w.week_start, w.on) for w in weeks] == [
        (date(2026, 2, 2), date(2026, 2, 8)), (date(2026, 2, 9), date(2026, 2, 15)),
        (date(2026, 2, 16), date(2026, 2, 22))]
    assert [(w.required, w.compliant, w.pending_verification, w.due, w.overdue) for w in weeks] == [
        (4, 0, 1, 2, 1), (4, 0, 1, 2, 1), (4, 1, 1, 1, 1)]
    assert [w.share for w in weeks] == [0.0, 0.0, 0.25]


def test_a_week_cut_by_the_range_is_judged_on_the_ranges_last_day(db):
    seller = _seller_with_sales(date(2026, 1, 1))
    factories.make_policy(seller_id=seller.seller_id, effective_date=date(2026, 2, 19),
                          expiration_date=date(2027, 2, 19))
    # Wednesday 2026-02-18: the policy starts the next day, so the seller is not yet compliant.
    [week] = metrics.compliance_by_week("2026-02-18", "2026-02-18")
    assert (week.week_start, week.on, week.required, week.compliant) == (date(2026, 2, 16), date(2026, 2, 18), 1, 0)
    [week] = metrics.compliance_by_week("2026-02-19", "2026-02-19")
    assert (week.on, week.compliant, week.share) == (date(2026, 2, 19), 1, 1.0)


def test_compliance_by_week_with_nobody_required_is_zeros(db):
    factories.make_seller()
    weeks = metrics.compliance_by_week("2026-03-02", "2026-03-15")
    assert [(w.required, w.compliant, w.share) for w in weeks] == [(0, 0, 0.0), (0, 0, 0.0)]


def test_compliance_by_week_reads_sellers_in_chunks(db, monkeypatch):
    monkeypatch.setattr(metrics.compliance, "CHUNK", 2)
    for _ in range(5):
        seller = _seller_with_sales(date(2026, 1, 1))
        factories.make_policy(seller_id=seller.seller_id)
    [week] = metrics.compliance_by_week("2026-03-01", "2026-03-01")
    assert (week.required, week.compliant) == (5, 5)


def test_a_policy_excluding_what_the_seller_sells_does_not_count_in_the_figures(db):
    excluded = _seller_with_sales(date(2026, 1, 1))  # the factory's seller sells toys
    factories.make_policy(seller_id=excluded.seller_id, excluded_categories=["toys"], policy_number="NO-TOYS")
    unrelated = _seller_with_sales(date(2026, 1, 1))
    factories.make_policy(seller_id=unrelated.seller_id, excluded_categories=["pet"])
    [week] = metrics.compliance_by_week("2026-03-01", "2026-03-01")
    assert (week.required, week.compliant, week.due) == (2, 1, 1)
    standings = {r.seller_id: (r.status, r.policy_number) for r in metrics.seller_standings("2026-03-01")}
    assert standings[excluded.seller_id] == ("due", None)  # the deadline is 2026-03-02
    assert standings[unrelated.seller_id][0] == "compliant"


def test_seller_standings_lists_every_seller_by_id_and_filters_by_status(db, monkeypatch):
    monkeypatch.setattr(metrics.compliance, "CHUNK", 2)
    compliant = factories.make_seller(seller_id="AAAA000001", legal_name="Alpha LLC")
    factories.make_monthly_sales(compliant.seller_id, date(2026, 1, 1), "50000.00")
    policy = factories.make_policy(seller_id=compliant.seller_id)
    factories.make_seller(seller_id="BBBB000002")
    overdue = factories.make_seller(seller_id="CCCC000003")
    factories.make_monthly_sales(overdue.seller_id, date(2025, 6, 1), "50000.00")
    rows = list(metrics.seller_standings("2026-03-01"))
    assert [(r.seller_id, r.status, r.required_since, r.deadline, r.policy_number) for r in rows] == [
        ("AAAA000001", "compliant", date(2026, 1, 1), date(2026, 3, 2), policy.policy_number),
        ("BBBB000002", "not_required", None, None, None),
        ("CCCC000003", "overdue", date(2025, 6, 1), date(2025, 7, 30), None),
    ]
    assert [r.seller_id for r in metrics.seller_standings(date(2026, 3, 1), ["overdue", "not_required"])] == [
        "BBBB000002", "CCCC000003"]
    assert [r.seller_id for r in metrics.seller_standings(date(2026, 3, 1), "overdue")] == ["CCCC000003"]
    with pytest.raises(ValidationError) as caught:
        metrics.seller_standings("2026-03-01", ["lapsed"])
    assert "status" in caught.value.fields
    with pytest.raises(ValidationError):
        metrics.seller_standings("2026-13-01")


# --- Admin: funnel, time to quote -----------------------------------------------------------------------

def test_quote_funnel_counts_requests_quoted_and_bought_in_the_range(db):
    insurer = factories.make_insurer()
    day = date(2026, 3, 10)
    bought = factories.make_quote_request(created_at=at(day, 0, 0, 0))
    quote = factories.make_quote(bought, insurer)
    factories.make_quote(bought, insurer)  # a second quote: the request still counts once
    factories.make_policy(insurer=insurer, seller_id=bought.seller_id, source="marketplace", quote_id=quote.id,
                          premium=D("1850.00"))
    quoted = factories.make_quote_request(created_at=at(day, 23, 59, 59))
    factories.make_quote(quoted, insurer)
    factories.make_quote_request(created_at=at(day, 9))  # no answer yet
    factories.make_quote_request(created_at=at(day + timedelta(days=1), 0, 0, 0))  # the next day: outside
    factories.make_quote_request(created_at=at(day - timedelta(days=1), 23, 59, 59))  # the day before
    assert metrics.quote_funnel(day, day) == metrics.Funnel(requested=3, quoted=2, bought=1)
    assert metrics.quote_funnel("2026-03-09", "2026-03-11") == metrics.Funnel(requested=5, quoted=2, bought=1)
    assert metrics.quote_funnel("2026-04-01", "2026-04-30") == metrics.Funnel(0, 0, 0)


def test_median_time_to_quote_per_insurer(db):
    fast = factories.make_insurer(name="Alpha Mutual")
    even = factories.make_insurer(name="Beta Casualty")
    silent = factories.make_insurer(name="Gamma Re")
    start = at(date(2026, 3, 2), 9)
    for hours in (1, 3, 10):
        request = factories.make_quote_request()
        factories.make_routing(request, fast, routed_at=start)
        factories.make_quote(request, fast, created_at=start + timedelta(hours=hours))
        # A later second quote on the same request does not move the time to the first one.
        factories.make_quote(request, fast, created_at=start + timedelta(hours=hours + 50))
    for hours in (2, 5):
        request = factories.make_quote_request()
        factories.make_routing(request, even, routed_at=start)
        factories.make_quote(request, even, created_at=start + timedelta(hours=hours))
    request = factories.make_quote_request()
    factories.make_routing(request, silent, routed_at=start)
    factories.make_routing(request, even, routed_at=start)  # routed, never answered
    old = factories.make_quote_request()
    factories.make_routing(old, fast, routed_at=start - timedelta(days=30))  # outside the range
    factories.make_quote(old, fast, created_at=start - timedelta(days=29))
    rows = metrics.median_time_to_quote("2026-03-02", "2026-03-08")
    assert [(r.insurer_name, r.routed, r.quoted) for r in rows] == [
        ("Alpha Mutual", 3, 3), ("Beta Casualty", 3, 2), ("Gamma Re", 1, 0)]
    assert rows[0].median_hours == pytest.approx(3.0, abs=1e-3)
    assert rows[1].median_hours == pytest.approx(3.5, abs=1e-3)
    assert rows[2].median_hours is None
    assert metrics.median_time_to_quote("2026-04-01", "2026-04-01") == []


# --- Admin: coverage checks, premiums -------------------------------------------------------------------

def test_coverage_checks_by_day_fills_every_day_and_splits_routes(db):
    first = date(2026, 3, 1)
    factories.make_coverage_check(checked_at=at(first, 0, 0, 0), route="marketplace")
    factories.make_coverage_check(checked_at=at(first, 23, 59, 59), route="marketplace")
    factories.make_coverage_check(checked_at=at(first, 8), route="review", status="undetermined")
    factories.make_coverage_check(checked_at=at(first + timedelta(days=2), 8), route="seller", status="not_covered")
    factories.make_coverage_check(checked_at=at(first + timedelta(days=2), 9), route="insurer")
    factories.make_coverage_check(checked_at=at(first + timedelta(days=3), 0, 0, 0), route="seller")  # outside
    rows = metrics.coverage_checks_by_day("2026-03-01", "2026-03-03")
    assert [(r.day, r.marketplace, r.insurer, r.review, r.seller, r.total) for r in rows] == [
        (date(2026, 3, 1), 2, 0, 1, 0, 3), (date(2026, 3, 2), 0, 0, 0, 0, 0), (date(2026, 3, 3), 0, 1, 0, 1, 2)]
    assert [r.total for r in metrics.coverage_checks_by_day("2026-03-04", "2026-03-04")] == [1]
    assert [r.total for r in metrics.coverage_checks_by_day("2025-03-04", "2025-03-05")] == [0, 0]


def test_premiums_by_category_attributes_bought_policies_to_the_request(db):
    insurer = factories.make_insurer()
    seller = factories.make_seller(categories=["home"])
    request = factories.make_quote_request(seller_id=seller.seller_id, categories=["toys", "baby"])
    quote = factories.make_quote(request, insurer)
    factories.make_policy(insurer=insurer, seller_id=seller.seller_id, quote_id=quote.id, source="marketplace",
                          premium=D("1000.00"), effective_date=date(2026, 3, 1))
    factories.make_policy(insurer=insurer, seller_id=seller.seller_id, premium=D("500.25"),
                          effective_date=date(2026, 3, 31))
    bare = factories.make_seller(categories=[])
    factories.make_policy(insurer=insurer, seller_id=bare.seller_id, premium=D("10.00"),
                          effective_date=date(2026, 3, 15))
    factories.make_policy(insurer=insurer, seller_id=seller.seller_id, premium=None,
                          effective_date=date(2026, 3, 15))  # no premium: left out
    factories.make_policy(insurer=insurer, seller_id=seller.seller_id, premium=D("7777.00"),
                          effective_date=date(2026, 4, 1))  # effective after the range
    result = metrics.premiums_by_category("2026-03-01", "2026-03-31")
    assert [(c.category, c.name, c.policies, c.premium) for c in result.categories] == [
        ("baby", "Baby Products", 1, D("1000.00")), ("toys", "Toys & Games", 1, D("1000.00")),
        ("home", "Home & Kitchen", 1, D("500.25")), ("", "No category", 1, D("10.00"))]
    assert (result.policies, result.premium) == (3, D("1510.25"))
    empty = metrics.premiums_by_category("2025-01-01", "2025-01-01")
    assert (empty.categories, empty.policies, empty.premium) == ([], 0, D("0.00"))


# --- Insurer --------------------------------------------------------------------------------------------

def test_insurer_metrics_refuse_unknown_or_malformed_insurers(db):
    with pytest.raises(NotFound):
        metrics.requests_received(987654, "2026-03-01", "2026-03-02")
    for bad in ("1", None, True, 1.0):
        with pytest.raises(ValidationError) as caught:
            metrics.quote_win_rate(bad, "2026-03-01", "2026-03-02")
        assert "insurer_id" in caught.value.fields
    insurer = factories.make_insurer()
    with pytest.raises(ValidationError) as caught:
        metrics.policies_in_force_by_day(insurer.id, "2026-03-02", "2026-03-01")
    assert "end" in caught.value.fields
    with pytest.raises(ValidationError) as caught:
        metrics.policies_in_force_on(insurer.id, "3000-01-01")
    assert "on" in caught.value.fields


def test_requests_received_by_status_and_by_week_split_at_monday_midnight(db):
    insurer, other = factories.make_insurer(), factories.make_insurer()
    sunday, monday = date(2026, 3, 8), date(2026, 3, 9)
    for when, status in ((at(sunday, 23, 59, 59), "open"), (at(monday, 0, 0, 0), "quoted"),
                         (at(monday, 10), "declined"), (at(date(2026, 3, 2), 0, 0, 0), "open")):
        factories.make_routing(factories.make_quote_request(), insurer, routed_at=when, status=status)
    factories.make_routing(factories.make_quote_request(), other, routed_at=at(monday))
    received = metrics.requests_received(insurer.id, "2026-03-02", "2026-03-15")
    assert received.total == 4
    assert received.by_status == {"open": 2, "quoted": 1, "declined": 1, "closed": 0}
    assert [(w.week_start, w.count) for w in received.by_week] == [(date(2026, 3, 2), 2), (date(2026, 3, 9), 2)]
    one_day = metrics.requests_received(insurer.id, sunday, sunday)
    assert (one_day.total, [(w.week_start, w.count) for w in one_day.by_week]) == (1, [(date(2026, 3, 2), 1)])
    nothing = metrics.requests_received(other.id, "2025-01-01", "2025-01-07")
    assert (nothing.total, nothing.by_status["open"], [w.count for w in nothing.by_week]) == (0, 0, [0, 0])


def test_quote_win_rate_counts_accepted_or_bought_quotes(db):
    insurer, other = factories.make_insurer(), factories.make_insurer()
    day = at(date(2026, 3, 5))
    request = factories.make_quote_request()
    factories.make_quote(request, insurer, created_at=day, status="accepted")
    bought = factories.make_quote(request, insurer, created_at=day)
    factories.make_policy(insurer=insurer, quote_id=bought.id, source="marketplace")
    factories.make_quote(request, insurer, created_at=day)
    factories.make_quote(request, insurer, created_at=day, status="closed")
    factories.make_quote(request, other, created_at=day, status="accepted")
    factories.make_quote(request, insurer, created_at=at(date(2026, 4, 1)), status="accepted")  # outside
    rate = metrics.quote_win_rate(insurer.id, "2026-03-01", "2026-03-31")
    assert (rate.offered, rate.won, rate.rate) == (4, 2, 0.5)
    empty = metrics.quote_win_rate(insurer.id, "2025-03-01", "2025-03-01")
    assert (empty.offered, empty.won, empty.rate) == (0, 0, 0.0)


def test_policies_in_force_by_day_matches_the_policy_period_rule(db):
    insurer, other = factories.make_insurer(), factories.make_insurer()
    policies = [
        factories.make_policy(insurer=insurer, effective_date=date(2026, 1, 1), expiration_date=date(2027, 1, 1)),
        factories.make_policy(insurer=insurer, effective_date=date(2026, 3, 10), expiration_date=date(2027, 3, 10),
                              cancellation_date=date(2026, 3, 12)),
        factories.make_policy(insurer=insurer, effective_date=date(2025, 3, 11), expiration_date=date(2026, 3, 11)),
        factories.make_policy(insurer=insurer, effective_date=date(2026, 3, 13), expiration_date=date(2026, 3, 14)),
        factories.make_policy(insurer=insurer, effective_date=date(2026, 3, 8), expiration_date=date(2026, 3, 9)),
    ]
    factories.make_policy(insurer=other, effective_date=date(2026, 1, 1), expiration_date=date(2027, 1, 1))
    series = metrics.policies_in_force_by_day(insurer.id, "2026-03-09", "2026-03-15")
    expected = [(d, sum(p.in_force_on(d) for p in policies))
                for d in (date(2026, 3, 9) + timedelta(days=i) for i in range(7))]
    assert [(s.day, s.count) for s in series] == expected
    assert [s.count for s in series] == [2, 3, 2, 1, 2, 1, 1]
    for day, count in expected:
        assert metrics.policies_in_force_on(insurer.id, day) == count
    assert [s.count for s in metrics.policies_in_force_by_day(insurer.id, "2026-03-13", "2026-03-13")] == [2]
    assert metrics.policies_in_force_on(other.id, "2030-01-01") == 0


def test_claims_against_aggregate_totals_and_the_most_used_policies(db):
    insurer = factories.make_insurer()
    half = factories.make_policy(insurer=insurer, aggregate_limit=D("2000000.00"), claims_paid=D("1000000.00"))
    small = factories.make_policy(insurer=insurer, aggregate_limit=D("1000000.00"), claims_paid=D("900000.00"))
    factories.make_policy(insurer=insurer, aggregate_limit=D("3000000.00"))  # in force, no claims
    factories.make_policy(insurer=insurer, aggregate_limit=D("1000000.00"), claims_paid=D("5000.00"),
                          effective_date=date(2025, 1, 1), expiration_date=date(2026, 1, 1))  # expired
    result = metrics.claims_against_aggregate(insurer.id, "2026-06-01")
    assert (result.policies, result.aggregate_limit, result.claims_paid, result.aggregate_remaining) == (
        3, D("6000000.00"), D("1900000.00"), D("4100000.00"))
    assert result.used_share == pytest.approx(1900000 / 6000000)
    assert [(p.policy_number, p.claims_paid, p.aggregate_remaining) for p in result.top] == [
        (small.policy_number, D("900000.00"), D("100000.00")),
        (half.policy_number, D("1000000.00"), D("1000000.00"))]
    assert result.top[0].used_share == pytest.approx(0.9)
    assert [p.policy_number for p in metrics.claims_against_aggregate(insurer.id, "2026-06-01", top=1).top] == [
        small.policy_number]
    assert metrics.claims_against_aggregate(insurer.id, "2026-06-01", top=0).top == []
    empty = metrics.claims_against_aggregate(insurer.id, "2030-01-01")
    assert (empty.policies, empty.aggregate_limit, empty.claims_paid, empty.used_share, empty.top) == (
        0, D("0.00"), D("0.00"), 0.0, [])
    with pytest.raises(ValidationError) as caught:
        metrics.claims_against_aggregate(insurer.id, "2026-06-01", top=101)
    assert "top" in caught.value.fields


def test_weekly_and_daily_standings_agree_with_the_rule_applied_to_every_policy(db):
    """The shortcuts (only policies that can count, judged again only when a date changes something)
    give what the domain rule gives on all of a seller's policies, seller by seller, week by week."""
    import random

    from accelerator.services import sales

    rng = random.Random(2026)
    insurers = [factories.make_insurer(am_best_rating=r) for r in ("A+", "B")]
    sellers = []
    for _ in range(30):
        seller = factories.make_seller()
        sellers.append(seller.seller_id)
        for month in rng.sample(range(1, 13), rng.randint(0, 3)):
            factories.make_monthly_sales(seller.seller_id, date(2025, month, 1), rng.choice(["900.00", "25000.00"]))
        for _ in range(rng.randint(0, 3)):
            effective = date(2025, 6, 1) + timedelta(days=rng.randint(0, 300))
            expiration = effective + timedelta(days=rng.choice([30, 90, 365]))
            cancelled = effective + timedelta(days=rng.randint(1, 25)) if rng.random() < 0.25 else None
            upload = rng.random() < 0.4
            factories.make_policy(
                seller_id=seller.seller_id, insurer=None if upload else rng.choice(insurers),
                source="seller_upload" if upload else "insurer",
                verification=rng.choice(["verified", "pending", "rejected"]) if upload else "verified",
                effective_date=effective, expiration_date=expiration, cancellation_date=cancelled,
                deductible=rng.choice([D("2500.00"), D("25000.00")]),
                per_occurrence_limit=D("1000000.00"), aggregate_limit=D("2000000.00"))
    weeks = metrics.compliance_by_week("2025-09-03", "2026-02-10")
    statuses = set()
    for week in weeks:
        truth = [sales.seller_compliance(s, week.on).result.status for s in sellers]
        statuses.update(truth)
        assert (week.required, week.compliant, week.pending_verification, week.due, week.overdue) == (
            sum(t != "not_required" for t in truth), truth.count("compliant"), truth.count("pending_verification"),
            truth.count("due"), truth.count("overdue")), week.on
    assert statuses == set(metrics.STATUSES)  # the data reached every status
    for day in (date(2025, 10, 15), date(2026, 1, 31)):
        standings = {s.seller_id: s for s in metrics.seller_standings(day)}
        for seller in sellers:
            truth = sales.seller_compliance(seller, day)
            got = standings[seller]
            assert (got.status, got.required_since, got.deadline, got.policy_number) == (
                truth.result.status, truth.result.required_since, truth.result.deadline,
                truth.policy.policy_number if truth.policy else None)


def test_premium_bound_and_premium_taking_effect_each_count_their_own_date_at_the_periods_edges(db):
    start, end = date(2026, 3, 2), date(2026, 3, 15)
    insurer = factories.make_insurer()

    def bought(premium: str, created_at: datetime, effective: date):
        request = factories.make_quote_request(routed_to=[insurer])
        quote = factories.make_quote(request, insurer, status="accepted")
        return factories.make_policy(insurer=insurer, seller_id=request.seller_id, quote_id=quote.id,
                                     source="marketplace", premium=D(premium), created_at=created_at,
                                     effective_date=effective, expiration_date=effective + timedelta(days=365))

    # Bought on the first and the last day of the period (its first and last instants): bound in it.
    bought("100.00", at(start, 0, 0, 0), date(2026, 4, 1))  # takes effect after the period
    bought("200.00", datetime(2026, 3, 15, 23, 59, 59, 999999, tzinfo=UTC), end)  # takes effect on its last day
    # Bought just outside it: not bound in it.
    bought("400.00", datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC), start)  # takes effect on its first day
    bought("800.00", at(end + timedelta(days=1), 0, 0, 0), date(2026, 3, 16))
    # Reported by an insurer: bound elsewhere; it counts only by its effective date.
    factories.make_policy(insurer=insurer, premium=D("1600.00"), created_at=at(start),
                          effective_date=date(2026, 3, 1))  # the day before the period
    factories.make_policy(insurer=insurer, premium=D("3200.00"), created_at=at(start), effective_date=start)

    assert metrics.premium_bound(start, end) == metrics.BoundPremium(2, D("300.00"))
    taking_effect = metrics.premiums_by_category(start, end)
    assert (taking_effect.policies, taking_effect.premium) == (3, D("3800.00"))  # 200 + 400 + 3,200
    assert metrics.premium_bound("2026-03-16", "2026-03-16") == metrics.BoundPremium(1, D("800.00"))
    assert metrics.premium_bound("2020-01-01", "2020-01-02") == metrics.BoundPremium(0, D("0.00"))
    with pytest.raises(ValidationError):
        metrics.premium_bound("2026-03-15", "2026-03-02")
