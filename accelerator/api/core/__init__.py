"""The API's core, shared by every resource module: key auth, JSON bodies, fields, pages, idempotency.

Where things are:
- core/auth.py: `require_role` (and `authenticate`, `AuthenticatedKey`, the 401 `Unauthenticated`), and the
  one key check every endpoint and the hot path's adapters share (`bearer_key`, `verify_key`, `key_of_role`,
  `note_key_use`).
- core/bodies.py: `read_json` (and `parse_json_bytes`, `JsonNumber`, the 415 `UnsupportedMediaType`).
- core/fields.py: `query_values` (the one query reader), `paginated`, `parse_id`.
- core/replays.py: `idempotent` (the Idempotency-Key decorator, over services/idempotency.py), and what an
  adapter without Flask's dispatch shares with it (`check_idempotency_key`, `request_fingerprint`).
Import them all from `accelerator.api.core` itself (this package re-exports them), as resource modules do.

How an endpoint is written: with declarations (accelerator/shapes/; see api/sellers.py and api/coverage/):

    @bp.put("/sellers/<seller_id>/sales/<month>")
    @require_role("marketplace")
    @idempotent
    def report_sales(seller_id: str, month: str):
        body, _ = validate_all("Check the sales report.", (SalesReport, read_json()),
                               (SalesPath, {"seller_id": seller_id, "month": month}))  # every error at once
        return jsonify(sales.report_sales(..., body.gross_proceeds))

and the module's OPENAPI fragment is generated from the same classes (`schemas_of`, `query_params_of`,
`path_params_of` in api/openapi.py). Every endpoint reads its fields through its declarations.
"""

from __future__ import annotations

from accelerator.api.core.auth import (
    LAST_USED_RESOLUTION,
    MAX_KEY_LENGTH,
    AuthenticatedKey,
    Unauthenticated,
    allow_roles,
    authenticate,
    authenticate_key,
    bearer_key,
    key_of_role,
    last_use_is_stale,
    note_key_use,
    record_last_use,
    require_role,
    verify_key,
)
from accelerator.api.core.bodies import MAX_DEPTH, JsonNumber, UnsupportedMediaType, parse_json_bytes, read_json
from accelerator.api.core.fields import (
    MAX_ID,
    paginated,
    parse_id,
    query_values,
)
from accelerator.api.core.replays import (
    IDEMPOTENCY_HEADER,
    REPLAY_HEADER,
    check_idempotency_key,
    idempotent,
    request_fingerprint,
)

__all__ = [
    "IDEMPOTENCY_HEADER",
    "LAST_USED_RESOLUTION",
    "MAX_DEPTH",
    "MAX_ID",
    "MAX_KEY_LENGTH",
    "REPLAY_HEADER",
    "AuthenticatedKey",
    "JsonNumber",
    "Unauthenticated",
    "UnsupportedMediaType",
    "allow_roles",
    "authenticate",
    "authenticate_key",
    "bearer_key",
    "check_idempotency_key",
    "idempotent",
    "key_of_role",
    "last_use_is_stale",
    "note_key_use",
    "paginated",
    "parse_id",
    "parse_json_bytes",
    "query_values",
    "read_json",
    "record_last_use",
    "request_fingerprint",
    "require_role",
    "verify_key",
]
