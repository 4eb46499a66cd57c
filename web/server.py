"""`timtin serve`: the app in gunicorn, N worker processes on one port.

gunicorn is the standard pre-fork WSGI server: the master binds the port, forks the
workers, and replaces one that dies. The app and the code it needs (pyvi's model among
it) are loaded once in the master, before the fork, so the workers share those pages;
each worker opens the index itself (open files must not be shared across a fork), and
the posting arrays it maps are shared through the page cache. A worker prepares its
snapshot before it takes a request, so the first searches are as fast as the rest.
"""
from __future__ import annotations

import gc

from gunicorn.app.base import BaseApplication

from search.segment import segment
from search.storage import IndexNotFound

from . import create_app

TIMEOUT = 120  # seconds a request may take before its worker is restarted


def _prepare(worker) -> None:
    """gunicorn's post_worker_init: open and prepare the live snapshot in this worker."""
    try:
        worker.wsgi.extensions["timtin_engine"].snapshot().warm()
    except IndexNotFound:
        pass  # answered with 503 and how to build it, until a reindex publishes one


class Server(BaseApplication):
    def __init__(self, index_dir: str, host: str, port: int, workers: int, threads: int):
        self.index_dir = index_dir
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.options = {
            "bind": [bind], "workers": workers, "threads": threads,
            "worker_class": "gthread", "preload_app": True, "timeout": TIMEOUT,
            "graceful_timeout": 10, "post_worker_init": _prepare,
            "limit_request_line": 0,  # long queries are cut by the app (request.py), not refused
            "accesslog": None, "errorlog": "-", "loglevel": "warning",
            "proc_name": "timtin",
        }
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        app = create_app({"INDEX_DIR": self.index_dir, "WARM_UP": True})
        segment("khởi động")  # loads pyvi's model here, once, for every worker to share
        gc.freeze()  # what exists now is never collected: the workers' copies stay shared
        return app


def serve(index_dir: str, host: str, port: int, workers: int, threads: int) -> None:
    Server(index_dir, host, port, workers, threads).run()
