"""Certificates of insurance: the ACORD 25 fields that apply to a seller's product-liability policy, the
same as a PDF (fpdf2), and the public verification link that says only whether the policy is in force.

The verification link carries a random token stored on the policy (made the first time its
certificate is shown): it cannot be guessed, reveals no id, and survives a change of SECRET_KEY.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy import select, update

from accelerator import clock
from accelerator.domain.categories import category_name
from accelerator.domain.errors import NotFound
from accelerator.domain.money import display_money
from accelerator.domain.states import state_name
from accelerator.extensions import db
from accelerator.models import Policy, Seller
from accelerator.services.sellers import policy_group

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
PRODUCER = "Insurance Accelerator"


@dataclass(frozen=True)
class Certificate:
    """The fields of a certificate of liability insurance for one policy."""

    policy_id: int
    date_issued: date
    producer: str
    insured_name: str
    insured_state: str | None
    seller_id: str
    insurer_name: str
    insurer_naic_code: str | None
    insurer_rating: str | None
    policy_number: str
    effective_date: date
    expiration_date: date
    cancellation_date: date | None
    each_occurrence: Decimal
    products_aggregate: Decimal
    deductible: Decimal
    occurrence_based: bool
    additional_insured: bool
    additional_insured_wording: str
    excluded_categories: list[str]
    holder_name: str
    verification_token: str

    @property
    def coverage_basis(self) -> str:
        """`Occurrence` or `Claims-made`, as the form's check boxes say."""
        return "Occurrence" if self.occurrence_based else "Claims-made"

    @property
    def description(self) -> str:
        """The "description of operations" box: what is sold, the additional insured, the exclusions."""
        marketplace = current_app.config["MARKETPLACE_NAME"]
        text = f"Products sold by the insured, including through {marketplace}."
        if self.additional_insured:
            text += f" {self.additional_insured_wording} are included as additional insured."
        if self.excluded_categories:
            names = ", ".join(category_name(c) for c in self.excluded_categories)
            text += f" Excluded product categories: {names}."
        return text


def additional_insured_wording() -> str:
    """The marketplace as additional insured: "<legal name> and its affiliates and assignees"."""
    return f"{current_app.config['MARKETPLACE_LEGAL_NAME']} and its affiliates and assignees"


def seller_policy(seller_id: str, policy_id: int) -> Policy:
    """One of the seller's policies, or NotFound (also for another seller's)."""
    policy = db.session.get(Policy, policy_id)
    if policy is None or policy.seller_id != seller_id:
        raise NotFound("No such policy of yours.")
    return policy


def has_certificate(policy: Policy) -> bool:
    """Only verified policies get a certificate from the Accelerator (an upload waits for its check)."""
    return policy.verification == "verified"


