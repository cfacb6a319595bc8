"""Certificates of insurance: the ACORD 25 fields that apply to a seller's product-liability policy, the
same as a PDF (fpdf2), and the public verification link that says whether the policy is in force.

A certificate states what was true when it was issued: the named insured, their address (the state where
the business is registered) and the issue date are copied onto its row then, so a later change of the
seller's profile does not rewrite it; the policy's terms are read from the policy. A verified policy's
first certificate is issued the first time it is shown; the seller may ask for a new one (after renaming
the business, say), and every certificate issued stays listed and verifiable.

Each certificate's verification link carries a random token of its own: it cannot be guessed, reveals no
id, and survives a change of SECRET_KEY.
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import segno
from flask import current_app
from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator import clock
from accelerator.domain import certificate_check
from accelerator.domain.categories import category_name
from accelerator.domain.errors import NotFound, ValidationError
from accelerator.domain.money import display_money
from accelerator.domain.standing import Standing, policy_group, standing_on
from accelerator.domain.states import state_name
from accelerator.extensions import db
from accelerator.models import Certificate, Policy, Seller
from accelerator.services import audit

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
PRODUCER = "Insurance Accelerator"
NOT_FOUND = "No certificate has this verification link. Check the address against the certificate you hold."


@dataclass(frozen=True)
class CertificateOfInsurance:
    """The fields of one issued certificate of liability insurance: its own frozen facts and the policy's terms."""

    policy_id: int
    number: int
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
    def exclusions(self) -> str:
        """The excluded product categories by their names, or `None`."""
        return ", ".join(category_name(c) for c in self.excluded_categories) or "None"

    @property
    def description(self) -> str:
        """The "description of operations" box: what is sold, and the additional insured."""
        marketplace = current_app.config["MARKETPLACE_NAME"]
        text = f"Products sold by the insured, including through {marketplace}."
        if self.additional_insured:
            text += " " + certificate_check.additional_insured_sentence(self.additional_insured_wording)
        return text


def additional_insured_wording() -> str:
    """The marketplace as additional insured: "<legal name> and its affiliates and assignees"."""
    return certificate_check.additional_insured_wording(current_app.config["MARKETPLACE_LEGAL_NAME"])


def seller_policy(seller_id: str, policy_id: int) -> Policy:
    """One of the seller's policies, or NotFound (also for another seller's)."""
    policy = db.session.get(Policy, policy_id)
    if policy is None or policy.seller_id != seller_id:
        raise NotFound("No such policy of yours.")
    return policy


def has_certificate(policy: Policy) -> bool:
    """Only verified policies get a certificate from the Accelerator (an upload waits for its check)."""
    return policy.verification == "verified"


def certified_policy(seller_id: str, policy_id: int) -> Policy:
    """One of the seller's verified policies (NotFound otherwise: another seller's, or not verified)."""
    policy = seller_policy(seller_id, policy_id)
    if not has_certificate(policy):
        raise NotFound("This policy has no certificate until the marketplace verifies it.")
    return policy


def issued_certificates(policy_id: int) -> list[Certificate]:
    """A policy's certificates, newest first."""
    return list(db.session.execute(
        select(Certificate).where(Certificate.policy_id == policy_id).order_by(Certificate.number.desc())
    ).scalars())


def latest_certificate(policy_id: int) -> Certificate | None:
    """A policy's newest certificate, if any was issued."""
    return db.session.execute(
        select(Certificate).where(Certificate.policy_id == policy_id).order_by(Certificate.number.desc()).limit(1)
    ).scalar_one_or_none()


def _issue(policy: Policy, number: int) -> Certificate | None:
    """Issue the policy's certificate `number`, stating the seller's profile as it is today; None when a
    racing request issued that number first (the unique number keeps one)."""
    seller = db.session.execute(select(Seller).where(Seller.seller_id == policy.seller_id)).scalar_one()
    cert = Certificate(policy_id=policy.id, number=number, issued_on=clock.today(),
                       insured_name=seller.legal_name or seller.seller_id, insured_state=seller.state,
                       verification_token=secrets.token_urlsafe(32))
    db.session.add(cert)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return cert


