"""`timtin serve` across a reindex, and without an index."""
import json
import os
import signal
import shutil
import threading
import time

from search.indexer import reindex

from conftest import Server


def test_reindex_while_serving_swaps_without_failed_requests(tmp_path, index_dir, corpus_dir):
    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus)
    (corpus / "extra.jsonl").write_text(json.dumps(
        {"id": "extra-1", "title": "Bài mới sau khi đổi chỉ mục frobnicate", "body": "Nội dung mới."},
        ensure_ascii=False) + "\n", encoding="utf-8")
    server = Server(index)
    failures, answered = [], []
    stop = threading.Event()

    def hammer():
        while not stop.is_set():
            status, _, body = server.get("/api/search", {"q": "công an", "agency": "Bộ Công an"})
            answered.append(status)
            if status != 200:
                failures.append((status, body[:200]))

    try:
        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        summary = reindex([corpus], index, full=True, workers=2, report=lambda p: None)
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join()
        assert summary.added == summary.total
        assert answered and not failures
        status, data = server.get_json("/api/search", {"q": "frobnicate"})
        assert status == 200 and [h["id"] for h in data["hits"]] == ["extra-1"]
        assert server.get_json("/api/health")[1]["articles"] == summary.total
    finally:
        stop.set()
        server.stop()


def test_serve_builds_a_missing_index_from_the_corpus(tmp_path, corpus_dir):
    server = Server(tmp_path / "index", env={"TIMTIN_CORPUS": str(corpus_dir)})
    try:
        status, data = server.get_json("/api/health")
        assert status == 200 and data["articles"] > 0
    finally:
        server.stop()


def test_server_without_index_says_how_to_build_it(tmp_path):
    # No corpus either, so serve cannot build one first.
    server = Server(tmp_path / "empty", env={"TIMTIN_CORPUS": str(tmp_path / "no-corpus")})
    try:
        status, data = server.get_json("/api/health")
        assert status == 503 and "timtin reindex" in data["error"]
        status, data = server.get_json("/api/search", {"q": "x"})
        assert status == 503 and "timtin reindex" in data["error"]
        status, _, body = server.get("/")
        assert status == 503 and "timtin reindex" in body and "Traceback" not in body
    finally:
        server.stop()


def _wait(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_workers_serve_one_port_and_a_dead_worker_is_replaced(index_dir):
    server = Server(index_dir, args=("--workers", "2"))
    try:
        assert _wait(lambda: len(server.workers()) == 2)
        first = server.workers()
        os.kill(first[0], signal.SIGKILL)
        # The other worker answers meanwhile; the master forks a new one.
        for _ in range(5):
            assert server.get_json("/api/search", {"q": "công an"})[0] == 200
        assert _wait(lambda: len(server.workers()) == 2 and first[0] not in server.workers())
        status, data = server.get_json("/api/search", {"q": "công an"})
        assert status == 200 and data["total"] > 0
    finally:
        server.stop()


def test_one_worker_is_one_process(index_dir):
    server = Server(index_dir, args=("--workers", "1"))
    try:
        assert _wait(lambda: len(server.workers()) == 1)
        assert server.get_json("/api/health")[0] == 200
    finally:
        server.stop()
