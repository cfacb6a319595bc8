"""The app as wsgi.py makes it, less its outermost middleware (request ids, the log line, the request
metrics): the "off" side of bench/bench_observability.py --http.

    gunicorn --chdir bench unobserved_app:app   (with ROOT on PYTHONPATH)
"""

from wsgi import app

assert type(app.wsgi_app).__name__ == "RequestObserver"
app.wsgi_app = app.wsgi_app.wsgi_app
