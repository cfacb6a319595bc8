"""The demo's certificates that read themselves: uploads put to their insurers (waiting, overdue, confirmed,
denied) and insurers' notices (a cancellation to come, a non-renewal), each through the real services at the
moment it happened (clock.moved_to), so the stored reads, confirmations, emails and audit entries are real."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from fpdf import FPDF
from sqlalchemy import select

from accelerator import clock
from accelerator.extensions import db
from accelerator.models import Insurer, Policy, Seller, User
from accelerator.services import audit, confirmations, policy_notices, uploads
from accelerator.services.demo.helpers import D, at_hour

SAMPLE = "certificate-grid.pdf"  # the upload page's own sample (static/samples/), as a seller would drop it


def _certificate(seller: Seller, insurer: Insurer, terms: uploads.UploadedPolicy, made: date) -> bytes:
    """A one-page agency certificate (labelled lines, as many agencies' systems print) stating the terms."""
    pdf = FPDF(format="letter")
    pdf.set_creation_date(at_hour(made, 9))  # a fixed date: the same demo every time
    pdf.add_page()
    pdf.set_font("helvetica", "B", 15)
    pdf.cell(0, 10, "CERTIFICATE OF LIABILITY INSURANCE", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    money = "${:,.0f}".format
    lines = [
        f"Insured: {seller.legal_name}", f"Insurer: {insurer.name}", f"NAIC #: {insurer.naic_code}",
        f"Policy Number: {terms.policy_number}", f"Effective Date: {terms.effective_date:%m/%d/%Y}",
        f"Expiration Date: {terms.expiration_date:%m/%d/%Y}",
        f"Each Occurrence: {money(terms.per_occurrence_limit)}", f"General Aggregate: {money(terms.aggregate_limit)}",
        f"Deductible: {money(terms.deductible)}",
        f"Coverage Basis: {'Occurrence' if terms.occurrence_based else 'Claims-made'}",
        f"Additional Insured: {'Yes' if terms.additional_insured else 'No'}",
        f"Certificate Holder: {current_app.config['MARKETPLACE_LEGAL_NAME']}",
    ]
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _terms(insurer: Insurer, number: str, effective: date, **values) -> uploads.UploadedPolicy:
    """An uploaded policy's terms, naming an insurer on the Accelerator; they meet the requirement by default."""
    fields = dict(policy_number=number, effective_date=effective, expiration_date=effective + timedelta(days=365),
                  per_occurrence_limit=D("1000000.00"), aggregate_limit=D("2000000.00"), deductible=D("1000.00"),
                  occurrence_based=True, additional_insured=True, insurer_id=insurer.id)
    fields.update(values)
    return uploads.UploadedPolicy(**fields)


def _upload(seller: Seller, terms: uploads.UploadedPolicy, content: bytes, days_ago: int) -> Policy:
    """The seller's upload `days_ago` days back (read, stored and put to its insurer by the upload service)."""
    with clock.moved_to(_ago(days_ago, hours=1)):
        actor = audit.Actor(seller.contact_email, _user_id(seller.contact_email))
        return uploads.upload_policy(actor, seller.seller_id, terms, io.BytesIO(content))


def _answer(staff: User, policy: Policy, answer: str, note: str | None, days_ago: int) -> None:
    """The insurer's staff answer the policy's confirmation `days_ago` days back."""
    confirmation = confirmations.of_policy(policy.id)
    with clock.moved_to(_ago(days_ago)):
        confirmations.answer(audit.Actor.of_user(staff), staff.insurer_id, confirmation.id, answer, note)


def _ago(days: int, hours: int = 0) -> datetime:
    """A moment whole days (and hours) before now: the pages' "waiting 5 days" reads the same at any hour the
    demo is loaded (a time of day fixed on a past date would make it 4 or 5 days by the hour of loading)."""
    return clock.now() - timedelta(days=days, hours=hours)


def _user_id(email: str) -> int:
    """A demo user's id by email."""
    return db.session.execute(select(User.id).where(User.email == email)).scalar_one()


def _staff(email: str) -> User:
    """A demo insurer's staff member by email."""
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def load_certificates(ins: dict[str, Insurer], sellers: dict[str, Seller], today: date) -> dict[str, Policy]:
    """The confirmations every state the admins and insurers see, and two notices from insurers."""
    harbor, lantern = _staff("harbor@demo.example"), _staff("lantern@demo.example")
    found = {}
    # Pine & Maple dropped the upload page's sample grid yesterday and chose Harbor Mutual as the insurer; the
    # certificate names another insurer and not the marketplace as additional insured: the admin's page shows
    # the differences, and Harbor's queue has it waiting.
    sample = (Path(current_app.static_folder) / "samples" / SAMPLE).read_bytes()
    found["waiting"] = _upload(sellers["A9"], _terms(
        ins["HMI"], "GL-2026-69938", date(2026, 8, 14), expiration_date=date(2027, 8, 14),
        per_occurrence_limit=D("2000000.00"), aggregate_limit=D("4000000.00"), deductible=D("2500.00"),
        additional_insured=False), sample, days_ago=1)
    # Copper Kettle's first upload was denied by Harbor; its corrected one, from Lantern, has waited 5 days
    # (the admins' overdue list shows it).
    start = today - timedelta(days=30)
    denied = _terms(ins["HMI"], "HMI-2026-550931", start)
    found["denied"] = _upload(sellers["B1"], denied, _certificate(sellers["B1"], ins["HMI"], denied, start), 12)
    _answer(harbor, found["denied"], "denied", "We have no policy HMI-2026-550931 on our books: this number was "
            "never issued to Copper Kettle Candles LLC.", days_ago=11)
    overdue = _terms(ins["LGI"], "LGI-2026-208815", start)
    found["overdue"] = _upload(sellers["B1"], overdue, _certificate(sellers["B1"], ins["LGI"], overdue, start), 5)
    # Blue Heron's upload was confirmed by Lantern the day after; Lantern has since said it will not renew it.
    start = today - timedelta(days=200)
    confirmed = _terms(ins["LGI"], "LGI-2026-174402", start, deductible=D("500.00"))
    found["confirmed"] = _upload(sellers["B2"], confirmed,
                                 _certificate(sellers["B2"], ins["LGI"], confirmed, start), days_ago=9)
    _answer(lantern, found["confirmed"], "confirmed", "Matches our records; in force.", days_ago=8)
    with clock.moved_to(at_hour(today - timedelta(days=2), 14)):
        policy_notices.send_notice(audit.Actor.of_user(lantern), ins["LGI"].id, confirmed.policy_number,
                                   policy_notices.Notice(policy_notices.NON_RENEWAL))
    # Harbor gave Little Oak notice that its policy will be cancelled in three weeks (in force until then).
    claims = db.session.execute(select(Policy).where(Policy.seller_id == sellers["A1"].seller_id,
                                                     Policy.insurer_id == ins["HMI"].id)).scalar_one()
    with clock.moved_to(at_hour(today - timedelta(days=1), 16)):
        policy_notices.send_notice(audit.Actor.of_user(harbor), ins["HMI"].id, claims.policy_number,
                                   policy_notices.Notice(policy_notices.CANCELLATION, today + timedelta(days=21),
                                                         "Premium not paid after two notices."))
    found["cancelling"] = claims
    return found

