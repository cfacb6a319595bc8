"""A varied corpus of certificates of insurance, each with its truth: ACORD-25-like grids, letters of
evidence in prose or as key/value lines, filled PDF forms, and scans (a page rendered at 200 dpi, turned
by a degree or two, speckled, embedded as an image-only PDF). Labels, date and money formats vary the way
agencies' systems vary them; some files are saved again after they were made (an incremental update).

    python -m bench.certificate_corpus OUT_FOLDER [COUNT_PER_KIND]   writes NAME.pdf and truth.json
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageFilter
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, FloatObject, NameObject, TextStringObject

KINDS = ("grid", "letter", "form", "scan")
INSUREDS = ("Acme Goods LLC", "Blue Heron Candles Inc.", "Northwind Outfitters Co.", "Pine & Maple Toys LLC",
            "Sunrise Kitchenware Ltd", "Copper Kettle Foods LLC")
INSURERS = ("Harbor Mutual Insurance Company", "Granite State Casualty", "Lakeshore Indemnity Co.",
            "Summit Fire & Marine", "Prairie General Insurance")
# Every file says it was made at this moment, so that a certificate is the same bytes on every run.
MADE_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HOLDERS = ("Marketplace Services LLC", "Main Street Market Inc.", "Open Bazaar Holdings")
LABELS = {
    "insured_name": ("INSURED", "Named Insured", "Insured"),
    "insurer_name": ("INSURER A :", "Insurer", "Insurance Company", "Carrier"),
    "naic_code": ("NAIC #", "NAIC Code", "NAIC No."),
    "policy_number": ("POLICY NUMBER", "Policy No.", "Policy #"),
    "effective_date": ("POLICY EFF (MM/DD/YYYY)", "Effective Date", "Policy Eff", "Inception Date"),
    "expiration_date": ("POLICY EXP (MM/DD/YYYY)", "Expiration Date", "Policy Exp", "Expiry Date"),
    "per_occurrence_limit": ("EACH OCCURRENCE", "Each Occurrence Limit", "Per Occurrence", "Limit per occurrence"),
    "aggregate_limit": ("GENERAL AGGREGATE", "General Aggregate Limit", "Aggregate", "Annual Aggregate"),
    "deductible": ("DEDUCTIBLE", "Deductible", "DED", "Self-Insured Retention"),
    "additional_insured": ("ADDL INSD", "Additional Insured", "Add'l Insd"),
    "certificate_holder": ("CERTIFICATE HOLDER", "Certificate Holder"),
}
FORM_NAMES = {
    "insured_name": ("InsuredName", "NAMED_INSURED"), "insurer_name": ("Insurer", "INSURER_A"),
    "naic_code": ("NAIC", "NAIC_CODE"), "policy_number": ("PolicyNumber", "POLICY_NO"),
    "effective_date": ("EffectiveDate", "POLICY_EFF_DATE"), "expiration_date": ("ExpirationDate", "POLICY_EXP_DATE"),
    "per_occurrence_limit": ("EachOccurrence", "EACH_OCCURRENCE_LIMIT"),
    "aggregate_limit": ("GeneralAggregate", "GEN_AGGREGATE"), "deductible": ("Deductible", "DEDUCTIBLE_AMOUNT"),
    "occurrence_based": ("CoverageBasis", "COVERAGE_FORM"), "additional_insured": ("AdditionalInsured", "ADDL_INSD"),
    "certificate_holder": ("CertificateHolder", "CERT_HOLDER"),
}
DATE_FORMATS = ("{d:%m/%d/%Y}", "{d:%B} {d.day}, {d.year}", "{d:%Y-%m-%d}", "{d:%b} {d.day}, {d.year}",
                "{d.day} {d:%B} {d.year}")


@dataclass
class Certificate:
    """One generated certificate: its name, kind, the PDF and the contract values it states."""

    name: str
    kind: str
    content: bytes
    truth: dict


def money_text(rng: random.Random, amount: int, *, letter: bool = False) -> str:
    """An amount as one agency or another prints it."""
    if amount == 0:
        return rng.choice(("$0", "None", "$0.00", "0"))
    styles = ["${:,}", "{:,}", "${:,}.00", "USD {:,}"]
    if letter and amount % 1_000_000 == 0:
        styles.append(f"${amount // 1_000_000}M")
    return rng.choice(styles).format(amount)


def date_text(rng: random.Random, day: date, *, grid: bool = False) -> str:
    """A date as one agency or another prints it (a grid under an MM/DD/YYYY header keeps that form)."""
    return ("{d:%m/%d/%Y}" if grid else rng.choice(DATE_FORMATS)).format(d=day)


def facts(rng: random.Random) -> dict:
    """A certificate's facts, in the domain's terms."""
    effective = date(2026, 1, 1) + timedelta(days=rng.randrange(330))
    occurrence = rng.choice((500_000, 1_000_000, 2_000_000))
    return {"insured_name": rng.choice(INSUREDS), "insurer_name": rng.choice(INSURERS),
            "naic_code": f"{rng.randrange(10000, 99999)}",
            "policy_number": rng.choice(("HX-{}", "GL-2026-{}", "CPP{}", "PL/77-{}")).format(
                rng.randrange(1000, 999999)),
            "effective_date": effective, "expiration_date": effective.replace(year=effective.year + 1),
            "per_occurrence_limit": occurrence, "aggregate_limit": occurrence * 2,
            "deductible": rng.choice((0, 1000, 2500, 5000)), "occurrence_based": rng.random() < 0.75,
            "additional_insured": rng.random() < 0.7, "certificate_holder": rng.choice(HOLDERS)}


def truth_of(fact: dict) -> dict:
    """The facts in the contract's formats."""
    out = {}
    for name, value in fact.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, int) and not isinstance(value, bool):
            value = f"{value}.00"
        out[name] = value
    return out


