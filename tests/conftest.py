"""Shared fixtures: a small real corpus, a real index built once per session, the Flask
app, and a real `timtin serve` on 127.0.0.1."""
from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "news-sample.jsonl.gz"
SEED_STYLE = ROOT / "corpus" / "lam-dong" / "bat-khan-cap-6-nghi-can.txt"


def sample_articles():
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def pick_test_articles(n_every: int = 12):
    """About 300 real articles: a spread over the sample, plus the ones about Lâm Đồng
    and about police, which the filter tests use."""
    articles = sample_articles()
    chosen = {a["id"]: a for a in articles[::n_every]}
    for a in articles:
        if "Lâm Đồng" in a["body"] or "Bộ Công an" in a["body"]:
            chosen.setdefault(a["id"], a)
    return sorted(chosen.values(), key=lambda a: a["id"])


@pytest.fixture(scope="session")
def test_articles():
    return pick_test_articles()


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory, test_articles):
    root = tmp_path_factory.mktemp("corpus")
    with open(root / "news.jsonl", "w", encoding="utf-8") as f:
        for a in test_articles:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    (root / "lam-dong").mkdir()
    (root / "lam-dong" / SEED_STYLE.name).write_bytes(SEED_STYLE.read_bytes())
    return root


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, corpus_dir):
    from search.indexer import reindex
    path = tmp_path_factory.mktemp("index")
    reindex([corpus_dir], path, workers=2, report=lambda p: None)
    return path


@pytest.fixture(scope="session")
def engine(index_dir):
    from search.engine import Engine
    return Engine(index_dir)


@pytest.fixture(scope="session")
def app(index_dir):
    from web import create_app
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_timtin(*args, **kwargs) -> subprocess.CompletedProcess:
    """The `timtin` command as a user runs it (python -m, so no install is assumed)."""
    return subprocess.run([sys.executable, "-m", "search.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=kwargs.pop("cwd", ROOT),
                          timeout=kwargs.pop("timeout", 600), **kwargs)


class Server:
    def __init__(self, index_dir: Path, env: dict | None = None, args=()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "search.cli", "serve", "--port", str(self.port),
             "--index", str(index_dir), *args], cwd=ROOT, env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 180  # may build a small index first
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/api/health", timeout=5)
                return
            except urllib.error.HTTPError:
                return  # answering (e.g. 503 without an index)
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("timtin serve exited: " + self.proc.stdout.read())
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("timtin serve did not start")

    def get(self, path: str, params=None):
        """(status, headers, body text) of a GET."""
        url = self.url + path
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return r.status, r.headers, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode("utf-8")

    def get_json(self, path: str, params=None):
        status, _, body = self.get(path, params)
        return status, json.loads(body)

    def workers(self) -> list[int]:
        """The pids of the server's worker processes (children of the gunicorn master)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def server(index_dir):
    s = Server(index_dir)
    yield s
    s.stop()
