"""Bad certificate files, made at test time: encrypted, 200 pages, over 10 MiB, blank, in French, broken."""

from __future__ import annotations

import io
import random

from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter


def text_pdf(*lines: str, pages: int = 1) -> bytes:
    """A PDF of `pages` pages, each carrying the lines."""
    pdf = FPDF(unit="pt", format="Letter")
    pdf.set_font("Helvetica", size=10)
    for _ in range(pages):
        pdf.add_page()
        for row, line in enumerate(lines):
            pdf.text(60, 80 + 14 * row, line)
    return bytes(pdf.output())


def blank() -> bytes:
    """One empty page."""
    return text_pdf()


def french() -> bytes:
    """A certificate in French: its labels are none of the reader's."""
    return text_pdf("ATTESTATION D'ASSURANCE RESPONSABILITE CIVILE", "Assure : Societe Acme SARL",
                    "Assureur : Mutuelle du Port", "Numero de contrat : RC-2026-118",
                    "Periode de garantie : du 1 janvier 2026 au 1 janvier 2027",
                    "Montant par sinistre : 1 000 000 EUR", "Franchise : 5 000 EUR")


def encrypted() -> bytes:
    """A certificate behind a password."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf("Policy Number: HX-1"))))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def restricted_only(content: bytes) -> bytes:
    """A certificate encrypted with an empty password (printing restricted), as many agencies send them."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    writer.encrypt("", owner_password="owner", algorithm="RC4-128", permissions_flag=0)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def fax_header(content: bytes) -> bytes:
    """A scan with a line of real text on top, as a fax machine stamps it."""
    stamp = PdfReader(io.BytesIO(text_pdf("FAX 11/20/2026 09:14 FROM COBALT AGENCY  P. 1/1"))).pages[0]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    writer.pages[0].merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def two_hundred_pages() -> bytes:
    """200 pages of a certificate's line."""
    return text_pdf("Policy Number: HX-1", pages=200)


def huge_scan() -> bytes:
    """A scan over 10 MiB: a page of noise, which no compression makes smaller."""
    rng = random.Random(10)
    image = Image.frombytes("RGB", (2100, 2000), rng.randbytes(2100 * 2000 * 3))
    pdf = FPDF(unit="pt", format="Letter")
    pdf.add_page()
    pdf.image(image, x=0, y=0, w=pdf.w)
    return bytes(pdf.output())


def broken() -> bytes:
    """A PDF's signature and nothing a reader can use."""
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def modified_later() -> bytes:
    """A certificate written once, whose modification date is after its creation date."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf("Policy Number: HX-1"))))
    writer.add_metadata({"/CreationDate": "D:20260101090000Z", "/ModDate": "D:20261120090000Z"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


CERTIFICATE = {
    "insured_name": "Acme Goods LLC", "insurer_name": "Harbor Mutual", "naic_code": "12345",
    "policy_number": "HX-1", "effective_date": "01/01/2026", "expiration_date": "01/01/2027",
    "per_occurrence_limit": "$1,000,000", "aggregate_limit": "$2,000,000", "deductible": "$0",
    "occurrence_based": "Occurrence", "additional_insured": "Yes", "certificate_holder": "Marketplace Services LLC",
}
_CERTIFICATE_LABELS = {
    "insured_name": "Insured", "insurer_name": "Insurer", "naic_code": "NAIC #", "policy_number": "Policy Number",
    "effective_date": "Effective Date", "expiration_date": "Expiration Date",
    "per_occurrence_limit": "Each Occurrence", "aggregate_limit": "General Aggregate", "deductible": "Deductible",
    "occurrence_based": "Coverage Basis", "additional_insured": "Additional Insured",
    "certificate_holder": "Certificate Holder",
}


def certificate(**fields: str | None) -> bytes:
    """A certificate as key/value lines: CERTIFICATE's values, each overridable (None leaves the line out)."""
    values = {**CERTIFICATE, **fields}
    return text_pdf("CERTIFICATE OF LIABILITY INSURANCE",
                    *(f"{_CERTIFICATE_LABELS[name]}: {value}" for name, value in values.items() if value is not None))
