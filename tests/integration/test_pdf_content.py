"""Active content in uploaded PDFs: each kind refused with its reason; plain PDFs (and plain destinations) pass."""

from __future__ import annotations

import pytest

from accelerator.services import pdf_content, uploads
from tests import active_pdfs, factories

REFUSED = [
    (active_pdfs.open_action_javascript, pdf_content.JAVASCRIPT),
    (active_pdfs.document_javascript, pdf_content.JAVASCRIPT),
    (active_pdfs.hex_escaped_javascript, pdf_content.JAVASCRIPT),
    (active_pdfs.launch_action, pdf_content.LAUNCH),
    (active_pdfs.embedded_file, pdf_content.EMBEDDED),
    (active_pdfs.rich_media, pdf_content.RICH_MEDIA),
    (active_pdfs.xfa_form, pdf_content.XFA),
    (active_pdfs.page_open_action, pdf_content.AUTOMATIC),
    (active_pdfs.open_action_uri, pdf_content.AUTOMATIC),
    (active_pdfs.html_polyglot, pdf_content.POLYGLOT),
    (active_pdfs.html_polyglot_at_the_end, pdf_content.POLYGLOT),
]


@pytest.mark.parametrize(("build", "reason"), REFUSED, ids=[build.__name__ for build, _ in REFUSED])
def test_active_content_is_refused_with_its_reason(build, reason):
    assert uploads.pdf_problem(build()) == reason
    assert reason.endswith("; upload a plain PDF certificate.")


def test_the_javascript_message_is_the_one_the_seller_reads():
    assert uploads.pdf_problem(active_pdfs.open_action_javascript()) == (
        "This PDF contains JavaScript; upload a plain PDF certificate.")


def test_plain_pdfs_and_plain_destinations_pass():
    assert uploads.pdf_problem(factories.make_pdf_bytes()) is None  # fpdf2 writes /OpenAction [page /FitH null]
    assert uploads.pdf_problem(factories.make_pdf_bytes(pad_to=300_000)) is None
    assert uploads.pdf_problem(active_pdfs.open_action_go_to()) is None


def test_names_are_read_with_their_hex_escapes_decoded_from_the_raw_bytes():
    content = active_pdfs.hex_escaped_javascript()
    assert b"/J#61vaScript" in content and b"/JavaScript" not in content
    assert {"/JavaScript", "/JS"} <= pdf_content.raw_names(content)


def test_a_file_pypdf_cannot_read_is_judged_by_its_raw_bytes():
    head = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /J#61vaScript /JS (app.alert(1)) >> >>\nendobj\n"
    broken = head + b"xref\nnonsense\nstartxref\n9\n%%EOF\n"
    assert uploads.pdf_problem(broken) == pdf_content.JAVASCRIPT
    uri = head.replace(b"/S /J#61vaScript /JS (app.alert(1))", b"/S /URI /URI (https://tracker.example/)")
    assert uploads.pdf_problem(uri + b"xref\nnonsense\nstartxref\n9\n%%EOF\n") == pdf_content.AUTOMATIC
    destination = head.replace(b"<< /S /J#61vaScript /JS (app.alert(1)) >>", b"[3 0 R /Fit]")
    assert uploads.pdf_problem(destination + b"xref\nnonsense\nstartxref\n9\n%%EOF\n") is None


def test_names_inside_stream_data_are_not_mistaken_for_syntax():
    """Binary stream data (a font, an image) is not PDF syntax: a /JS or /AA byte run there means nothing."""
    body = b"x/AA /JS /Launch <nothing> y" * 10
    content = (b"%PDF-1.4\n1 0 obj\n<< /Length " + str(len(body)).encode() + b" >>\nstream\n" + body
               + b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\nstartxref\n9\n%%EOF\n")
    assert pdf_content.raw_names(content) >= {"/Length"}
    assert "/JS" not in pdf_content.raw_names(content)


@pytest.mark.parametrize("content", [
    b"<html><script>alert(1)</script></html>\n%PDF-1.4\n1 0 obj\n<<>>\nendobj\nstartxref\n9\n%%EOF\n",
    b"\n\n%PDF-1.4\n1 0 obj\n<<>>\nendobj\nstartxref\n9\n%%EOF\n",
])
def test_the_signature_must_open_the_file(content):
    """Nothing may stand before %PDF- (an HTML page with a PDF after it is a polyglot too)."""
    assert "not a PDF" in uploads.pdf_problem(content)
