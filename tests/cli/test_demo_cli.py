"""`flask demo`: an empty database gets a realistic, current demo once; a second run adds nothing."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from accelerator import clock
from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.routing import InsurerAppetite, RequestProfile, fits
from accelerator.domain.values import rating_at_least
from accelerator.models import (
    ApiKey,
    AuditEntry,
    Claim,
    ClaimCase,
    Insurer,
    MonthlySales,
    Policy,
    Quote,
    QuoteRequest,
    QuoteRouting,
    Seller,
    User,
)
from accelerator.services import demo as demo_service
from accelerator.services.api_keys import hash_key
from accelerator.services.demo import loader as demo_loader
from tests import factories
from tests.cli.support import assert_failed, assert_ok, invoke, row_counts
from tests.factories import TODAY

KEY_LINE = "Marketplace API key (shown once): "
SAMPLE_GRID = Path(__file__).resolve().parents[2] / "static" / "samples" / "certificate-grid.pdf"


def _all(db, model):
    return list(db.session.execute(select(model)).scalars())


def _printed_logins(output: str) -> list[tuple[str, str]]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Demo logins"))
    logins = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        role, email = line.split()
        logins.append((role, email))
    return logins


def test_demo_fills_an_empty_database_and_prints_logins_and_a_key(app, db):
    result = invoke(app, "demo")

    assert_ok(result)
    output = result.output
    assert output.splitlines()[0] == "Demo data is in place."
    assert f"(password for all: {demo_service.DEMO_PASSWORD})" in output
    assert len(demo_service.DEMO_PASSWORD) >= 10
    assert output.splitlines()[-1].startswith("Log in at http")

    users = {u.email: u for u in _all(db, User)}
    assert Counter(u.role for u in users.values()) == {"admin": 1, "insurer": 3, "seller": 9}
    logins = _printed_logins(output)
    assert ("admin", "admin@demo.example") in logins
    assert ("seller", "seller1@demo.example") in logins
    assert sorted(logins) == sorted((u.role, email) for email, u in users.items())
    for user in users.values():
        assert check_password_hash(user.password_hash, demo_service.DEMO_PASSWORD)
        assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")

    raw = next(line[len(KEY_LINE):] for line in output.splitlines() if line.startswith(KEY_LINE))
    key = db.session.execute(select(ApiKey).where(ApiKey.prefix == raw[:12])).scalar_one()
    assert (key.role, key.state, key.key_hash) == ("marketplace", "active", hash_key(raw))


def test_demo_insurers_are_varied_and_audited(app, db):
    assert_ok(invoke(app, "demo"))

    insurers = _all(db, Insurer)
    assert len(insurers) == 12
    assert Counter(i.status for i in insurers) == {"approved": 9, "pending": 2, "suspended": 1}
    approved = [i for i in insurers if i.status == "approved"]
    assert any(not rating_at_least(i.am_best_rating, "A-") for i in approved)
    assert any(rating_at_least(i.am_best_rating, "A-") for i in approved)
    assert len({i.naic_code for i in insurers}) == 12
    assert len({frozenset(i.categories) for i in insurers}) >= 10
    for insurer in insurers:
        assert insurer.categories and set(insurer.categories) <= CATEGORY_CODES
        assert insurer.licensed_states
        assert insurer.description and insurer.contact_name and insurer.contact_email
    assert any(i.min_revenue is not None for i in insurers) and any(i.max_revenue is not None for i in insurers)
    staff = [u for u in _all(db, User) if u.role == "insurer"]
    assert {u.insurer.status for u in staff} == {"approved"}

    actions = Counter((e.action, e.object_type) for e in _all(db, AuditEntry))
    assert actions[("create", "insurer")] == 12
    assert actions[("approve", "insurer")] == 10  # the suspended one was approved first
    assert actions[("suspend", "insurer")] == 1
    assert actions[("create", "api_key")] == 1


def test_demo_policies_cover_every_kind_the_site_shows(app, db):
    assert_ok(invoke(app, "demo"))
    today = TODAY

    policies = _all(db, Policy)
    active = [p for p in policies if p.verification == "verified" and p.in_force_on(today)]
    assert len(active) == 4  # one of them confirmed by its insurer (test_demo_certificates_...)
    assert len([p for p in policies if p.expiration_date <= today]) == 1
    assert len([p for p in policies if p.cancellation_date is not None and p.cancellation_date <= today]) == 1
    pending = [p for p in policies if p.verification == "pending"]
    assert len(pending) == 3  # one of an outside insurer; two put to their insurers
    outside = [p for p in pending if p.insurer_id is None]
    assert len(outside) == 1 and outside[0].source == "seller_upload" and outside[0].insurer_name
    rejected = [p for p in policies if p.verification == "rejected"]
    assert len(rejected) == 2 and all(p.rejection_reason for p in rejected)
    assert any(p.verified_by_id for p in rejected)
    assert len([p for p in policies if p.excluded_categories]) == 1
    assert any(today < p.expiration_date <= today + timedelta(days=60) for p in active)
    assert {p.source for p in policies} == {"marketplace", "insurer", "seller_upload"}
    for policy in policies:
        if policy.insurer_id is not None:
            # An upload's number is the certificate's (the sample's GL-2026-69938, put to Harbor Mutual).
            if policy.policy_number != "GL-2026-69938":
                assert policy.policy_number.startswith(policy.insurer.policy_prefix + "-")
            assert policy.insurer_name == policy.insurer.name

    drawn = [p for p in policies if p.claims_paid > 0]
    assert len(drawn) == 1
    claims = _all(db, Claim)
    assert len(claims) >= 2 and {c.policy_id for c in claims} == {drawn[0].id}
    assert sum(c.amount_paid for c in claims) == drawn[0].claims_paid
    assert drawn[0].aggregate_remaining == drawn[0].aggregate_limit - drawn[0].claims_paid
    assert drawn[0].aggregate_remaining < drawn[0].aggregate_limit


def test_demo_sellers_sales_and_quote_requests(app, db):
    assert_ok(invoke(app, "demo"))
    today = TODAY

    sellers = _all(db, Seller)
    assert len(sellers) >= 6
    assert all(s.state and s.categories and s.legal_name for s in sellers)
    sales = _all(db, MonthlySales)
    threshold = Decimal("10000.00")
    assert any(s.gross_proceeds > threshold for s in sales) and any(s.gross_proceeds <= threshold for s in sales)
    over = {s.seller_id for s in sales if s.gross_proceeds > threshold}
    assert 0 < len(over) < len(sellers)
    assert all(s.month.day == 1 and s.month < today.replace(day=1) for s in sales)

    insurers = {i.id: i for i in _all(db, Insurer)}
    requests = _all(db, QuoteRequest)
    assert len(requests) >= 3 and {r.status for r in requests} == {"open", "closed"}
    for request in requests:
        routed = {r.insurer_id for r in request.routings}
        profile = RequestProfile(frozenset(request.categories), request.state, request.annual_revenue, "A-",
                                 request.accepts_below_minimum_rating)
        expected = {i.id for i in insurers.values() if fits(InsurerAppetite(
            i.id, i.status, frozenset(i.categories), frozenset(i.licensed_states), i.min_revenue, i.max_revenue,
            i.am_best_rating), profile)}
        assert len(routed) >= 2 and routed == expected
        assert {insurers[i].status for i in routed} == {"approved"}
        assert {q.insurer_id for q in request.quotes} <= routed
    statuses = Counter(r.status for r in _all(db, QuoteRouting))
    assert statuses["quoted"] and statuses["declined"] and statuses["open"]

    quotes = _all(db, Quote)
    assert len({q.insurer_id for q in quotes}) >= 3
    offered = [q for q in quotes if q.status == "offered"]
    assert any(q.valid_until < today for q in offered) and any(q.valid_until >= today for q in offered)
    accepted = [q for q in quotes if q.status == "accepted"]
    assert len(accepted) == 1
    bought = db.session.execute(select(Policy).where(Policy.quote_id == accepted[0].id)).scalar_one()
    assert bought.source == "marketplace" and bought.insurer_id == accepted[0].insurer_id


def test_demo_twice_adds_nothing(app, db):
    assert_ok(invoke(app, "demo"))
    before = row_counts()

    result = invoke(app, "demo")

    assert_ok(result)
    assert result.output.splitlines()[0] == "Demo data was already there; nothing added."
    assert KEY_LINE not in result.output
    assert "api-keys create --role marketplace" in result.output  # how to get a key now
    assert ("admin", "admin@demo.example") in _printed_logins(result.output)
    assert row_counts() == before


def test_demo_login_link_uses_the_served_address(app, db):
    served = app.config["SITE_URL"]
    app.config["SITE_URL"] = "http://127.0.0.1:8123"
    try:
        result = invoke(app, "demo")
    finally:
        app.config["SITE_URL"] = served
    assert_ok(result)
    assert result.output.splitlines()[-1] == "Log in at http://127.0.0.1:8123/login"


def test_a_run_that_looked_before_another_finished_still_adds_nothing(app, db, monkeypatch):
    assert_ok(invoke(app, "demo"))
    before = row_counts()
    # Its first look (outside the transaction) came just before the other run committed.
    monkeypatch.setattr(demo_loader, "_demo_committed", lambda: False)

    result = invoke(app, "demo")

    assert_ok(result)
    assert result.output.splitlines()[0] == "Demo data was already there; nothing added."
    assert row_counts() == before


def test_a_run_that_loses_the_race_for_the_admin_email_adds_nothing(app, db, monkeypatch):
    assert_ok(invoke(app, "demo"))
    before = row_counts()
    # Both looks came before the other run committed: the unique email stops this one at its first write.
    real_committed, looks = demo_loader._demo_committed, [False]
    monkeypatch.setattr(demo_loader, "_demo_committed", lambda: looks.pop() if looks else real_committed())
    monkeypatch.setattr(demo_loader, "_demo_present", lambda: False)
    monkeypatch.setattr(demo_loader, "_refuse_unless_empty", lambda: None)

    result = invoke(app, "demo")

    assert_ok(result)
    assert result.output.splitlines()[0] == "Demo data was already there; nothing added."
    assert KEY_LINE not in result.output
    assert row_counts() == before


def test_demo_refuses_a_database_that_holds_other_data(app, db):
    factories.make_insurer(name="Harbor Mutual Insurance Company")
    before = row_counts()

    result = invoke(app, "demo")

    assert_failed(result, "already holds data", "empty database")
    assert row_counts() == before


def test_demo_is_one_transaction_a_failure_leaves_nothing(app, db, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the claims step broke")

    monkeypatch.setattr(demo_loader, "load_claims", fail)

    result = invoke(app, "demo")

    assert isinstance(result.exception, RuntimeError)
    assert set(row_counts().values()) == {0}
    assert db.session.execute(select(func.count(Insurer.id))).scalar_one() == 0  # the app's session still works


def test_two_demo_runs_at_once_load_it_once(live_app, db):
    # live_app is configured as `flask` runs (on SQLite: BEGIN IMMEDIATE), unlike the test's own app.
    db.session.rollback()
    results, errors = [], []

    def run():
        try:
            with live_app.app_context():
                results.append(demo_service.load_demo())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(r.created for r in results) == [False, False, True]
    assert [bool(r.marketplace_key) for r in results] == [r.created for r in results]
    counts = row_counts()
    assert (counts["insurers"], counts["users"], counts["api_keys"], counts["claims"]) == (12, 13, 1, 4)
    assert counts["claim_cases"] == 16


def test_on_the_demo_data_the_expiring_policy_gets_its_reminder(app, db, tmp_path):
    from accelerator.models import EmailMessage

    assert_ok(invoke(app, "demo"))
    app.config["MAIL_FOLDER"] = str(tmp_path / "mail")
    assert_ok(invoke(app, "reminders", "send", "--today", TODAY.isoformat()))
    db.session.rollback()
    sent = list(db.session.execute(select(EmailMessage).where(EmailMessage.kind == "policy_expiring")).scalars())
    assert len(sent) == 1
    assert sent[0].status == "sent"
    assert "KPL-" in sent[0].subject + sent[0].text_body
    assert list((tmp_path / "mail").glob("*.eml"))


def test_demo_has_eight_weeks_of_coverage_checks_that_replay(app, db):
    from accelerator.models import CoverageCheck
    from accelerator.services import coverage

    assert_ok(invoke(app, "demo"))
    db.session.rollback()
    cases = set(db.session.execute(select(ClaimCase.check_id)).scalars())
    checks = [c for c in _all(db, CoverageCheck) if c.check_id not in cases]  # the claim cases' own checks aside
    assert len(checks) == 240
    days = {c.checked_at.date() for c in checks}
    assert len(days) == demo_service.CHECK_HISTORY_DAYS
    assert min(days) == TODAY - timedelta(days=demo_service.CHECK_HISTORY_DAYS - 1)
    assert {c.route for c in checks} == {"marketplace", "insurer", "review", "seller"}
    sample = checks[17]
    replay = coverage.get_check(sample.check_id)
    assert replay["checked_at"] == sample.checked_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert replay["route"] == sample.route


def test_demo_uploads_carry_their_certificate_pdf(app, db):
    import io

    from pypdf import PdfReader

    from accelerator.services import uploads

    assert_ok(invoke(app, "demo"))
    db.session.rollback()
    uploaded = [p for p in _all(db, Policy) if p.source == "seller_upload"]
    assert uploaded
    for policy in uploaded:
        document = uploads.policy_document(policy.id, seller_id=None, admin=True)
        content = document.path.read_bytes()
        assert uploads.pdf_problem(content) is None
        assert document.path.parent == uploads.upload_folder()
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        assert policy.policy_number in text
        # Every certificate names its insurer, but for the upload page's sample, whose seller chose another
        # insurer than the certificate names: the demo's difference for the admins to see.
        assert (policy.insurer_name in text) != (content == SAMPLE_GRID.read_bytes())


def test_demo_certificates_wait_for_are_confirmed_or_denied_by_their_insurers_and_insurers_give_notice(app, db):
    from accelerator.models import Confirmation, EmailMessage
    from accelerator.services import certificate_reads, confirmations

    assert_ok(invoke(app, "demo"))
    db.session.rollback()
    by_number = {p.policy_number: p for p in _all(db, Policy)}
    answers = {c.policy.policy_number: c for c in _all(db, Confirmation)}
    assert {n: c.status for n, c in answers.items()} == {
        "GL-2026-69938": "pending", "LGI-2026-208815": "pending", "HMI-2026-550931": "denied",
        "LGI-2026-174402": "confirmed"}
    for number, confirmation in answers.items():
        policy = by_number[number]
        assert policy.source == "seller_upload" and confirmation.insurer_id == policy.insurer_id
        assert certificate_reads.stored_read(policy.id) is not None  # read by the real reader when uploaded

    # Waiting since yesterday: read from the upload page's sample, whose insurer is not the one the seller chose.
    waiting = by_number["GL-2026-69938"]
    assert waiting.verification == "pending" and waiting.insurer.policy_prefix == "HMI"
    assert answers["GL-2026-69938"].requested_at.date() == TODAY - timedelta(days=1)
    read = certificate_reads.stored_read(waiting.id)
    assert read.fields["policy_number"] == "GL-2026-69938"
    assert read.fields["insurer_name"] == "Prairie General Insurance"
    assert read.evidence["policy_number"]["page"] == 1
    differing = {c.name for c in certificate_reads.comparison(waiting, "Pine & Maple Toys LLC", read) if c.differs}
    assert {"insurer_name", "naic_code"} <= differing and "policy_number" not in differing
    # Waiting 5 days: on the admins' overdue list, alone.
    overdue = confirmations.overdue(clock.now())
    assert [(o.confirmation.policy.policy_number, o.days) for o in overdue.items] == [("LGI-2026-208815", 5)]
    # Confirmed by Lantern's staff (verified by them), then not to be renewed; denied by Harbor with its reason.
    confirmed = by_number["LGI-2026-174402"]
    lantern = db.session.execute(select(User).where(User.email == "lantern@demo.example")).scalar_one()
    assert confirmed.verification == "verified" and confirmed.verified_by_id == lantern.id
    assert confirmed.in_force_on(TODAY) and confirmed.renewal == "not_offered"
    denied = by_number["HMI-2026-550931"]
    assert denied.verification == "rejected" and "never issued" in denied.rejection_reason
    assert answers["HMI-2026-550931"].answered_at.date() == TODAY - timedelta(days=11)
    # A notice of cancellation to come: in force until the date, the seller told.
    [cancelling] = [p for p in by_number.values() if p.cancellation_date and p.cancellation_date > TODAY]
    assert cancelling.cancellation_date == TODAY + timedelta(days=21) and cancelling.cancellation_reason
    assert cancelling.in_force_on(TODAY + timedelta(days=20))
    assert not cancelling.in_force_on(cancelling.cancellation_date)
    mail = db.session.execute(select(EmailMessage).where(EmailMessage.kind == "policy_cancellation_pending")).scalars()
    assert "seller1@demo.example" in {m.to_address for m in mail}


def test_demo_has_claim_cases_in_every_state_and_every_escalation(app, db):
    from accelerator.domain import claim_cases as rules
    from accelerator.services import claim_cases, metrics

    assert_ok(invoke(app, "demo"))
    db.session.rollback()
    cases = _all(db, ClaimCase)
    assert {c.state for c in cases} == set(rules.STATES)
    assert {c.escalation for c in cases if c.state == "escalated"} == set(rules.ESCALATIONS)
    assert {c.payment_payer for c in cases if c.state == "paid"} == {"insurer", "marketplace", "seller"}
    recoveries = sorted((c.recovery_from, c.recovery_recovered == c.recovery_due) for c in cases if c.recovery_from)
    assert recoveries == [("insurer", True), ("seller", False)]  # one fully recovered, one partly
    assert any(c.payment_payer == "marketplace" and c.recovery_from is None for c in cases)  # at its own cost
    # Made through the services at their moments: histories in order, a read changes nothing.
    for case in cases:
        assert [e.at for e in case.events] == sorted(e.at for e in case.events)
        assert case.events[0].event == "opened" and case.opened_at < clock.now() - timedelta(hours=12)
        assert claim_cases.get_case(case.case_id).case.state == case.state
    # The figures show something real over the last twelve weeks.
    start, end = TODAY - timedelta(weeks=12), TODAY
    assert metrics.cases_opened(start, end, clock.now()).total == 16
    assert all(p.answers and p.median_hours for p in metrics.answer_times(start, end, clock.now()))
    assert metrics.marketplace_money(start, end).still_due > 0
