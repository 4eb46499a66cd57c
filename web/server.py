"""`timtin serve`: the app in gunicorn, N worker processes on one port.

gunicorn is the standard pre-fork WSGI server: the master binds the port, forks the
workers, and replaces one that dies. The app and the code it needs (pyvi's model among
it) and the live snapshot's tables (facets, vocabulary, titles) are built once in the
master, before the fork, so the workers share those pages; each worker then opens the
index files itself (open files must not be shared across a fork). The posting arrays are
memory-mapped, shared through the page cache. After a reindex swap each worker opens and
prepares the new generation on its own.
"""
from __future__ import annotations

import gc

from gunicorn.app.base import BaseApplication

from search.segment import segment

from . import create_app

TIMEOUT = 120  # seconds a request may take before its worker is restarted


def _after_fork(worker) -> None:
    """gunicorn's post_worker_init: this worker's own open files on the shared snapshot."""
    worker.wsgi.extensions["timtin_engine"].after_fork()


class Server(BaseApplication):
    def __init__(self, engine: str, host: str, port: int, workers: int, threads: int):
        self.engine = engine
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.options = {
            "bind": [bind], "workers": workers, "threads": threads,
            "worker_class": "gthread", "preload_app": True, "timeout": TIMEOUT,
            "graceful_timeout": 10, "post_worker_init": _after_fork,
            "limit_request_line": 0,  # long queries are cut by the app (request.py), not refused
            "accesslog": None, "errorlog": "-", "loglevel": "warning",
            "proc_name": "timtin",
        }
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        app = create_app({"ENGINE": self.engine, "WARM_UP": True})
        segment("khởi động")  # loads pyvi's model here, once, for every worker to share
        app.extensions["timtin_engine"].prepare_for_fork()
        app.test_client().get("/api/health")  # Flask's own first-request set-up, done once
        gc.freeze()  # what exists now is never collected: the workers' copies stay shared
        return app


def serve(engine: str, host: str, port: int, workers: int, threads: int) -> None:
    """engine: an engine URL (search/engines.py)."""
    Server(engine, host, port, workers, threads).run()
