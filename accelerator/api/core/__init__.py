"""The API's core, shared by every resource module: key auth, JSON bodies, fields, pages, idempotency.

Where things are:
- core/auth.py: `require_role` (and `authenticate`, `AuthenticatedKey`, the 401 `Unauthenticated`), and the
  one key check every endpoint and the coverage adapter share (`bearer_key`, `verify_key`, `note_key_use`).
- core/bodies.py: `read_json` (and `parse_json_bytes`, `JsonNumber`, the 415 `UnsupportedMediaType`).
- core/fields.py: `Fields`, `QueryArgs`, `page_args`, `paginated`, `parse_id`.
- core/replays.py: `idempotent` (the Idempotency-Key decorator, over services/idempotency.py).
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
`path_params_of` in api/openapi.py). Every endpoint reads its fields through its declarations; `Fields`
and the hand-written value schemas that remain serve what is not converted yet
(see api/openapi.py):

    @bp.post("/things")
    @require_role("insurer")          # 401 without a valid key, 403 for another role; sets g.api_key
    @idempotent                       # every POST and PUT: Idempotency-Key replays the first answer
    def create_thing():
        data = read_json()            # 415 / 400 / 413 as the contract says; a dict
        f = Fields(data)              # collects one message per bad field
        name = f.string("name", max_length=200)
        amount = f.money("amount")
        f.check()                     # ValidationError(fields=...) if any field was wrong or unknown
        thing = things.create(g.api_key.insurer_id, name, amount)   # one service call
        return jsonify(thing_json(thing)), 201

    @bp.get("/things")
    @require_role("insurer")
    def list_things():
        args = QueryArgs()            # the same unknown-parameter policy as bodies
        page, per_page = args.page()
        seller = args.string("seller_id", required=False)
        args.check()
        return jsonify(paginated(things.list_things(g.api_key.insurer_id, seller, page, per_page), thing_json))

Unknown fields: one policy for every endpoint. A body field or query parameter that the endpoint
does not know is refused with 400 `invalid_request` and a message under its name in `fields`
(`Fields.check()` and `QueryArgs.check()` do this). An optional field sent as JSON `null` is the
same as leaving it out.

JSON numbers: `read_json` gives every JSON number as a `JsonNumber` holding its source text, so the
money rules see exactly what was written (`-0`, `1e2`, `0.001` are refused, `1e309` never becomes
infinity). Use the `Fields` readers (`money`, `integer`) rather than reading numbers by hand.
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
    last_use_is_stale,
    note_key_use,
    record_last_use,
    require_role,
    verify_key,
)
from accelerator.api.core.bodies import MAX_DEPTH, JsonNumber, UnsupportedMediaType, parse_json_bytes, read_json
from accelerator.api.core.fields import (
    DEFAULT_PER_PAGE,
    MAX_ID,
    MAX_PER_PAGE,
    Fields,
    QueryArgs,
    page_args,
    paginated,
    parse_id,
    query_values,
)
from accelerator.api.core.replays import IDEMPOTENCY_HEADER, REPLAY_HEADER, idempotent

__all__ = [
    "DEFAULT_PER_PAGE",
    "IDEMPOTENCY_HEADER",
    "LAST_USED_RESOLUTION",
    "MAX_DEPTH",
    "MAX_ID",
    "MAX_KEY_LENGTH",
    "MAX_PER_PAGE",
    "REPLAY_HEADER",
    "AuthenticatedKey",
    "Fields",
    "JsonNumber",
    "QueryArgs",
    "Unauthenticated",
    "UnsupportedMediaType",
    "allow_roles",
    "authenticate",
    "authenticate_key",
    "bearer_key",
    "idempotent",
    "last_use_is_stale",
    "note_key_use",
    "page_args",
    "paginated",
    "parse_id",
    "parse_json_bytes",
    "query_values",
    "read_json",
    "record_last_use",
    "require_role",
    "verify_key",
]
