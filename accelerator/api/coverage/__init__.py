"""Coverage checks (role marketplace): one check, a batch of up to 500, and the replay of a recorded check.

The single check is the product's hottest request, and Flask's own work per request (request and app
contexts, routing, the session, the after-request hooks) costs about as much as the check itself. So
GET /api/v1/coverage has one road, a lean WSGI adapter in front of Flask (`CoverageAdapter`), which
answers every request to that path: OPTIONS and 405 as the url map's rule would, the key through the
key check every endpoint uses (api/core/auth.py: 401, last use, the rate limit's 429 with Retry-After,
403), the query through its declaration (400 with every field at once), then the check, each error
rendered by accelerator.http's shared functions with the headers of every API answer. Flask never
sees that path; the batch and the replay are ordinary Flask views (one road each too), where
Flask's per-request cost is small beside the work.

Where things are (the names below are also importable from this package):
- coverage/endpoints.py: the Flask views on `bp` (`check_coverage_batch`, `get_coverage_check`; and
  `check_coverage`, the single check's rule in the url map, never called) and the reading of a batch's items.
- coverage/adapter.py: the single check's road: `CoverageAdapter` and `_install_adapter`, which puts it
  in front of the app the blueprint is registered on.
- coverage/openapi.py: the OpenAPI fragment `OPENAPI`, generated from the declarations in
  accelerator/shapes/coverage.py, which accelerator.api.RESOURCE_MODULES merges into the document.
Importing this package registers the routes and the adapter.
"""

from __future__ import annotations

from accelerator.api.coverage.adapter import CoverageAdapter
from accelerator.api.coverage.endpoints import check_coverage, check_coverage_batch, get_coverage_check
from accelerator.api.coverage.openapi import OPENAPI

__all__ = [
    "OPENAPI",
    "CoverageAdapter",
    "check_coverage",
    "check_coverage_batch",
    "get_coverage_check",
]
