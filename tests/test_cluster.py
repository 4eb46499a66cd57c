"""The cluster engine (issue 13) against the Whoosh engine on the same corpus: a real
two-shard `timtin cluster-local`, `timtin reindex --engine sphinx://…`, `timtin serve
--engine sphinx://…`, and the /api/search contract answered alike by both."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, Server, run_timtin

if shutil.which("searchd") is None:
    pytest.skip("searchd not installed (apt-get install sphinxsearch)", allow_module_level=True)


class LocalCluster:
    """`timtin cluster-local --shards N --dir DIR`, running until stop()."""

    def __init__(self, folder: Path, shards: int = 2):
        self.folder = folder
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "search.cli", "cluster-local", "--shards", str(shards),
             "--dir", str(folder)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("sphinx://"):
            self.stop()
            raise RuntimeError("cluster-local did not start: " + self.proc.stderr.read())

    def shard_pid(self, k: int) -> int:
        return int((self.folder / f"shard{k}" / "searchd.pid").read_text().split()[0])

    def kill_shard(self, k: int) -> None:
        os.kill(self.shard_pid(k), signal.SIGKILL)

    def restart_shard(self, k: int) -> None:
        """The shard again, from its configuration (same ports, same data)."""
        subprocess.run(["searchd", "--config", str(self.folder / f"shard{k}.conf")],
                       check=True, capture_output=True, timeout=30)
        time.sleep(1.0)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        for k in range(8):  # shards restarted by hand are not cluster-local's children
            pid_file = self.folder / f"shard{k}" / "searchd.pid"
            if pid_file.exists():
                try:
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
                except (ValueError, ProcessLookupError):
                    pass


def reindex(url: str, corpus, *args):
    result = run_timtin("reindex", "--engine", url, "--corpus", corpus, "--workers", "2", *args)
    assert result.returncode == 0, result.stderr
    return result.stderr.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, corpus_dir):
    c = LocalCluster(tmp_path_factory.mktemp("cluster"))
    try:
        line = reindex(c.url, corpus_dir)
        assert line.startswith("indexed ") and " 0 skipped" in line
        yield c
    finally:
        c.stop()


@pytest.fixture(scope="module")
def servers(cluster, index_dir):
    whoosh = Server(index_dir)
    sphinx = Server(index_dir, args=("--engine", cluster.url, "--workers", "1"))
    yield {"whoosh": whoosh, "sphinx": sphinx}
    whoosh.stop()
    sphinx.stop()


FILTER_ONLY = [
    {},
    {"agency": "Công an tỉnh Lâm Đồng"},
    {"source": "baomoi.com"},
    {"date_from": "2017-06", "date_to": "2017-06-30"},
    {"date_from": "2017"},
    {"agency": ["Bộ Công an", "Công an tỉnh Lâm Đồng"], "source": "baomoi.com"},
    {"sort": "newest"},
    {"person": "Nguyễn Xuân Phúc"},
]
PHRASES = ['"công an"', '"thủ tướng"', '"cong an"', '"môi trường"', '"công an" -"lâm đồng"',
           "vì sao tàu cao tốc Bắc Nam chậm triển khai"]  # the last relaxed: most words, not all


def facet_counts(data: dict, names=("year", "month", "agency", "person", "source")) -> dict:
    return {n: [(v["value"], v["count"]) for v in data["facets"][n]] for n in names}


@pytest.mark.parametrize("params", FILTER_ONLY + [{"q": q} for q in PHRASES], ids=str)
def test_both_engines_count_alike(servers, params):
    _, a = servers["whoosh"].get_json("/api/search", params)
    status, b = servers["sphinx"].get_json("/api/search", params)
    assert status == 200
    assert a["total"] == b["total"] > 0
    assert a["relaxed"] == b["relaxed"]
    assert facet_counts(a) == facet_counts(b)
    assert b["partial"] is False and b["warnings"] == []


@pytest.mark.parametrize("engine", ["whoosh", "sphinx"])
def test_the_api_contract_on_both_engines(servers, engine):
    status, data = servers[engine].get_json("/api/search", {"q": "công an", "per_page": 5, "page": 2})
    assert status == 200
    assert list(data) == ["query", "total", "page", "per_page", "took_ms", "hits", "facets",
                          "suggestion", "interpretation", "relaxed", "partial", "warnings"]
    assert data["page"] == 2 and len(data["hits"]) == 5
    hit = data["hits"][0]
    assert list(hit) == ["id", "title", "title_html", "snippet_html", "date", "source", "url",
                         "author", "agencies", "persons", "score"]
    assert "<mark>" in hit["snippet_html"] + hit["title_html"]
    # an unaccented query is read as Vietnamese on both
    _, data = servers[engine].get_json("/api/search", {"q": "cong an tinh lam dong"})
    assert data["interpretation"] and data["interpretation"].lower() == "công an tỉnh lâm đồng"
    # the article page, hostile input
    status, _, body = servers[engine].get("/article/" + hit["id"])
    assert status == 200 and hit["title"].split()[0] in body
    for q in ["<script>alert(1)</script>", '"', "'", "\\", "-", "OR", "@title x", "a" * 3000, "(", "!"]:
        status, _ = servers[engine].get_json("/api/search", {"q": q})
        assert status in (200, 400), q


def test_pages_of_results_do_not_overlap(servers):
    seen = []
    for page in (1, 2, 3):
        _, data = servers["sphinx"].get_json("/api/search", {"q": "công an", "page": page})
        seen += [h["id"] for h in data["hits"]]
    assert len(seen) == len(set(seen)) == 30


def test_incremental_reindex_updates_deletes_and_adds(tmp_path, cluster, corpus_dir):
    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus)
    lines = (corpus / "news.jsonl").read_text(encoding="utf-8").splitlines()
    first, second = json.loads(lines[0]), json.loads(lines[1])
    first["title"] = "Chim cánh cụt xanh lạc đường"
    lines[0] = json.dumps(first, ensure_ascii=False)
    del lines[1]
    lines.append(json.dumps({"id": "cluster-new", "title": "Rùa biển đẻ trứng ở Côn Đảo",
                             "body": "Rùa biển về Côn Đảo đẻ trứng.", "date": "2017-06-01"},
                            ensure_ascii=False))
    (corpus / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        line = reindex(cluster.url, corpus)
        assert "(1 added, 1 updated, 1 deleted" in line
        assert "(0 added, 0 updated, 0 deleted" in reindex(cluster.url, corpus)
        out = run_timtin("search", "--engine", cluster.url, "--json", "chim cánh cụt xanh")
        assert json.loads(out.stdout)["hits"][0]["id"] == first["id"]
        out = run_timtin("search", "--engine", cluster.url, "--json", "rùa biển Côn Đảo")
        assert [h["id"] for h in json.loads(out.stdout)["hits"]][:1] == ["cluster-new"]
        out = run_timtin("search", "--engine", cluster.url, "--json", f'"{second["title"]}"')
        assert second["id"] not in [h["id"] for h in json.loads(out.stdout)["hits"]]
    finally:
        reindex(cluster.url, corpus_dir)  # as it was, for the other tests


def test_a_full_rebuild_never_shows_a_half_built_index(cluster, corpus_dir):
    expected = json.loads(run_timtin("search", "--engine", cluster.url, "--json").stdout)["total"]
    totals, errors, stop = [], [], threading.Event()

    def searching():
        from search.engines import open_engine
        from search.request import SearchRequest
        engine = open_engine(cluster.url)
        while not stop.is_set():
            try:
                totals.append(engine.search(SearchRequest()).total)
            except Exception as e:  # noqa: BLE001 - any failure is the test's finding
                errors.append(repr(e))
            time.sleep(0.02)

    thread = threading.Thread(target=searching)
    thread.start()
    try:
        line = reindex(cluster.url, corpus_dir, "--full")
    finally:
        stop.set()
        thread.join()
    assert line.startswith(f"indexed {expected} articles")
    assert not errors
    assert totals and set(totals) == {expected}


def test_a_shard_down_gives_partial_results_then_full_again(tmp_path_factory, corpus_dir, index_dir):
    c = LocalCluster(tmp_path_factory.mktemp("faults"))
    server = None
    try:
        reindex(c.url, corpus_dir)
        server = Server(index_dir, args=("--engine", c.url, "--workers", "1"))
        _, full = server.get_json("/api/search", {"q": "công an"})
        assert full["partial"] is False
        c.kill_shard(0)
        time.sleep(0.5)
        status, part = server.get_json("/api/search", {"q": "công an"})
        assert status == 200 and part["partial"] is True and part["warnings"]
        assert 0 < part["total"] < full["total"]
        status, _, body = server.get("/", {"q": "công an"})
        assert status == 200 and "một phần" in body.lower()
        # indexing with a shard down fails clearly and changes nothing
        result = run_timtin("reindex", "--engine", c.url, "--corpus", corpus_dir)
        assert result.returncode == 1 and "shard" in result.stderr and "Traceback" not in result.stderr
        c.restart_shard(0)
        _, again = server.get_json("/api/search", {"q": "công an"})
        assert again["partial"] is False and again["total"] == full["total"]
        assert reindex(c.url, corpus_dir).startswith("indexed ")
    finally:
        if server:
            server.stop()
        c.stop()
