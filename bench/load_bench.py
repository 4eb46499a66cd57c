"""Load: `timtin serve` on a real index, driven from this process on 127.0.0.1.

    python bench/load_bench.py [--index DIR] [--workers 1,2] [--levels 1,16] [--seconds 20] [--swap-n 3000]

For each --workers count, starts `timtin serve --workers N` and prints how soon it answers
/api/health and a first search (and that search's latency), then runs bounded load (each level: that many concurrent keep-alive clients for --seconds,
mixed queries from bench/queries.txt with and without filters) against the index of the
shared corpus (bench/.cache/index-shared, built by query_bench.py), then one more run at 16
clients against a second server on an index of --swap-n shared articles while a full
`timtin reindex --full` rebuilds that index and swaps it in; that run lasts until the
reindex is done (at least --seconds). Prints requests/s, p50/p95/p99 latency and the count
of errors (any status but 200, or a failed connection) per run, and the memory of the
server's whole process tree after the load: RSS summed (pages shared by several processes
counted in each) and PSS summed (each shared page divided among its sharers: the memory
the tree really holds).
"""
import argparse
import http.client
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import CACHE, ROOT, SHARED, percentile, spread_sample  # noqa: E402
from query_bench import queries  # noqa: E402


def start_server(index: Path, workers: int = 2, first_path: str | None = None, extra=()):
    """(process, port); with first_path, also prints when health and that search answered.
    extra: more `timtin serve` arguments (`--engine URL`)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "search.cli", "serve", "--port", str(port),
                             "--workers", str(workers), "--index", str(index), *extra], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(3000):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request("GET", "/api/health")
            if c.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.02)
    else:
        proc.kill()
        raise RuntimeError("server did not start")
    if first_path:
        health = time.perf_counter() - started
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        t = time.perf_counter()
        c.request("GET", first_path)
        c.getresponse().read()
        first, answered = time.perf_counter() - t, time.perf_counter() - started
        again = []
        for _ in range(9):  # the same search once warm, for comparison
            t = time.perf_counter()
            c.request("GET", first_path)
            c.getresponse().read()
            again.append(time.perf_counter() - t)
        print(f"  ready: /api/health after {health:.2f} s, first search answered after "
              f"{answered:.2f} s (took {1000 * first:.0f} ms; the same search warm: "
              f"median {1000 * sorted(again)[4]:.0f} ms)")
    return proc, port


def tree_memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MiB summed over the process and its descendants."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            pass
    rss = pss = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, pss / 1024


def drive(port: int, clients: int, until, paths) -> dict:
    latencies, errors = [], []
    lock = threading.Lock()

    def client(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = k
        while not until():
            path = paths[i % len(paths)]
            i += clients
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                (latencies if ok else errors).append((time.perf_counter() - start) * 1000)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    return {"clients": clients, "seconds": round(seconds, 1), "requests": len(latencies) + len(errors),
            "rps": round((len(latencies) + len(errors)) / seconds, 1),
            "p50": round(percentile(latencies, 50), 1), "p95": round(percentile(latencies, 95), 1),
            "p99": round(percentile(latencies, 99), 1), "errors": len(errors)}


def show(name, r):
    print(f"{name:<28} {r['clients']:>3} clients {r['seconds']:>6.1f} s  {r['rps']:>7.1f} req/s  "
          f"p50 {r['p50']:>7.1f} ms  p95 {r['p95']:>7.1f} ms  p99 {r['p99']:>7.1f} ms  errors {r['errors']}",
          flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=CACHE / "index-shared")
    ap.add_argument("--workers", default="1,2", help="server process counts to compare")
    ap.add_argument("--levels", default="1,16")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--swap-n", type=int, default=3000)
    args = ap.parse_args()
    paths = ["/api/search?" + urllib.parse.urlencode(q, doseq=True) for q in queries()]

    for workers in map(int, args.workers.split(",")):
        print(f"timtin serve --workers {workers}", flush=True)
        proc, port = start_server(args.index, workers, first_path=paths[0])
        try:
            drive(port, 4, (lambda end: lambda: time.monotonic() > end)(time.monotonic() + 3), paths)
            for clients in map(int, args.levels.split(",")):
                end = time.monotonic() + args.seconds
                show("shared corpus", drive(port, clients, lambda: time.monotonic() > end, paths))
            rss, pss = tree_memory(proc.pid)
            print(f"  memory of the process tree: RSS {rss:.0f} MiB summed, PSS {pss:.0f} MiB", flush=True)
        finally:
            proc.terminate()
            proc.wait()

    with tempfile.TemporaryDirectory(prefix="timtin-load-") as tmp:
        tmp = Path(tmp)
        with open(tmp / "corpus.jsonl", "w", encoding="utf-8") as f:
            for row in spread_sample(SHARED, args.swap_n):
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        subprocess.run([sys.executable, "-m", "search.cli", "reindex", "--corpus", str(tmp / "corpus.jsonl"),
                        "--index", str(tmp / "index")], cwd=ROOT, check=True, capture_output=True)
        proc, port = start_server(tmp / "index")
        reindex = None
        try:
            log = open(tmp / "reindex.log", "w+")
            reindex = subprocess.Popen([sys.executable, "-m", "search.cli", "reindex", "--full",
                                        "--corpus", str(tmp / "corpus.jsonl"), "--index", str(tmp / "index")],
                                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
            end = time.monotonic() + args.seconds
            result = drive(port, 16, lambda: reindex.poll() is not None and time.monotonic() > end, paths)
            swapped = (tmp / "index" / "CURRENT").read_text().strip()
            show("during full reindex+swap", result)
            log.seek(0)
            print(f"  reindex exit {reindex.returncode}: {log.read().strip().splitlines()[-1]}; live: {swapped}")
        finally:
            if reindex is not None and reindex.poll() is None:
                reindex.kill()
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