def new_pdf() -> FPDF:
    """A Letter page, Helvetica, no automatic breaks."""
    pdf = FPDF(unit="pt", format="Letter")
    pdf.set_creation_date(MADE_AT)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    return pdf


def grid_pdf(rng: random.Random, fact: dict) -> FPDF:
    """An ACORD-25-like grid: boxes, column headers over their cells, limits to the right of their labels."""
    label = {name: rng.choice(options) for name, options in LABELS.items()}
    pdf = new_pdf()
    put = lambda x, y, text, size=8: (pdf.set_font("Helvetica", size=size), pdf.text(x, y, text))  # noqa: E731
    put(150, 50, "CERTIFICATE OF LIABILITY INSURANCE", 14)
    put(460, 70, f"DATE (MM/DD/YYYY) {date(2026, 11, 20):%m/%d/%Y}")
    pdf.rect(30, 80, 552, 120)
    put(36, 94, "PRODUCER")
    put(36, 106, rng.choice(("Cobalt Insurance Agency", "Fenwick & Rowe Brokers", "Tidewater Agency Inc.")))
    put(36, 140, label["insured_name"])
    put(36, 152, fact["insured_name"])
    put(36, 164, f"{rng.randrange(10, 999)} Commerce Street, Springfield, IL 62701")
    put(320, 94, "INSURER(S) AFFORDING COVERAGE")
    put(530, 94, label["naic_code"])
    insurer_label = label["insurer_name"]
    put(320, 110, f"{insurer_label} {fact['insurer_name']}" if insurer_label.endswith(":") else insurer_label)
    if not insurer_label.endswith(":"):
        put(320, 122, fact["insurer_name"])
    put(530, 110 if insurer_label.endswith(":") else 122, fact["naic_code"])
    put(36, 220, "COVERAGES", 10)
    pdf.rect(30, 228, 552, 110)
    # Column headers in 6 pt, a format hint on a second line, as ACORD 25 prints them.
    for x, text in ((36, "TYPE OF INSURANCE"), (150, label["additional_insured"]), (215, label["policy_number"]),
                    (290, label["effective_date"]), (350, label["expiration_date"]), (420, "LIMITS")):
        head, _, hint = text.partition(" (")
        put(x, 236, head, 6)
        if hint:
            put(x, 244, "(" + hint, 5)
    put(36, 258, "COMMERCIAL GENERAL LIABILITY", 7)
    ticked, empty = "[X]", "[ ]"
    put(36, 272, f"{ticked if fact['occurrence_based'] else empty} OCCUR  "
                 f"{empty if fact['occurrence_based'] else ticked} CLAIMS-MADE", 7)
    put(160, 258, rng.choice(("Y", "YES", "X")) if fact["additional_insured"] else rng.choice(("N", "NO")))
    put(215, 258, fact["policy_number"], 7)
    put(290, 258, date_text(rng, fact["effective_date"], grid=True), 7)
    put(350, 258, date_text(rng, fact["expiration_date"], grid=True), 7)
    for y, name in ((258, "per_occurrence_limit"), (272, "aggregate_limit"), (286, "deductible")):
        put(420, y, label[name], 6)
        put(505, y, money_text(rng, fact[name]))
    put(420, 300, "PRODUCTS - COMP/OP AGG", 6)
    put(505, 300, money_text(rng, fact["aggregate_limit"]))
    pdf.rect(30, 600, 280, 90)
    put(36, 614, label["certificate_holder"])
    put(36, 628, fact["certificate_holder"])
    put(36, 640, "100 Market Plaza, Wilmington, DE 19801")
    put(320, 614, "AUTHORIZED REPRESENTATIVE")
    return pdf


