"""gunicorn settings for `make serve` (all overridable from the environment)."""

import gc
import multiprocessing
import os

from config import gunicorn_workers

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Sync workers: search is CPU and database bound; 2 per core keeps both busy while one waits.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
# Threads per worker. Above 1, gthread workers: each holds idle keep-alive connections without
# blocking a process, for a load balancer that keeps its upstream connections open.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# One thread: sync workers, woken one at a time for a new connection where the OS allows it
# (config/gunicorn_workers.py), so a quiet site's requests keep landing on a warm worker.
if threads > 1:
    worker_class = "gthread"
elif gunicorn_workers.AVAILABLE:
    worker_class = "config.gunicorn_workers.ExclusiveWakeupSyncWorker"
else:
    worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Load the app (every view, the ZIP index: config/wsgi.py) once in the master; workers share
# it copy-on-write and a recycled worker starts warm.
preload_app = True


def when_ready(server) -> None:
    """After the preload, before the first fork: the loaded app's objects leave the cycle
    collector's generations, so a worker's collections neither walk them nor touch their
    memory (a write there would copy the shared page into the worker)."""
    gc.freeze()


accesslog = "-"
errorlog = "-"
# JSON lines like the app's own (LOG_FORMAT, json unless set to text): one object per request
# with its status, duration and X-Request-ID, and no searched-for location (see the module).
if os.environ.get("LOG_FORMAT", "json") == "json":
    logger_class = "config.gunicorn_logging.JsonLogger"
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'

loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
