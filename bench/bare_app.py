"""The baseline of the coverage benchmark: a bare Flask endpoint that returns a small JSON object.

    .venv/bin/gunicorn --chdir bench bare_app:app   (with the same settings as the real app)
"""

import gc

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/bare")
def bare():
    """A small JSON object, no database, no auth: what Flask and gunicorn cost on their own."""
    return jsonify({"status": "ok", "checked": True})


# As wsgi.py does for the real app, so both run under the same process settings.
gc.freeze()