def letter_pdf(rng: random.Random, fact: dict) -> FPDF:
    """A letter of evidence: prose, or key/value lines, or both."""
    pdf = new_pdf()
    pdf.set_font("Helvetica", size=10)
    pdf.set_xy(60, 60)
    money = {name: money_text(rng, fact[name], letter=True)
             for name in ("per_occurrence_limit", "aggregate_limit", "deductible")}
    day = {name: date_text(rng, fact[name]) for name in ("effective_date", "expiration_date")}
    basis = "an occurrence" if fact["occurrence_based"] else "a claims-made"
    addl = ("is included as an additional insured" if fact["additional_insured"]
            else "is not named as an additional insured")
    style = rng.choice(("prose", "keys", "mixed"))
    lines = [rng.choice(("Cobalt Insurance Agency", "Fenwick & Rowe Brokers")), "",
             f"{date(2026, 11, 20):%B %d, %Y}", "", "RE: Evidence of Commercial General Liability Insurance", ""]
    if style == "prose":
        lines += [f"This is to certify that {fact['insured_name']} is insured under policy number "
                  f"{fact['policy_number']}",
                  f"issued by {fact['insurer_name']} (NAIC {fact['naic_code']}) for the period from "
                  f"{day['effective_date']}",
                  f"to {day['expiration_date']}. The policy is written on {basis} basis with limits of",
                  f"{money['per_occurrence_limit']} per occurrence and {money['aggregate_limit']} in the aggregate,",
                  f"with a deductible of {money['deductible']}. {fact['certificate_holder']} {addl}.", "",
                  f"This letter is issued to {fact['certificate_holder']} as certificate holder."]
    else:
        pairs = [("Named Insured", fact["insured_name"]), ("Insurer", fact["insurer_name"]),
                 ("NAIC Code", fact["naic_code"]), ("Policy No.", fact["policy_number"]),
                 ("Policy Period", f"{day['effective_date']} to {day['expiration_date']}"),
                 ("Coverage Basis", "Occurrence" if fact["occurrence_based"] else "Claims-Made"),
                 (rng.choice(LABELS["per_occurrence_limit"][1:]), money["per_occurrence_limit"]),
                 (rng.choice(LABELS["aggregate_limit"][1:]), money["aggregate_limit"]),
                 ("Deductible", money["deductible"]),
                 ("Additional Insured", "Yes" if fact["additional_insured"] else "No"),
                 ("Certificate Holder", fact["certificate_holder"])]
        if style == "mixed":
            lines.append(f"We confirm that {fact['insured_name']} holds the coverage below, written on {basis} basis.")
            lines.append("")
            pairs = [pair for pair in pairs if pair[0] not in ("Coverage Basis",)]
        lines += [f"{key}: {value}" for key, value in pairs]
    for line in lines:
        pdf.set_x(60)
        pdf.cell(0, 14, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(60)
    pdf.cell(0, 28, "Sincerely, Authorized Representative")
    return pdf


def form_pdf(rng: random.Random, fact: dict) -> bytes:
    """A filled PDF form: labels printed on the page, the values in named text fields (AcroForm)."""
    pdf = new_pdf()
    pdf.set_font("Helvetica", size=14)
    pdf.text(150, 50, "CERTIFICATE OF LIABILITY INSURANCE")
    names = {name: rng.choice(options) for name, options in FORM_NAMES.items()}
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    fields = ArrayObject()
    for row, (name, field_name) in enumerate(names.items()):
        value = fact[name]
        if isinstance(value, bool):
            words = ("Occurrence", "Claims-Made") if name == "occurrence_based" else ("Y", "N")
            value = words[0] if value else words[1]
        elif isinstance(value, date):
            value = date_text(rng, value)
        elif isinstance(value, int):
            value = money_text(rng, value)
        top = 700 - row * 40
        widget = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject(field_name),
            NameObject("/V"): TextStringObject(str(value)), NameObject("/F"): FloatObject(4),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (200, top, 500, top + 20)]),
        })
        fields.append(writer.add_annotation(0, widget).indirect_reference)
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): fields, NameObject("/NeedAppearances"): BooleanObject(True)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scan_of(content: bytes, rng: random.Random, dpi: int = 200) -> bytes:
    """The first page rendered at `dpi`, turned 0.5 to 2 degrees, speckled, embedded alone in a PDF."""
    with tempfile.TemporaryDirectory(prefix="certcorpus-") as folder:
        source = Path(folder, "in.pdf")
        source.write_bytes(content)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", "1", "-l", "1",
                        str(source), str(Path(folder, "page"))], check=True, timeout=60)
        with Image.open(Path(folder, "page.png")) as page:
            image = page.convert("L")
    angle = rng.choice((-1, 1)) * rng.uniform(0.5, 2.0)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    # Sparse dark speckles (1 pixel in 256), from the seeded generator so each scan is the same every run.
    noise = Image.frombytes("L", image.size, rng.randbytes(image.size[0] * image.size[1])).point(
        lambda v: 0 if v < 1 else 255)
    image = Image.composite(image, noise, noise).filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80, dpi=(dpi, dpi))
    pdf = FPDF(unit="pt", format="Letter")
    pdf.set_creation_date(MADE_AT)
    pdf.add_page()
    pdf.image(buffer, x=0, y=0, w=pdf.w, h=pdf.h)
    return bytes(pdf.output())


