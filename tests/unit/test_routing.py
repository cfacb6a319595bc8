"""Quote request routing: status, every category, the state, and the inclusive revenue band."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelerator.domain.routing import InsurerAppetite, RequestProfile, route_quote_request
from accelerator.domain.values import AM_BEST_RATINGS


def insurer(insurer_id: int = 1, **overrides) -> InsurerAppetite:
    """An approved insurer writing toys and baby in CA and NY, any revenue."""
    fields = {
        "insurer_id": insurer_id,
        "status": "approved",
        "categories": frozenset({"toys", "baby"}),
        "states": frozenset({"CA", "NY"}),
        "min_revenue": None,
        "max_revenue": None,
    }
    fields.update(overrides)
    return InsurerAppetite(**fields)


def request(categories=("toys",), state: str = "CA", revenue: str = "250000.00") -> RequestProfile:
    """A quote request from a Californian toy seller."""
    return RequestProfile(frozenset(categories), state, Decimal(revenue))


def test_an_approved_insurer_whose_appetite_fits_receives_the_request():
    assert route_quote_request([insurer(7)], request()) == [7]


@pytest.mark.parametrize("status", ["pending", "suspended", "Approved", ""])
def test_only_approved_insurers_receive_requests(status):
    assert route_quote_request([insurer(status=status)], request()) == []


def test_every_category_of_the_request_must_be_written():
    assert route_quote_request([insurer()], request(categories=("toys", "baby"))) == [1]
    assert route_quote_request([insurer()], request(categories=("toys", "pet"))) == []
    assert route_quote_request([insurer()], request(categories=("pet",))) == []


def test_an_insurer_writing_more_categories_than_asked_still_fits():
    wide = insurer(categories=frozenset({"toys", "baby", "pet", "home"}))
    assert route_quote_request([wide], request(categories=("pet",))) == [1]


def test_the_state_must_be_licensed():
    assert route_quote_request([insurer()], request(state="NY")) == [1]
    assert route_quote_request([insurer()], request(state="TX")) == []
    assert route_quote_request([insurer(states=frozenset())], request()) == []


@pytest.mark.parametrize(
    ("revenue", "routed"),
    [
        ("99999.99", False),
        ("100000.00", True),  # the minimum itself
        ("300000.00", True),
        ("500000.00", True),  # the maximum itself
        ("500000.01", False),
    ],
)
def test_the_revenue_band_is_inclusive(revenue, routed):
    banded = insurer(min_revenue=Decimal("100000.00"), max_revenue=Decimal("500000.00"))
    assert route_quote_request([banded], request(revenue=revenue)) == ([1] if routed else [])


def test_a_missing_bound_is_no_bound():
    no_max = insurer(1, min_revenue=Decimal("100000.00"))
    no_min = insurer(2, max_revenue=Decimal("100000.00"))
    assert route_quote_request([no_max, no_min], request(revenue="999999999.99")) == [1]
    assert route_quote_request([no_max, no_min], request(revenue="0.01")) == [2]
    assert route_quote_request([no_max, no_min], request(revenue="100000.00")) == [1, 2]


def test_ids_sorted_ascending_whatever_the_input_order():
    insurers = [insurer(30), insurer(4), insurer(12, status="suspended"), insurer(9)]
    assert route_quote_request(insurers, request()) == [4, 9, 30]
    assert route_quote_request(list(reversed(insurers)), request()) == [4, 9, 30]


def test_each_id_appears_once():
    assert route_quote_request([insurer(3), insurer(3)], request()) == [3]


def test_no_insurers_no_routing():
    assert route_quote_request([], request()) == []


def test_lists_in_place_of_sets_are_judged_as_sets():
    listed = insurer(categories=["baby", "toys"], states=["CA"])
    assert route_quote_request([listed], request(categories=["toys", "baby"])) == [1]
    assert route_quote_request([listed], RequestProfile(["pet"], "CA", Decimal("1.00"))) == []


def rated(rating: str | None, insurer_id: int = 1) -> InsurerAppetite:
    """An approved, fitting insurer with this AM Best rating."""
    return insurer(insurer_id, rating=rating)


def asking(min_rating: str | None = "A-", accepts_below: bool = False) -> RequestProfile:
    """A fitting request judged against `min_rating`, ticked or not for offers from insurers below it."""
    return replace(request(), min_rating=min_rating, accepts_below_minimum_rating=accepts_below)


@pytest.mark.parametrize(("rating", "routed"), [
    ("A++", True),
    ("A", True),
    ("A-", True),  # the minimum itself
    ("B++", False),  # one notch below
    ("B+", False),
    ("F", False),
    ("S", False),  # suspended by AM Best: below any minimum
    (None, False),  # not rated
    ("AAA", False),  # not an AM Best rating
])
def test_an_insurer_below_the_minimum_rating_is_not_routed_unless_the_seller_ticked_for_it(rating, routed):
    assert route_quote_request([rated(rating)], asking()) == ([1] if routed else [])
    assert route_quote_request([rated(rating)], asking(accepts_below=True)) == [1]


def test_the_minimum_comes_from_the_request_profile():
    assert route_quote_request([rated("B++")], asking(min_rating="B++")) == [1]
    assert route_quote_request([rated("B+")], asking(min_rating="B++")) == []
    assert route_quote_request([rated("A")], asking(min_rating="A+")) == []
    assert route_quote_request([rated("B")], asking(min_rating=None)) == [1]  # no minimum: rating not judged


def test_ticking_opens_the_rating_only_not_the_rest_of_the_appetite():
    below = insurer(1, rating="B+", status="pending")
    elsewhere = insurer(2, rating="B+", states=frozenset({"TX"}))
    assert route_quote_request([below, elsewhere], asking(accepts_below=True)) == []


def test_a_mixed_panel_routes_the_rated_ones_and_the_others_only_when_ticked():
    panel = [rated("A", 1), rated("A-", 2), rated("B++", 3), rated("C", 4)]
    assert route_quote_request(panel, asking()) == [1, 2]
    assert route_quote_request(panel, asking(accepts_below=True)) == [1, 2, 3, 4]


CATEGORIES = st.frozensets(st.sampled_from(["toys", "baby", "pet"]))
STATES = st.frozensets(st.sampled_from(["CA", "NY", "TX"]))
REVENUE = st.sampled_from([Decimal(v) for v in ("0.01", "100000.00", "100000.01", "500000.00", "999999999.99")])
INSURERS = st.lists(st.builds(
    InsurerAppetite,
    insurer_id=st.integers(1, 20),
    status=st.sampled_from(["approved", "pending", "suspended"]),
    categories=CATEGORIES,
    states=STATES,
    min_revenue=st.none() | REVENUE,
    max_revenue=st.none() | REVENUE,
), max_size=8)
REQUESTS = st.builds(RequestProfile, categories=CATEGORIES.filter(bool), state=st.sampled_from(["CA", "NY", "TX"]),
                     annual_revenue=REVENUE)


@given(insurers=INSURERS, profile=REQUESTS)
def test_property_routed_exactly_the_fitting_approved_insurers(insurers, profile):
    routed = route_quote_request(insurers, profile)
    assert routed == sorted(set(routed))
    expected = {
        i.insurer_id for i in insurers
        if i.status == "approved"
        and all(c in i.categories for c in profile.categories)
        and profile.state in i.states
        and not (i.min_revenue is not None and profile.annual_revenue < i.min_revenue)
        and not (i.max_revenue is not None and profile.annual_revenue > i.max_revenue)
    }
    assert set(routed) == expected


RATINGS = st.none() | st.sampled_from(AM_BEST_RATINGS)


@given(ratings=st.lists(RATINGS, max_size=8), minimum=st.sampled_from(AM_BEST_RATINGS), ticked=st.booleans())
def test_property_the_rating_rule_is_the_order_of_am_best_ratings(ratings, minimum, ticked):
    panel = [rated(r, i) for i, r in enumerate(ratings, start=1)]
    routed = route_quote_request(panel, asking(minimum, ticked))
    order = list(AM_BEST_RATINGS)
    expected = {i for i, r in enumerate(ratings, start=1)
                if ticked or (r is not None and order.index(r) <= order.index(minimum))}
    assert set(routed) == expected
