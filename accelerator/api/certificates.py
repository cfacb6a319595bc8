"""Certificates of insurance (role marketplace): read one and store nothing, or store a seller's as an
uploaded policy. The body is the PDF itself (`Content-Type: application/pdf`, at most 10 MiB)."""

from __future__ import annotations

from flask import g, jsonify, request

from accelerator.api.blueprint import bp
from accelerator.api.core import UnsupportedMediaType, idempotent, require_role
from accelerator.api.openapi import operation, path_params_of, ref, schemas_of
from accelerator.services import certificate_check, certificate_uploads
from accelerator.services.audit import Actor
from accelerator.services.certificate_reading import MAX_BYTES
from accelerator.shapes.certificates import CertificateRead, StoredCertificate, read_json, stored_json
from accelerator.shapes.errors import validate_all
from accelerator.shapes.sellers import SellerPath

_ENDPOINTS = ("api.read_certificate", "api.store_certificate")


@bp.url_value_preprocessor
def _certificate_size_limit(endpoint, values):
    """Let a certificate's body be as large as a certificate may be (10 MiB), past the API's 1 MiB; over it
    the body is refused with 413 while it is read."""
    if endpoint in _ENDPOINTS and request.method == "POST":
        request.max_content_length = MAX_BYTES


def _pdf_body() -> bytes:
    """The request's body, which must be sent as application/pdf (415 otherwise)."""
    if request.mimetype != "application/pdf":
        raise UnsupportedMediaType("Send the certificate itself as the body, with Content-Type: application/pdf.")
    return request.get_data(cache=True)


@bp.post("/certificates/read")
@require_role("marketplace")
@idempotent
def read_certificate():
    """Read a certificate and check it against the requirement; stores nothing."""
    return jsonify(read_json(certificate_check.check_certificate(_pdf_body()).as_contract()))


@bp.post("/sellers/<seller_id>/certificates")
@require_role("marketplace")
@idempotent
def store_certificate(seller_id: str):
    """Store a seller's certificate as an uploaded policy, pending verification: 201 with the policy and the read."""
    (path,) = validate_all("Check the seller ID.", (SellerPath, {"seller_id": seller_id}))
    policy, check = certificate_uploads.store_certificate(Actor.api_key(g.api_key.prefix), path.seller_id,
                                                          _pdf_body())
    return jsonify(stored_json(policy, check.as_contract())), 201


def _pdf_operation(summary: str, **kwargs) -> dict:
    """An operation whose body is a PDF (the standard body errors, the PDF's content type)."""
    op = operation(summary, body={"type": "string"}, **kwargs)
    op["requestBody"] = {"required": True, "description": "The certificate of insurance itself, at most 10 MiB.",
                         "content": {"application/pdf": {"schema": {"type": "string", "format": "binary",
                                                                    "maxLength": MAX_BYTES}}}}
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    op["responses"]["413"] = {"description": "The certificate is over 10 MiB (`too_large`).", "content": error}
    op["responses"]["415"] = {"description": "Not sent as application/pdf, or not a PDF (`unsupported_media_type`).",
                              "content": error}
    return op


_BODY_ERRORS = ("415 `unsupported_media_type`: not sent as application/pdf, or not a PDF. 413 `too_large`: "
                "over 10 MiB. 422 `unreadable_document`: a PDF that cannot be read (damaged, encrypted with a "
                "password, more than 20 pages, or a read past its 30-second limit).")

OPENAPI = {
    "paths": {
        "/api/v1/certificates/read": {
            "post": _pdf_operation(
                "Read a certificate of insurance", operation_id="readCertificate", tags=["certificates"],
                roles=("marketplace",), errors=("422",),
                responses={"200": ("What was read, where, the signals and the requirement's result.",
                                   ref("CertificateRead"))},
                description="Reads the certificate (a filled form, the page's text, or a scan by OCR) and stores "
                            "nothing. Every field is present, null where it could not be read; `evidence` has an "
                            "entry for each field read. Signals: `edited_after_creation`, `naic_mismatch`, "
                            "`rating_below_minimum`, `limits_at_minimum`, `unreadable_fields`. `requirement` "
                            "applies the rules the fields allow (dates against today); `meets` is true only "
                            "when every field those rules need was read and none fails. " + _BODY_ERRORS,
            ),
        },
        "/api/v1/sellers/{seller_id}/certificates": {
            "post": _pdf_operation(
                "Store a seller's certificate as an uploaded policy", operation_id="storeCertificate",
                tags=["certificates"], roles=("marketplace",), errors=("409", "422"),
                params=path_params_of(SellerPath, seller_id="The marketplace's seller ID (case-insensitive); a "
                                                            "malformed one is a 400."),
                responses={"201": ("The uploaded policy (source `seller_upload`, verification `pending`) and "
                                   "what was read.", ref("StoredCertificate"))},
                description="Reads the certificate and stores it as the seller's uploaded policy, as the site's "
                            "upload does; creates the seller's record when the seller is new. 422 "
                            "`fields_missing` (with each missing field in `fields`, nothing stored) where the "
                            "policy number, the insurer's name, both dates or both limits could not be read. The "
                            "insurer: the one on the Accelerator with the NAIC code read, else with that name, "
                            "else an outside insurer as read. 409 `policy_exists` when that policy is already "
                            "on record. 400 when the terms read are not a policy's (an expiration before the "
                            "effective date, say) or the PDF holds active content. " + _BODY_ERRORS,
            ),
        },
    },
    "schemas": schemas_of(CertificateRead, StoredCertificate),
}
