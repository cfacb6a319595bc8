"""The next-step rule (domain/guidance.py): one test per standing a seller can be in."""

from __future__ import annotations

from datetime import date, timedelta

from accelerator.domain.compliance import COMPLIANT, DUE, NOT_REQUIRED, OVERDUE, PENDING_VERIFICATION
from accelerator.domain.guidance import OpenRequestFacts, RenewalFacts, SellerStanding, next_steps

DAY = date(2027, 3, 10)  # a fixed day: the rule is pure, it reads no clock
WINDOW = 60


def _standing(status: str, **values) -> SellerStanding:
    return SellerStanding(status=status, today=DAY, window_days=WINDOW, **values)


def _policy(days_left: int, *, can_start: bool = False, open_request_id: int | None = None,
            continued: bool = False, policy_id: int = 1, number: str = "HM-1") -> RenewalFacts:
    return RenewalFacts(policy_id=policy_id, policy_number=number, expiration_date=DAY + timedelta(days=days_left),
                        days_left=days_left, can_start=can_start, open_request_id=open_request_id,
                        continued=continued, in_window=0 < days_left <= WINDOW)


def _request(request_id: int = 7, *, valid: int = 0, expired: int = 0, waiting: int = 0) -> OpenRequestFacts:
    return OpenRequestFacts(request_id=request_id, asked_on=DAY - timedelta(days=3), valid_quotes=valid,
                            expired_quotes=expired, insurers_waiting=waiting)


def _kinds(standing: SellerStanding) -> list[str]:
    return [step.kind for step in next_steps(standing)]


def test_not_required_has_nothing_to_do():
    assert next_steps(_standing(NOT_REQUIRED)) == []


def test_not_required_but_declared_over_the_threshold_with_nothing_in_force_gets_covered_ahead():
    assert _kinds(_standing(NOT_REQUIRED, declared_over_threshold=True)) == ["ask", "upload"]
    assert _kinds(_standing(NOT_REQUIRED, declared_over_threshold=True, in_force_count=1)) == []


def test_required_and_due_without_a_policy_asks_for_quotes_or_an_upload():
    steps = next_steps(_standing(DUE))
    assert [s.kind for s in steps] == ["ask", "upload"]
    assert steps[0].text == "Ask insurers for quotes: one request goes to every insurer that fits."


def test_overdue_says_the_deadline_has_passed_and_offers_the_same_two_ways():
    steps = next_steps(_standing(OVERDUE))
    assert [s.kind for s in steps] == ["ask", "upload"]
    assert steps[0].text.startswith("The deadline has passed")


def test_pending_verification_only_waits_even_with_quotes_waiting():
    assert _kinds(_standing(PENDING_VERIFICATION, open_requests=(_request(valid=2),))) == ["wait"]


def test_compliant_never_offers_quotes_to_buy_or_a_new_request():
    standing = _standing(COMPLIANT, cover_ends=DAY + timedelta(days=200), in_force_count=1,
                         open_requests=(_request(valid=3),), policies=(_policy(200),))
    assert next_steps(standing) == []


def test_compliant_but_expiring_renews_the_policy():
    standing = _standing(COMPLIANT, cover_ends=DAY + timedelta(days=20), in_force_count=1,
                         policies=(_policy(20, can_start=True),), open_requests=(_request(valid=1),))
    steps = next_steps(standing)
    assert [(s.kind, s.policy_id) for s in steps] == [("renew", 1)]
    assert steps[0].text == "Renew policy HM-1: it expires in 20 days, on March 30, 2027."


def test_compliant_but_expiring_with_the_renewal_asked_compares_the_renewal_quotes():
    standing = _standing(COMPLIANT, cover_ends=DAY + timedelta(days=20), in_force_count=1,
                         policies=(_policy(20, open_request_id=9),))
    steps = next_steps(standing)
    assert [(s.kind, s.request_id) for s in steps] == [("renewal_quotes", 9)]


def test_the_renewal_window_edge_decides_whether_cover_is_expiring():
    # Cover ending on the window's last day is expiring; a day later it is not.
    inside = _standing(COMPLIANT, cover_ends=DAY + timedelta(days=WINDOW), in_force_count=1)
    outside = _standing(COMPLIANT, cover_ends=DAY + timedelta(days=WINDOW + 1), in_force_count=1)
    assert _kinds(inside) == ["ask", "upload"] and _kinds(outside) == []


def test_compliant_cover_ending_with_no_renewal_possible_asks_for_a_new_policy():
    steps = next_steps(_standing(COMPLIANT, cover_ends=DAY + timedelta(days=15), in_force_count=1))
    assert [s.kind for s in steps] == ["ask", "upload"]
    assert steps[0].text == ("Your cover ends on March 25, 2027 and cannot be renewed here: ask insurers for "
                             "quotes for a new policy.")


def test_open_quotes_waiting_are_compared_instead_of_asking_again():
    steps = next_steps(_standing(DUE, open_requests=(_request(7, valid=2), _request(8, waiting=3))))
    assert [(s.kind, s.request_id) for s in steps] == [("quotes", 7), ("await", 8), ("upload", None)]
    assert steps[0].text == "Compare the 2 quotes on your request of March 7, 2027 and buy one."
    assert steps[1].text == ("Your request of March 7, 2027 is with 3 insurers that have not answered yet: "
                             "their quotes appear here.")


def test_a_request_whose_quotes_all_expired_asks_those_insurers_again_and_for_new_quotes():
    steps = next_steps(_standing(DUE, open_requests=(_request(7, expired=2),)))
    assert [(s.kind, s.request_id) for s in steps] == [("ask_again", 7), ("ask", None), ("upload", None)]


def test_not_required_still_points_at_quotes_the_seller_asked_for():
    assert _kinds(_standing(NOT_REQUIRED, open_requests=(_request(valid=1),))) == ["quotes"]


def test_renewals_come_first_then_getting_covered_when_the_policy_does_not_meet_the_requirement():
    standing = _standing(DUE, policies=(_policy(40, can_start=True, policy_id=2, number="B-2"),
                                        _policy(20, can_start=True, policy_id=1, number="A-1")))
    assert [(s.kind, s.policy_number) for s in next_steps(standing)] == [
        ("renew", "A-1"), ("renew", "B-2"), ("ask", None), ("upload", None)]
