"""Coverage checks (role marketplace): one check, a batch of up to 500, and the replay of a recorded check.

The single check is the product's hottest request, and Flask's own work per request (request and app
contexts, routing, the session, the after-request hooks) costs more than the check itself. So a thin
WSGI layer in front of Flask (`CoverageFastPath`) answers the plain case itself: a GET of exactly
this path, without a cookie or a body, whose query is the four parameters in plain characters, each
valid, and whose bearer key is a valid marketplace key used within the last minute. It checks the key
against the database on every request (never cached), makes the same service call as the Flask view,
and answers with the headers the app's own after-request hooks give this path (taken from them at
the first request). Every other request, including every error, goes to Flask untouched, so errors,
401s, 403s, 400s and the key's last-use update stay in one place. Set COVERAGE_FAST_PATH = False in
the config to serve everything through Flask.

Where things are (the names below are also importable from this package):
- coverage/endpoints.py: the Flask views on `bp` (`check_coverage`, `check_coverage_batch`,
  `get_coverage_check`) and the reading of a batch's items.
- coverage/fast_path.py: the single check without Flask: `CoverageFastPath` and `_install_fast_path`,
  which puts it in front of the app the blueprint is registered on.
- coverage/openapi.py: the OpenAPI fragment `OPENAPI`, generated from the declarations in
  accelerator/shapes/coverage.py, which accelerator.api.RESOURCE_MODULES merges into the document.
Importing this package registers the routes and the fast path (in this order), as the module did.
"""

from __future__ import annotations

from accelerator.api.coverage.endpoints import check_coverage, check_coverage_batch, get_coverage_check
from accelerator.api.coverage.fast_path import CoverageFastPath
from accelerator.api.coverage.openapi import OPENAPI

__all__ = [
    "OPENAPI",
    "CoverageFastPath",
    "check_coverage",
    "check_coverage_batch",
    "get_coverage_check",
]