def current_certificate(policy: Policy) -> Certificate:
    """The policy's newest certificate, issuing its first one if none was (once, even when two requests race)."""
    cert = latest_certificate(policy.id)
    if cert is None:
        cert = _issue(policy, 1) or latest_certificate(policy.id)
    return cert


def _fields(policy: Policy, cert: Certificate) -> CertificateOfInsurance:
    """What one issued certificate states."""
    return CertificateOfInsurance(
        policy_id=policy.id, number=cert.number, date_issued=cert.issued_on, producer=PRODUCER,
        insured_name=cert.insured_name, insured_state=cert.insured_state, seller_id=policy.seller_id,
        insurer_name=policy.insurer_name, insurer_naic_code=policy.insurer_naic_code,
        insurer_rating=policy.insurer_rating, policy_number=policy.policy_number,
        effective_date=policy.effective_date, expiration_date=policy.expiration_date,
        cancellation_date=policy.cancellation_date, each_occurrence=policy.per_occurrence_limit,
        products_aggregate=policy.aggregate_limit, deductible=policy.deductible,
        occurrence_based=policy.occurrence_based, additional_insured=policy.additional_insured,
        additional_insured_wording=additional_insured_wording(),
        excluded_categories=sorted(policy.excluded_categories),
        holder_name=current_app.config["MARKETPLACE_LEGAL_NAME"], verification_token=cert.verification_token,
    )


def certificate(seller_id: str, policy_id: int, number: int | None = None) -> CertificateOfInsurance:
    """One certificate of one of the seller's verified policies: its newest (issued now if it has none), or
    the one with that number (NotFound otherwise)."""
    policy = certified_policy(seller_id, policy_id)
    if number is None:
        return _fields(policy, current_certificate(policy))
    cert = db.session.execute(
        select(Certificate).where(Certificate.policy_id == policy.id, Certificate.number == number)
    ).scalar_one_or_none()
    if cert is None:
        raise NotFound("This policy has no certificate with that number.")
    return _fields(policy, cert)


@dataclass(frozen=True)
class Reissue:
    """The outcome of asking for a new certificate: the newest one, and whether this request issued it."""

    certificate: Certificate
    created: bool


def issue_certificate(actor: audit.Actor, seller_id: str, policy_id: int, superseding: int | None) -> Reissue:
    """Issue a new certificate of one of the seller's verified policies, stating the profile as it is today.

    `superseding` is the number of the newest certificate the seller saw when asking: a second click, or
    a second tab, that asks to replace a certificate already replaced gets the newer one, not a third.
    """
    policy = certified_policy(seller_id, policy_id)
    if superseding is None:
        raise ValidationError("That request was incomplete: reload the page and ask again.")
    latest = current_certificate(policy)
    if latest.number != superseding:
        return Reissue(latest, created=False)
    audit.record(actor, "issue_certificate", "policy", policy.id, number=superseding + 1)
    cert = _issue(policy, superseding + 1)
    if cert is None:
        return Reissue(latest_certificate(policy.id), created=False)
    return Reissue(cert, created=True)


@dataclass(frozen=True)
class PolicyPage:
    """A seller's policy page: the policy, its dashboard group on `today`, its newest certificate if verified
    and every certificate issued (newest first)."""

    policy: Policy
    group: str
    certificate: CertificateOfInsurance | None
    certificates: list[Certificate]
    has_document: bool


def policy_page(seller_id: str, policy_id: int, today: date | None = None) -> PolicyPage:
    """One of the seller's policies with its certificates (NotFound for another seller's)."""
    today = today or clock.today()
    policy = seller_policy(seller_id, policy_id)
    cert = certificate(seller_id, policy_id) if has_certificate(policy) else None
    issued = issued_certificates(policy.id) if cert else []
    return PolicyPage(policy=policy, group=policy_group(policy.terms(), today), certificate=cert, certificates=issued,
                      has_document=bool(policy.certificate_path))


