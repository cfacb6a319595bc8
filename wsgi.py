"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from accelerator import create_app

app = create_app()
