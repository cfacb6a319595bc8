"""gunicorn settings for the Accelerator (read by gunicorn from the directory it starts in).

Workers as the README's Production section recommends for a 2-core server. The request limits sit
above what the app accepts (accelerator/http.py: MAX_REQUEST_TARGET, MAX_HEADER_FIELDS,
MAX_HEADER_FIELD_SIZE), so an over-long address or header reaches the app, which answers it in the API's
JSON (414 / 431) or with the site's page, instead of gunicorn answering with its own HTML.
"""

import os
import tempfile
from pathlib import Path

workers = 4
worker_class = "sync"

# A sync worker busy longer than `timeout` is killed and its client gets a 502. A certificate is read within
# certificate_reading.TIME_LIMIT (30 s: the contract's "reading never takes more than 30 s"), and an upload or
# the API's store then still checks, stores and commits; gunicorn's default of 30 s would kill a slow scan's
# worker before it answers. 60 s leaves the read its 30 s and as much again for the rest; graceful_timeout
# lets a request in progress at a reload or stop finish its read (deploy/systemd's TimeoutStopSec waits
# longer than it, and deploy/nginx's proxy_read_timeout longer than `timeout`, so gunicorn, not nginx, ends
# a stuck request). tests/cli/test_operations_config.py keeps the four in this order.
timeout = 60
graceful_timeout = 45

# gunicorn's largest finite limit (0, unlimited, would let one request line fill a worker's memory); the app
# refuses request targets over 8000 characters, so only lines past 8190 bytes still get gunicorn's own page
# (as they would from a proxy in front: nginx answers its own 414 past 8 KB by default).
limit_request_line = 8190
limit_request_fields = 200  # the app refuses more than 100 header fields
limit_request_field_size = 16380  # the app refuses a header line over 8190 bytes

# Not set: reuse_port (SO_REUSEPORT). With it, gunicorn binds a listening socket in each worker, and a new
# master binds beside whatever still listens on the port, so after a crash orphaned workers would go on
# taking their share of the connections, out of anyone's control. The port must be freed, not shared:
# post_fork below makes the workers die with their master (and systemd's KillMode=control-group in
# deploy/systemd/accelerator.service kills whatever is left in the service's cgroup before the restart).
# gunicorn already sets SO_REUSEADDR, so connections in TIME_WAIT do not block a restart.

PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Each worker writes its requests' log lines and counts every REQUEST_RECORDS_INTERVAL seconds (0.1 unless
# the variable says otherwise; 0: each as its request ends), in one write, rather than one by one: the
# request id, line and metrics then cost the coverage check ~4% of its CPU instead of ~10% (bench/results.md,
# accelerator/observability/records.py). A graceful stop writes what is left (worker_exit); SIGKILL loses it.
REQUEST_RECORDS_INTERVAL = float(os.environ.get("REQUEST_RECORDS_INTERVAL") or 0.1)
DRAIN_MAX_BYTES = 16 * 1024 * 1024  # above the largest body nginx passes (deploy/nginx: client_max_body_size 11m)


def post_fork(server, worker):
    """Batch the worker's request records (REQUEST_RECORDS_INTERVAL), and make it die with its master,
    so a crashed (kill -9) master frees the port at once.

    On Linux, ask the kernel to send the worker SIGKILL when the process that forked it ends
    (prctl PR_SET_PDEATHSIG; strictly, when the forking thread ends: gunicorn's master forks its
    workers from its main thread only). If the master died between the fork and the prctl call, the
    signal will never come: the worker has then been re-parented, so it exits now. Elsewhere (no
    prctl) nothing changes: gunicorn's workers notice the lost master by themselves within a timeout.
    """
    import ctypes
    import os
    import signal
    import sys

    from accelerator.observability.records import batch

    batch(REQUEST_RECORDS_INTERVAL)
    if not sys.platform.startswith("linux"):
        return
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    if prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
        server.log.warning("prctl(PR_SET_PDEATHSIG) failed: %s", os.strerror(ctypes.get_errno()))
        return
    if os.getppid() != worker.ppid:
        server.log.warning("Master %s is gone; worker %s exits", worker.ppid, os.getpid())
        sys.exit(0)


def worker_exit(server, worker):
    """Write the request records the worker has not written yet (a graceful stop loses no line).

    gunicorn also calls this in the master (for a worker found gone): there nothing was imported or noted.
    """
    import sys

    records = sys.modules.get("accelerator.observability.records")
    if records is not None:
        records.flush()


def post_request(worker, req, environ, resp):
    """Read what the app left unread of the request body, so that closing the connection sends no reset.

    The app answers some requests without reading their whole body: a missing API key (401) before
    reading it, a body over its limit (413) after the first MiB. A sync worker then closes the
    connection, and when unread bytes are still arriving Linux answers them with a TCP reset, which
    can destroy the answer before the peer reads it: nginx, still sending the body it buffered, then
    reports 502 instead of the app's 401 or 413 (tests/api/test_behind_nginx.py), and a direct client
    sees a reset connection. gunicorn drains only 64 KB on close; this reads the rest, up to
    DRAIN_MAX_BYTES (past that the reset stands). The answer has already been sent, and the worker's
    timeout still bounds a client that sends slowly.
    """
    body = getattr(req, "body", None)
    if body is None:
        return
    left = DRAIN_MAX_BYTES
    try:
        while left > 0:
            chunk = body.read(min(65536, left))
            if not chunk:
                return
            left -= len(chunk)
    except Exception:  # noqa: BLE001 - the client went away or sent a malformed body: nothing to protect
        return


# Metrics of every worker together (docs/operations.md): prometheus_client's multiprocess mode keeps each
# worker's values in files of one folder, which a scrape of /metrics adds up. It must be set before a
# worker imports prometheus_client, so here, in the master, before any worker is forked. Without
# PROMETHEUS_MULTIPROC_DIR a fresh private folder is made for this server.
METRICS_FOLDER = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="accelerator-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = METRICS_FOLDER


def on_starting(server):
    """Start the counts from zero: a previous server's files would otherwise be added in."""
    folder = Path(METRICS_FOLDER)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    """A worker that ended keeps its counts in the sum; its live gauges are dropped."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
