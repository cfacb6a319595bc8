"""gunicorn settings for the Accelerator (read by gunicorn from the directory it starts in).

Workers as the README's Production section recommends for a 2-core server. The request limits sit
above what the app accepts (accelerator/http.py: MAX_REQUEST_TARGET, MAX_HEADER_FIELDS,
MAX_HEADER_FIELD_SIZE), so an over-long address or header reaches the app, which answers it in the API's
JSON (414 / 431) or with the site's page, instead of gunicorn answering with its own HTML.
"""

workers = 4
worker_class = "sync"

# gunicorn's largest finite limit (0, unlimited, would let one request line fill a worker's memory); the app
# refuses request targets over 8000 characters, so only lines past 8190 bytes still get gunicorn's own page
# (as they would from a proxy in front: nginx answers its own 414 past 8 KB by default).
limit_request_line = 8190
limit_request_fields = 200  # the app refuses more than 100 header fields
limit_request_field_size = 16380  # the app refuses a header line over 8190 bytes