# --- public verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What anybody holding a certificate may learn: whom and what it names, and whether it is in force."""

    insured_name: str
    date_issued: date
    policy_number: str
    insurer_name: str
    effective_date: date
    expiration_date: date
    cancellation_date: date | None
    each_occurrence: Decimal
    products_aggregate: Decimal
    standing: Standing
    checked_on: date

    @property
    def in_force(self) -> bool:
        """Whether the policy is in force on the day checked."""
        return self.standing.in_force


def verify(token: str, today: date | None = None) -> Verification:
    """The answer behind a certificate's verification link, or NotFound for an unknown token."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise NotFound(NOT_FOUND)
    row = db.session.execute(
        select(Certificate, Policy).join(Policy, Policy.id == Certificate.policy_id)
        .where(Certificate.verification_token == token)
    ).one_or_none()
    if row is None:
        raise NotFound(NOT_FOUND)
    cert, policy = row
    today = today or clock.today()
    return Verification(
        insured_name=cert.insured_name, date_issued=cert.issued_on, policy_number=policy.policy_number,
        insurer_name=policy.insurer_name, effective_date=policy.effective_date,
        expiration_date=policy.expiration_date, cancellation_date=policy.cancellation_date,
        each_occurrence=policy.per_occurrence_limit, products_aggregate=policy.aggregate_limit,
        standing=standing_on(policy.terms(), today), checked_on=today)


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


QR_SCALE = 4  # PNG pixels a module: sharp when printed at QR_SIZE_MM
QR_SIZE_MM = 34


def verification_qr(verification_url: str) -> segno.QRCode:
    """The verification link as a QR code (error correction M, the usual choice for print)."""
    return segno.make_qr(verification_url, error="m")


def qr_png(verification_url: str) -> bytes:
    """The QR code as a black-on-white PNG, QR_SCALE pixels a module, with the standard 4-module quiet zone."""
    out = io.BytesIO()
    verification_qr(verification_url).save(out, kind="png", scale=QR_SCALE, border=4)
    return out.getvalue()


def qr_svg_data_uri(verification_url: str) -> str:
    """The QR code as an SVG `data:` URI for the printable page (the site's CSP allows data: images)."""
    return verification_qr(verification_url).svg_data_uri(border=4, light="#fff", omitsize=True)


def _verification_block(pdf: FPDF, verification_url: str) -> None:
    """The QR code of the verification link beside the words that say what it is and the link itself."""
    if pdf.get_y() + QR_SIZE_MM > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    pdf.image(io.BytesIO(qr_png(verification_url)), x=pdf.l_margin, y=top, w=QR_SIZE_MM, h=QR_SIZE_MM,
              link=verification_url, alt_text="QR code of the verification link")
    text_x = pdf.l_margin + QR_SIZE_MM + 3
    pdf.set_xy(text_x, top + 4)
    width = pdf.w - pdf.r_margin - text_x
    pdf.set_font("Helvetica", "B", 9)
    pdf.multi_cell(width, 5, "Verify this certificate", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(width, 5, "Scan the code, or open the link below, to see whether the policy is in force "
                   "on the day you look.", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0, 70, 140)
    pdf.multi_cell(width, 5, pdf_text(verification_url), link=verification_url, new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, max(pdf.get_y(), top + QR_SIZE_MM))


def certificate_pdf(cert: CertificateOfInsurance, verification_url: str) -> bytes:
    """The certificate as a one-page US Letter PDF, its verification link also as a QR code."""
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
        ("Certificate number", f"{cert.policy_number}/{cert.number}"),
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
        ("Excluded product categories", cert.exclusions),
    ]
    _section(pdf, "Coverages", coverages)
    _box(pdf, "Description of operations", cert.description)
    _box(pdf, "Certificate holder", cert.holder_name)
    pdf.ln(4)
    _verification_block(pdf, verification_url)
    return bytes(pdf.output())


def certificate_filename(cert: CertificateOfInsurance) -> str:
    """A download name: `certificate-<policy number>.pdf`, `-<number>` added from the second certificate on
    (policy numbers are filename-safe)."""
    suffix = f"-{cert.number}" if cert.number > 1 else ""
    return f"certificate-{cert.policy_number}{suffix}.pdf"
