"""The cluster engine (search/sphinx/) against the Whoosh engine (issue 13).

    python bench/cluster_bench.py index [--articles 3000] [--shards 1,2]
    python bench/cluster_bench.py query --engine sphinx://HOST:PORT --index DIR [--rounds 2]
    python bench/cluster_bench.py load --engine sphinx://HOST:PORT --cluster-dir DIR [--seconds 30]

`index` starts a fresh `timtin cluster-local` per shard count, runs `timtin reindex --engine`
on N articles spread over the shared corpus, and prints articles/s and each searchd's
resident memory afterwards (the shards hold the article text as string attributes).
`query` runs the 220 benchmark queries of query_bench.py (five facets, snippets) against
both engines, each warm (one pass first), and prints p50/p95/max per engine.
`load` serves the cluster with `timtin serve --engine … --workers 2`, drives 16 clients with
the benchmark queries, and kills shard 0 (SIGKILL, its pid from the cluster-local folder)
a third of the way in: requests/s, latency and errors (any status but 200), and how many
answers after the kill said `partial`. For relevance: `python bench/relevance_bench.py run --label cluster --engine sphinx://…`.
"""
from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SHARED, _tree_rss, percentile, spread_sample

sys.path.insert(0, str(ROOT))
import query_bench  # noqa: E402

TIMTIN = [sys.executable, "-m", "search.cli"]


def start_cluster(shards: int, folder: Path):
    proc = subprocess.Popen([*TIMTIN, "cluster-local", "--shards", str(shards), "--dir", str(folder)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = proc.stdout.readline().strip()
    if not url.startswith("sphinx://"):
        proc.kill()
        sys.exit("cluster-local did not start")
    return proc, url


def bench_index(articles: int, shard_counts: list[int]) -> None:
    sample = spread_sample(SHARED, articles)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        with open(corpus, "w", encoding="utf-8") as f:
            for a in sample:
                f.write(json.dumps(a, ensure_ascii=False) + "\n")
        print(f"{len(sample)} articles from {SHARED}")
        for shards in shard_counts:
            folder = Path(tmp) / f"cluster{shards}"
            proc, url = start_cluster(shards, folder)
            try:
                start = time.monotonic()
                out = subprocess.run([*TIMTIN, "reindex", "--engine", url, "--corpus", str(corpus)],
                                     cwd=ROOT, capture_output=True, text=True)
                seconds = time.monotonic() - start
                line = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode
                rss = _tree_rss(proc.pid) / 2**20
                print(f"  {shards} shard{'s' if shards > 1 else ''}: {len(sample) / seconds:6.1f} articles/s "
                      f"({seconds:.1f} s wall)  searchd RSS {rss:.0f} MiB in all  | {line}")
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)


def bench_query(engine_url: str, index: str, rounds: int) -> None:
    from search.engines import open_engine
    qs = [query_bench.to_request(q) for q in query_bench.queries()]
    for name, url in (("whoosh", f"whoosh:{index}"), ("cluster", engine_url)):
        engine = open_engine(url)
        for r in qs:  # warm
            engine.search(r)
        times = []
        for _ in range(rounds):
            for r in qs:
                t = time.perf_counter()
                engine.search(r)
                times.append((time.perf_counter() - t) * 1000)
        print(f"  {name:8s} {url:40s} p50 {percentile(times, 50):6.1f} ms  p95 {percentile(times, 95):6.1f} ms"
              f"  max {max(times):6.1f} ms  ({len(qs)} queries × {rounds})")


def bench_load(engine_url: str, cluster_dir: Path, seconds: int) -> None:
    import http.client
    import os
    import threading
    import urllib.parse
    from load_bench import drive, show, start_server
    paths = ["/api/search?" + urllib.parse.urlencode(q, doseq=True) for q in query_bench.queries()]
    proc, port = start_server(ROOT / "index", workers=2, extra=("--engine", engine_url))
    try:
        pid = int((cluster_dir / "shard0" / "searchd.pid").read_text().split()[0])
        killer = threading.Timer(seconds / 3, os.kill, (pid, signal.SIGKILL))
        end = time.monotonic() + seconds
        killer.start()
        result = drive(port, 16, lambda: time.monotonic() > end, paths)
        show("cluster, shard 0 killed", result)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        partial = 0
        for path in paths[:50]:
            c.request("GET", path)
            partial += json.loads(c.getresponse().read())["partial"]
        print(f"  after the kill: {partial} of 50 answers partial")
    finally:
        proc.terminate()
        proc.wait(30)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("index")
    i.add_argument("--articles", type=int, default=3000)
    i.add_argument("--shards", default="1,2")
    q = sub.add_parser("query")
    q.add_argument("--engine", required=True, help="sphinx://HOST:PORT of a cluster holding the shared corpus")
    q.add_argument("--index", required=True, help="a Whoosh index of the same corpus")
    q.add_argument("--rounds", type=int, default=2)
    ld = sub.add_parser("load")
    ld.add_argument("--engine", required=True)
    ld.add_argument("--cluster-dir", type=Path, required=True, help="the cluster-local --dir (for shard 0's pid)")
    ld.add_argument("--seconds", type=int, default=30)
    a = ap.parse_args(argv)
    if a.cmd == "index":
        bench_index(a.articles, [int(x) for x in a.shards.split(",")])
    elif a.cmd == "query":
        bench_query(a.engine, a.index, a.rounds)
    else:
        bench_load(a.engine, a.cluster_dir, a.seconds)


if __name__ == "__main__":
    main()
