"""Reading a certificate of insurance from its PDF: a filled form's fields, the pages' positioned text, and
OCR (Debian's Tesseract) of pages that have none. Stores nothing.

Bad files are refused before any work with a typed UnreadableCertificate: not a PDF (by its first bytes),
over 10 MiB, unopenable, encrypted, more than MAX_PAGES pages; and the whole read stops at the time
limit (30 s). The file-level signals (`edited_after_creation`, `unreadable_fields`) are said here;
those that need the database (naic_mismatch, rating_below_minimum) and the requirement check take
the read fields later (see `CertificateReading.fields`).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, PdfReadError

from accelerator.domain.certificate_fields import FIELDS, FieldReading, FormValue, Fragment, read_fields
from accelerator.domain.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 20
TIME_LIMIT = 30.0
OCR_DPI = 200  # as good as 300 dpi on the corpus (69 vs 68 of 72 fields), about 30% faster
# A page that draws an image and has less text than this is a scan: a fax header or a page number is
# not the certificate's text, which runs to hundreds of characters even in a short letter.
MIN_TEXT_CHARS = 100
TESSERACT = "/usr/bin/tesseract"
PDFTOPPM = "/usr/bin/pdftoppm"


class UnreadableCertificate(DomainError):
    """The file cannot be read as a certificate; `code` says why in the contract's terms."""

    status = 422
    code = "unreadable_document"


class NotAPdf(UnreadableCertificate):
    """The file is not a PDF at all."""

    status = 415
    code = "unsupported_media_type"


class TooLarge(UnreadableCertificate):
    """The file is larger than the 10 MiB a certificate may be."""

    status = 413
    code = "too_large"


@dataclass(frozen=True)
class Signal:
    """A sign worth a look, in the contract's form."""

    code: str
    message: str

    def as_contract(self) -> dict:
        """The contract's signal object."""
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class CertificateReading:
    """What was read: the fields (the domain's types, absent where unread), their evidence, the signals."""

    reading: FieldReading
    signals: tuple[Signal, ...]
    pages: int
    ocr_pages: int

    @property
    def fields(self) -> dict[str, object]:
        """The fields read, as Decimal, date, bool and str: the seam for the requirement and insurer checks."""
        return dict(self.reading.values)

    def as_contract(self) -> dict:
        """The `fields`, `evidence` and `signals` of the contract's answer."""
        return {"fields": self.reading.contract_fields(),
                "evidence": {name: e.as_contract() for name, e in self.reading.evidence.items()},
                "signals": [signal.as_contract() for signal in self.signals]}


def read_certificate(content: bytes, *, time_limit: float = TIME_LIMIT) -> CertificateReading:
    """Read a certificate PDF's fields, evidence and file-level signals, or raise UnreadableCertificate."""
    deadline = time.monotonic() + time_limit
    reader = open_pdf(content)
    form_values = form_fields(reader)
    fragments: list[Fragment] = []
    ocr_pages = 0
    for number, page in enumerate(reader.pages, start=1):
        _check_time(deadline)
        found = text_fragments(page, number)
        if sum(len(f.text.strip()) for f in found) < MIN_TEXT_CHARS and page_has_images(page):
            found = ocr_fragments(content, number, deadline)
            ocr_pages += 1
        fragments += found
    reading = read_fields(fragments, form_values)
    return CertificateReading(reading, file_signals(content, reader, reading), len(reader.pages), ocr_pages)


