"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

from accelerator import create_app

app = create_app()
# What start-up made lives as long as the process: keep it out of the cyclic collector's scans,
# which otherwise cost a batch coverage check half its time (bench/results.md).
gc.freeze()