def edited(content: bytes) -> bytes:
    """The file saved again as an incremental update (a tool changed it after it was made)."""
    writer = PdfWriter(io.BytesIO(content), incremental=True)
    writer.add_metadata({"/Producer": "Some PDF Editor 9", "/ModDate": "D:20261121090000Z"})
    out = io.BytesIO()
    writer.write(out)
    return content + out.getvalue()[len(content):] if out.getvalue().startswith(content) else out.getvalue()


def certificate(kind: str, index: int, seed: int = 25) -> Certificate:
    """The index-th certificate of a kind: the same each time for the same seed."""
    rng = random.Random(f"{seed}-{kind}-{index}")
    fact = facts(rng)
    if kind == "grid":
        content = bytes(grid_pdf(rng, fact).output())
    elif kind == "letter":
        content = bytes(letter_pdf(rng, fact).output())
    elif kind == "form":
        content = form_pdf(rng, fact)
    else:
        layout = grid_pdf(rng, fact) if rng.random() < 0.5 else letter_pdf(rng, fact)
        content = scan_of(bytes(layout.output()), rng)
    truth = truth_of(fact)
    truth["edited_after_creation"] = index % 4 == 3
    if truth["edited_after_creation"]:
        content = edited(content)
    return Certificate(f"{kind}-{index:03d}", kind, content, truth)


def corpus(count_per_kind: int, kinds: tuple[str, ...] = KINDS, seed: int = 25) -> list[Certificate]:
    """`count_per_kind` certificates of each kind."""
    return [certificate(kind, index, seed) for kind in kinds for index in range(count_per_kind)]


def main(argv: list[str]) -> None:
    """Write the corpus and its truth to a folder."""
    folder = Path(argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    truths = {}
    for item in corpus(int(argv[2]) if len(argv) > 2 else 10):
        (folder / f"{item.name}.pdf").write_bytes(item.content)
        truths[item.name] = item.truth
    (folder / "truth.json").write_text(json.dumps(truths, indent=1))
    print(folder / "truth.json")


if __name__ == "__main__":
    main(sys.argv)