def open_pdf(content: bytes) -> PdfReader:
    """The file opened, or UnreadableCertificate saying why it will not be read."""
    if len(content) > MAX_BYTES:
        raise TooLarge("The file is larger than 10 MiB; a certificate of insurance is much smaller.")
    if not content.lstrip(b"\r\n\t ")[:5] == b"%PDF-":
        raise NotAPdf("This file is not a PDF. Send the certificate of insurance as a PDF document.")
    try:
        reader = PdfReader(io.BytesIO(content))
        # Many agencies' PDFs are encrypted with an empty password (only printing or copying restricted):
        # those open; one that needs a password to be opened does not.
        if reader.is_encrypted and not _opens_without_password(reader):
            raise UnreadableCertificate("This PDF is encrypted (password-protected); send an unprotected copy.")
        count = len(reader.pages)
    except UnreadableCertificate:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise UnreadableCertificate(
            f"This PDF cannot be opened ({type(exc).__name__}); save or export it again.") from exc
    if count == 0:
        raise UnreadableCertificate("This PDF has no pages.")
    if count > MAX_PAGES:
        raise UnreadableCertificate(f"This PDF has {count} pages; a certificate has at most {MAX_PAGES}.")
    return reader


def _opens_without_password(reader: PdfReader) -> bool:
    """Whether an encrypted PDF opens with the empty password (and a cipher pypdf can use here)."""
    try:
        return reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except (PdfReadError, DependencyError, NotImplementedError, ValueError):
        return False


def form_fields(reader: PdfReader) -> list[FormValue]:
    """The filled text and checkbox fields of the form, with the page each widget is on."""
    found = []
    for number, page in enumerate(reader.pages, start=1):
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue
            parent = widget.get("/Parent")
            holder = widget if "/T" in widget or parent is None else parent.get_object()
            value = holder.get("/V", widget.get("/V"))
            if value is None or "/T" not in holder:
                continue
            text = str(value).lstrip("/")
            if text in ("Off", ""):
                continue
            found.append(FormValue(number, str(holder.get("/TU") or holder["/T"]), text))
            if "/TU" in holder:  # the tooltip is the label people read; the name may be a code
                found.append(FormValue(number, str(holder["/T"]), text))
    return found


def text_fragments(page, number: int) -> list[Fragment]:
    """The page's text as positioned fragments (one per text-showing operation), y growing downwards."""
    height = float(page.mediabox.height)
    found: list[Fragment] = []

    def visit(text, cm, tm, font_dict, font_size):
        """Keep each non-empty run with its position on the page."""
        text = text.replace("\n", " ").strip()
        if not text:
            return
        size = (font_size or 10) * (abs(tm[3]) or 1) * (abs(cm[3]) or 1)
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        found.append(Fragment(number, "text", text, x, height - y - size, x + 0.5 * size * len(text), height - y))

    try:
        page.extract_text(visitor_text=visit)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UnreadableCertificate(f"Page {number} of this PDF cannot be read; save or export it again.") from exc
    return found


def page_has_images(page) -> bool:
    """Whether the page draws any image (a scan), without decoding it."""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    xobjects = resources.get("/XObject")
    if xobjects is None:
        return False
    xobjects = xobjects.get_object()
    return any(xobjects[name].get_object().get("/Subtype") in ("/Image", "/Form") for name in xobjects)


def ocr_fragments(content: bytes, number: int, deadline: float) -> list[Fragment]:
    """The page rendered (pdftoppm) and read by Tesseract (TSV: words with boxes), grouped into fragments."""
    with tempfile.TemporaryDirectory(prefix="certread-") as folder:
        source = os.path.join(folder, "in.pdf")
        with open(source, "wb") as handle:
            handle.write(content)
        _run([PDFTOPPM, "-r", str(OCR_DPI), "-gray", "-png", "-f", str(number), "-l", str(number), "-singlefile",
              source, os.path.join(folder, "page")], deadline)
        tsv = _run([TESSERACT, os.path.join(folder, "page.png"), "stdout", "-l", "eng", "--psm", "3", "tsv"], deadline)
    return ocr_words_to_fragments(tsv.decode("utf-8", "replace"), number)


