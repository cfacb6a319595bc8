"""PDFs with active content, built with pypdf from the factories' plain PDF, for the upload tests."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from tests.factories import make_pdf_bytes


def _name(value: str) -> NameObject:
    return NameObject(value)


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({_name("/Type"): _name("/Action"), _name("/S"): _name(kind)})
    action.update({_name("/" + key): value for key, value in entries.items()})
    return action


def _edit(change) -> bytes:
    """The plain certificate PDF, changed by `change(writer)`, written out again."""
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf_bytes("Certificate of insurance")))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _annotate(writer: PdfWriter, annotation: dict) -> None:
    base = {_name("/Type"): _name("/Annot"), _name("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 200, 40)])}
    writer.add_annotation(0, DictionaryObject({**base, **annotation}))


def open_action_javascript() -> bytes:
    """JavaScript run when the file opens (/OpenAction << /S /JavaScript /JS (...) >>)."""
    return _edit(lambda w: w.root_object.__setitem__(
        _name("/OpenAction"), _action("/JavaScript", JS=TextStringObject("app.alert('hello');"))))


def document_javascript() -> bytes:
    """Document-level JavaScript in the /Names tree (pypdf's add_open_action)."""
    return _edit(lambda w: w.add_open_action(JavaScript("this.print({bUI:true});")))


def hex_escaped_javascript() -> bytes:
    """JavaScript whose names are written with #xx escapes: /J#61vaScript and /J#53."""
    return open_action_javascript().replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")


def launch_action() -> bytes:
    """A link that starts a program (/S /Launch)."""
    return _edit(lambda w: _annotate(w, {_name("/Subtype"): _name("/Link"),
                                         _name("/A"): _action("/Launch", F=TextStringObject("calc.exe"))}))


def embedded_file() -> bytes:
    """A file carried inside (pypdf's add_attachment: /EmbeddedFiles, /EmbeddedFile)."""
    return _edit(lambda w: w.add_attachment("invoice.exe", b"MZ\x90\x00 not really a program"))


def rich_media() -> bytes:
    """A /RichMedia annotation (Flash or video)."""
    return _edit(lambda w: _annotate(w, {_name("/Subtype"): _name("/RichMedia")}))


def xfa_form() -> bytes:
    """An XFA form (/AcroForm << /XFA ... >>)."""
    return _edit(lambda w: w.root_object.__setitem__(_name("/AcroForm"), DictionaryObject({
        _name("/Fields"): ArrayObject(), _name("/XFA"): TextStringObject("<xdp:xdp/>")})))


def page_open_action() -> bytes:
    """An additional action (/AA) that opens a web address when the page is shown."""
    def change(writer: PdfWriter) -> None:
        writer.pages[0][_name("/AA")] = DictionaryObject(
            {_name("/O"): _action("/URI", URI=TextStringObject("https://tracker.example/opened"))})
    return _edit(change)


def open_action_uri() -> bytes:
    """An /OpenAction that opens a web address by itself."""
    return _edit(lambda w: w.root_object.__setitem__(
        _name("/OpenAction"), _action("/URI", URI=TextStringObject("https://tracker.example/opened"))))


def open_action_go_to() -> bytes:
    """An /OpenAction that only moves the view to page 1: harmless, accepted."""
    def change(writer: PdfWriter) -> None:
        page = writer.pages[0].indirect_reference
        writer.root_object[_name("/OpenAction")] = _action("/GoTo", D=ArrayObject([page, _name("/Fit")]))
    return _edit(change)


def html_polyglot() -> bytes:
    """A PDF that is also a web page: HTML and script in a comment after the header line."""
    head, rest = make_pdf_bytes().split(b"\n", 1)
    return head + b"\n%<html><body><script>alert(document.cookie)</script></body></html>\n" + rest


def html_polyglot_at_the_end() -> bytes:
    """HTML after the end-of-file marker, far from the sniffed first bytes."""
    return make_pdf_bytes() + b"\n<!DOCTYPE html><script>fetch('/seller')</script>\n"