def ensure_token(policy: Policy) -> str:
    """The policy's verification token, made (once, even when two requests race) if it has none."""
    if policy.certificate_token:
        return policy.certificate_token
    db.session.execute(
        update(Policy).where(Policy.id == policy.id, Policy.certificate_token.is_(None))
        .values(certificate_token=secrets.token_urlsafe(32)).execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(policy)
    return policy.certificate_token


def certificate(seller_id: str, policy_id: int, today: date | None = None) -> Certificate:
    """The certificate of one of the seller's verified policies (NotFound otherwise)."""
    policy = seller_policy(seller_id, policy_id)
    if not has_certificate(policy):
        raise NotFound("This policy has no certificate until the marketplace verifies it.")
    token = ensure_token(policy)
    seller = db.session.execute(select(Seller).where(Seller.seller_id == seller_id)).scalar_one()
    return Certificate(
        policy_id=policy.id, date_issued=today or clock.now().date(), producer=PRODUCER,
        insured_name=seller.legal_name or seller.seller_id, insured_state=seller.state, seller_id=seller.seller_id,
        insurer_name=policy.insurer_name, insurer_naic_code=policy.insurer_naic_code,
        insurer_rating=policy.insurer_rating, policy_number=policy.policy_number,
        effective_date=policy.effective_date, expiration_date=policy.expiration_date,
        cancellation_date=policy.cancellation_date, each_occurrence=policy.per_occurrence_limit,
        products_aggregate=policy.aggregate_limit, deductible=policy.deductible,
        occurrence_based=policy.occurrence_based, additional_insured=policy.additional_insured,
        additional_insured_wording=additional_insured_wording(),
        excluded_categories=sorted(policy.excluded_categories),
        holder_name=current_app.config["MARKETPLACE_LEGAL_NAME"], verification_token=token,
    )


@dataclass(frozen=True)
class PolicyPage:
    """A seller's policy page: the policy, its dashboard group on `today`, and its certificate if verified."""

    policy: Policy
    group: str
    certificate: Certificate | None
    has_document: bool


def policy_page(seller_id: str, policy_id: int, today: date | None = None) -> PolicyPage:
    """One of the seller's policies with its certificate (NotFound for another seller's)."""
    today = today or clock.now().date()
    policy = seller_policy(seller_id, policy_id)
    cert = certificate(seller_id, policy_id, today) if has_certificate(policy) else None
    return PolicyPage(policy=policy, group=policy_group(policy, today), certificate=cert,
                      has_document=bool(policy.certificate_path))


# --- public verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What anybody holding a certificate may learn: the policy, its insurer, and whether it is in force."""

    policy_number: str
    insurer_name: str
    in_force: bool
    checked_on: date


def verify(token: str, today: date | None = None) -> Verification:
    """The answer behind a certificate's verification link, or NotFound for an unknown token."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise NotFound("This verification link is not valid.")
    policy = db.session.execute(select(Policy).where(Policy.certificate_token == token)).scalar_one_or_none()
    if policy is None:
        raise NotFound("This verification link is not valid.")
    today = today or clock.now().date()
    in_force = policy.verification == "verified" and policy.in_force_on(today)
    return Verification(policy.policy_number, policy.insurer_name, in_force, today)


# --- the PDF -----------------------------------------------------------------------------------------


def pdf_text(text: str) -> str:
    """Text the PDF's built-in fonts can draw (Latin-1): accents kept where possible, else '?'."""
    text = text.replace("\u2014", "-").replace("\u2013", "-").replace("\u2019", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"')
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(plain or "?")
    return "".join(out)


def _us_date(day: date | None) -> str:
    """MM/DD/YYYY, as the form writes dates."""
    return day.strftime("%m/%d/%Y") if day else ""


_LABEL = FontFace(emphasis="BOLD", size_pt=9)


def _section(pdf: FPDF, title: str, rows: list[tuple[str, str]]) -> None:
    """A shaded heading bar, then its label/value rows as a bordered table (long values wrap)."""
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(225, 231, 238)
    pdf.cell(0, 6, pdf_text(title.upper()), border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_fill_color(255, 255, 255)
    if not rows:
        return
    pdf.set_font("Helvetica", "", 10)
    with pdf.table(col_widths=(80, 106), first_row_as_headings=False, line_height=5.5,
                   text_align="LEFT", padding=1) as table:
        for label, value in rows:
            row = table.row()
            row.cell(pdf_text(label), style=_LABEL)
            row.cell(pdf_text(value))


def _box(pdf: FPDF, title: str, text: str) -> None:
    """A shaded heading bar over one bordered box of text."""
    _section(pdf, title, [])
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5.5, pdf_text(text), border=1, padding=1, new_x="LMARGIN", new_y="NEXT")


def certificate_pdf(cert: Certificate, verification_url: str) -> bytes:
    """The certificate as a one-page US Letter PDF."""
    pdf = FPDF(format="Letter")
    pdf.set_title(pdf_text(f"Certificate of liability insurance {cert.policy_number}"))
    pdf.set_author(PRODUCER)
    pdf.set_creator(PRODUCER)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(125, 9, "CERTIFICATE OF LIABILITY INSURANCE")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 9, f"DATE (MM/DD/YYYY): {_us_date(cert.date_issued)}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 7.5)
    pdf.multi_cell(0, 3.6, (
        "THIS CERTIFICATE IS ISSUED AS A MATTER OF INFORMATION ONLY AND CONFERS NO RIGHTS UPON THE "
        "CERTIFICATE HOLDER. THIS CERTIFICATE DOES NOT AFFIRMATIVELY OR NEGATIVELY AMEND, EXTEND OR ALTER "
        "THE COVERAGE AFFORDED BY THE POLICY BELOW."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _section(pdf, "Producer", [("Producer", f"{cert.producer} ({current_app.config['MARKETPLACE_NAME']})")])
    _section(pdf, "Insured", [
        ("Insured", cert.insured_name),
        ("State", state_name(cert.insured_state) if cert.insured_state else "-"),
        ("Marketplace seller ID", cert.seller_id),
    ])
    _section(pdf, "Insurer affording coverage", [
        ("Insurer A", cert.insurer_name),
        ("NAIC #", cert.insurer_naic_code or "-"),
        ("AM Best rating", cert.insurer_rating or "Not rated"),
    ])
    coverages = [
        ("Type of insurance", f"Commercial general liability - products ({cert.coverage_basis})"),
        ("Policy number", cert.policy_number),
        ("Policy effective date", _us_date(cert.effective_date)),
        ("Policy expiration date", _us_date(cert.expiration_date)),
    ]
    if cert.cancellation_date:
        coverages.append(("Cancelled from", _us_date(cert.cancellation_date)))
    coverages += [
        ("Each occurrence", display_money(cert.each_occurrence)),
        ("Products-completed operations aggregate", display_money(cert.products_aggregate)),
        ("Deductible", display_money(cert.deductible)),
        ("Additional insured", cert.additional_insured_wording if cert.additional_insured else "None"),
    ]
    _section(pdf, "Coverages", coverages)
    _box(pdf, "Description of operations", cert.description)
    _box(pdf, "Certificate holder", cert.holder_name)
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, "Verify this certificate (whether the policy is in force today):", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.set_text_color(0, 70, 140)
    pdf.multi_cell(0, 5, pdf_text(verification_url), link=verification_url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


def certificate_filename(cert: Certificate) -> str:
    """A download name: `certificate-<policy number>.pdf` (policy numbers are filename-safe)."""
    return f"certificate-{cert.policy_number}.pdf"