def _run(command: list[str], deadline: float) -> bytes:
    """A program's output, killed at the deadline; UnreadableCertificate when it fails or runs out of time."""
    if not shutil.which(command[0]):
        raise UnreadableCertificate("This PDF is a scan and this server cannot read scans (no OCR installed).")
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        _check_time(deadline)
    try:
        done = subprocess.run(command, capture_output=True, timeout=remaining, check=False,  # noqa: S603 (our own paths)
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"})  # one thread: the cores are shared
    except subprocess.TimeoutExpired as exc:
        raise UnreadableCertificate("Reading this PDF took too long; send a smaller or clearer copy.") from exc
    if done.returncode != 0:
        raise UnreadableCertificate("A scanned page of this PDF cannot be read; send a clearer copy.")
    return done.stdout


def ocr_words_to_fragments(tsv: str, number: int) -> list[Fragment]:
    """Tesseract's words grouped as its lines, each line split where a gap is wider than a letter's height."""
    lines: dict[tuple, list[tuple[int, int, int, int, str]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip().strip("‘’“”'`,_~")  # specks read as quotes or commas
        if row.get("level") != "5" or float(row.get("conf") or -1) < 0 or not re.search(r"[A-Za-z0-9\[\]$&]", text):
            continue  # no word, or a speck read as punctuation
        key = (row["block_num"], row["par_num"], row["line_num"])
        left, top, width, height = (int(row[k]) for k in ("left", "top", "width", "height"))
        lines.setdefault(key, []).append((left, top, left + width, top + height, text))
    found = []
    for words in lines.values():
        words.sort()
        run = [words[0]]
        for word in words[1:]:
            size = max(b[3] - b[1] for b in run)
            if word[0] - run[-1][2] > size:  # far wider than a space: the next cell
                found.append(_fragment(run, number))
                run = []
            run.append(word)
        found.append(_fragment(run, number))
    return found


def _fragment(words: list[tuple[int, int, int, int, str]], number: int) -> Fragment:
    """One run of OCR words as a fragment."""
    return Fragment(number, "ocr", " ".join(w[4] for w in words), min(w[0] for w in words),
                    min(w[1] for w in words), max(w[2] for w in words), max(w[3] for w in words))


def _check_time(deadline: float) -> None:
    """Stop a read that has run past its time limit."""
    if time.monotonic() > deadline:
        raise UnreadableCertificate("Reading this PDF took too long; send a smaller or clearer copy.")


_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?")


def file_signals(content: bytes, reader: PdfReader, reading: FieldReading) -> tuple[Signal, ...]:
    """The signals the file alone gives: edited after it was made, and too few fields read."""
    signals = []
    edited = edit_evidence(content, reader)
    if edited:
        signals.append(Signal("edited_after_creation", edited))
    read = len(reading.values)
    if read == 0:
        signals.append(Signal("unreadable_fields", "No field of a certificate could be read: is this a certificate "
                                                   "of insurance, in English, and is the page not blank?"))
    elif read * 2 < len(FIELDS):
        signals.append(Signal("unreadable_fields", f"Only {read} of the {len(FIELDS)} fields could be read."))
    return tuple(signals)


def edit_evidence(content: bytes, reader: PdfReader) -> str | None:
    """Why the file looks changed after it was made (incremental updates, a later modification date), or None."""
    ends = content.count(b"%%EOF")
    linearized = b"/Linearized" in content[:2048]  # a linearized file has two sections from the start
    if ends > (2 if linearized else 1):
        return f"The file was saved {ends - 1} more time(s) after it was made (incremental updates)."
    try:
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError):
        return None
    created, modified = _pdf_moment(info.get("/CreationDate")), _pdf_moment(info.get("/ModDate"))
    if created and modified and modified > created:
        return "The file's modification date is after its creation date."
    return None


def _pdf_moment(value: object) -> tuple | None:
    """A PDF date (`D:20260101120000`) as comparable numbers, ignoring the zone; None when absent."""
    match = _PDF_DATE.match(str(value or ""))
    return tuple(int(part or 0) for part in match.groups()) if match else None

