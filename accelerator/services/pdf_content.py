"""Active content in an uploaded PDF: JavaScript, launch actions, embedded files, automatic actions, rich media,
XFA forms and PDF/HTML polyglots, each refused with the reason said at the field.

A certificate is a document to read, so nothing in it may run, start a program, carry another file or
double as a web page. Two looks, because either alone can be fooled:

- the raw bytes outside stream data, with `#xx` escapes in names decoded (`/J#61vaScript` is
  `/JavaScript`), so a file pypdf cannot read is still judged (its /OpenAction must then be written
  as a destination array, and it may have no /AA);
- every object pypdf finds (through the cross-reference table and inside compressed object streams),
  whose names pypdf has decoded already.

Polyglots: the `%PDF-` signature must be at offset 0 (uploads.pdf_problem refuses anything else, so nothing
can stand before it), no HTML or script marker may appear in the first 1024 bytes (where browsers and
scanners sniff a file's type), and the unmistakable ones (`<script`, `<html`, `<iframe`, `<body`,
`<!doctype html`) nowhere in the file.

An `/OpenAction` that is a plain destination (fpdf2 writes `[3 0 R /FitH null]`: open at page 1) is
harmless and allowed; one that is an action, other than a plain go-to, is refused, and so are
additional actions (`/AA`) other than go-tos.
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

SUFFIX = "; upload a plain PDF certificate."
JAVASCRIPT = "This PDF contains JavaScript" + SUFFIX
LAUNCH = "This PDF can start other programs (a launch action)" + SUFFIX
EMBEDDED = "This PDF carries embedded files" + SUFFIX
RICH_MEDIA = "This PDF contains rich media (Flash, sound or video)" + SUFFIX
XFA = "This PDF is an XFA form" + SUFFIX
AUTOMATIC = "This PDF runs actions by itself when it is opened or viewed" + SUFFIX
POLYGLOT = "This file is also a web page (it holds HTML or script)" + SUFFIX

# Name -> reason, in the order a reason is given when a file has several.
_NAMES = (
    ({"/JS", "/JavaScript"}, JAVASCRIPT),
    ({"/Launch"}, LAUNCH),
    ({"/EmbeddedFiles", "/EmbeddedFile"}, EMBEDDED),
    ({"/RichMedia", "/RichMediaExecute"}, RICH_MEDIA),
    ({"/XFA"}, XFA),
)
SNIFF_WINDOW = 1024
_SNIFFED_MARKERS = re.compile(
    rb"<(?:!doctype|html|head|body|script|iframe|frame|svg|object|embed|img|a\s|meta|style|form|link|base)\b",
    re.IGNORECASE)
_ANYWHERE_MARKERS = re.compile(rb"<(?:script|html|iframe|body)[\s>/]|<!doctype\s+html", re.IGNORECASE)
_STREAM_DATA = re.compile(rb"(?<=[>\s])stream\r?\n.*?endstream", re.DOTALL)
_NAME = re.compile(rb"/([^\x00\t\n\f\r /\[\]<>(){}%]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_MAX_OBJECTS = 200_000  # a bound on the walk, far above any certificate's object count


def _syntax(content: bytes) -> bytes:
    """The file without its stream data, `#xx` escapes decoded (`/J#61vaScript` reads `/JavaScript`)."""
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), _STREAM_DATA.sub(b" ", content))


def raw_names(content: bytes) -> set[str]:
    """The names written in the file outside stream data, `#xx` escapes decoded."""
    return {"/" + raw.decode("latin-1") for raw in _NAME.findall(_syntax(content))}


def _raw_automatic(content: bytes) -> bool:
    """For a file pypdf cannot read: any /AA, or any /OpenAction not written as a destination array."""
    syntax = _syntax(content)
    return re.search(rb"/AA[\s/<\[(]", syntax) is not None or re.search(rb"/OpenAction(?!\s*\[)", syntax) is not None


def _is_plain_go_to(action) -> bool:
    """Whether an /OpenAction or /AA entry only moves the view (a destination, or a /GoTo action alone)."""
    action = action.get_object() if action is not None else None
    if not isinstance(action, DictionaryObject):
        return True  # a destination array or a named destination: nothing runs
    return action.get("/S") == "/GoTo" and "/Next" not in action


def _parsed_look(content: bytes) -> tuple[set[str], bool]:
    """Every name pypdf finds in the file's objects, and whether it has automatic actions beyond go-tos.

    Raises whatever pypdf raises on a file it cannot read.
    """
    reader = PdfReader(io.BytesIO(content), strict=False)
    starts: list = [reader.trailer]
    for generation, entries in reader.xref.items():
        starts.extend(IndirectObject(number, generation, reader) for number in entries)
    starts.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    names: set[str] = set()
    automatic = False
    seen: set[tuple[int, int]] = set()
    stack, visited = starts, 0
    while stack and visited < _MAX_OBJECTS:
        obj = stack.pop()
        visited += 1
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            names.update(str(key) for key in obj)
            if "/OpenAction" in obj and not _is_plain_go_to(obj["/OpenAction"]):
                automatic = True
            additional = obj.get("/AA")
            additional = additional.get_object() if additional is not None else None
            if isinstance(additional, DictionaryObject) and not all(
                    _is_plain_go_to(entry) for entry in additional.values()):
                automatic = True
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
        elif isinstance(obj, NameObject):
            names.add(str(obj))
    return names, automatic


def active_content_problem(content: bytes) -> str | None:
    """Why a PDF (already checked to be one) holds active content or doubles as a web page, or None."""
    if _SNIFFED_MARKERS.search(content[:SNIFF_WINDOW]) or _ANYWHERE_MARKERS.search(content):
        return POLYGLOT
    names = raw_names(content)
    try:
        parsed, automatic = _parsed_look(content)
    except Exception:  # noqa: BLE001 - pypdf cannot read it (any error): judge the raw bytes alone, strictly
        parsed, automatic = set(), _raw_automatic(content)
    names |= parsed
    for found, reason in _NAMES:
        if names & found:
            return reason
    return AUTOMATIC if automatic else None
