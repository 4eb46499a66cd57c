"""Search latency over the whole shared corpus, against Whoosh's own groupedby facets,
and throughput of GET /api/search under `timtin serve`.

    python bench/query_bench.py [--index DIR] [--corpus FILE] [--http-seconds 20] [--clients 8]

Indexes the shared corpus into bench/.cache/index-shared unless an index is there, runs the
fixed queries of bench/queries.txt (each as written and without diacritics, some with
filters) and prints p50/p95/max latency of a full search (top 10, total, all five
multi-select facets), then the same queries with Whoosh's `groupedby` facets, then
requests/s and p95 of /api/search with concurrent clients on 127.0.0.1.
"""
import argparse
import json
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from whoosh import sorting  # noqa: E402
from whoosh.query import And, Not, Or, Phrase, Term  # noqa: E402

from common import CACHE, ROOT, SHARED, percentile  # noqa: E402
from search.analysis import fold  # noqa: E402
from search.engine import Engine  # noqa: E402
from search import storage  # noqa: E402
from search.indexer import reindex  # noqa: E402
from search.schema import ANALYSIS_VERSION  # noqa: E402
from search.query import parse_query  # noqa: E402
from search.request import SearchRequest  # noqa: E402

FILTERS = [{"date_from": "2017-06"}, {"source": ["Dân Trí"]}, {"agency": ["Bộ Công an"]},
           {"date_from": "2021", "date_to": "2021-12"}, {"source": ["baomoi.com"], "date_to": "2017-06-15"}]


def queries() -> list[dict]:
    lines = [l.strip() for l in (ROOT / "bench" / "queries.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    out = []
    for i, q in enumerate(lines):
        for text in (q, fold(q)):
            params = {"q": text}
            if i % 4 == 3:
                params.update(FILTERS[(i // 4) % len(FILTERS)])
            out.append(params)
    return out


def to_request(params: dict) -> SearchRequest:
    return SearchRequest.from_params(lambda k: (lambda v: v if isinstance(v, list) else [v])(params[k])
                                     if k in params else [])


def whoosh_query(text: str):
    """The same matching as timtin's (folded syllables in title or body) as a Whoosh query."""
    groups = []
    for g in parse_query(text).groups:
        clauses = []
        for c in g.clauses:
            f = c.folded
            q = (Or([Phrase("title_f", list(f)), Phrase("body_f", list(f))]) if c.is_phrase
                 else Or([Term("title_f", f[0]), Term("body_f", f[0])]))
            clauses.append(Not(q) if c.negated else q)
        groups.append(And(clauses))
    return Or(groups) if len(groups) > 1 else groups[0]


def bench_engine(engine, qs, cpu=None):
    """Wall milliseconds per search; with a list as cpu, also appends CPU milliseconds
    (this process's CPU time: what a noisy shared machine's steal does not inflate)."""
    times = []
    for params in qs:
        req = to_request(params)
        start, start_cpu = time.perf_counter(), time.process_time()
        engine.search(req)
        times.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - start_cpu) * 1000)
    return times


def bench_groupedby(engine, qs):
    snap = engine.snapshot()
    facets = sorting.Facets()
    for name in ("year", "month", "source"):
        facets.add_field(name)
    for name in ("agency", "person"):
        facets.add_field(name, allow_overlap=True)
    times = []
    with snap.ix.searcher() as s:
        for params in qs:
            start = time.perf_counter()
            r = s.search(whoosh_query(params["q"]), limit=10, groupedby=facets)
            r.scored_length(), len(r)
            for name in ("year", "month", "source", "agency", "person"):
                r.groups(name)
            times.append((time.perf_counter() - start) * 1000)
    return times


def report(name, times):
    print(f"{name:<34} p50 {percentile(times, 50):7.1f} ms   p95 {percentile(times, 95):7.1f} ms   "
          f"max {max(times):7.1f} ms   ({len(times)} queries)")


def bench_http(index_dir, qs, clients, seconds):
    import subprocess
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "search.cli", "serve", "--port", str(port),
                               "--index", str(index_dir)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/search?"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "q=x", timeout=30)
                break
            except OSError:
                time.sleep(0.2)
        latencies, errors = [], [0]
        deadline = time.monotonic() + seconds

        def client(k):
            i = k
            while time.monotonic() < deadline:
                url = base + urllib.parse.urlencode(qs[i % len(qs)], doseq=True)
                i += clients
                start = time.perf_counter()
                try:
                    with urllib.request.urlopen(url, timeout=30) as r:
                        r.read()
                    latencies.append((time.perf_counter() - start) * 1000)
                except Exception:
                    errors[0] += 1

        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"HTTP /api/search, {clients} clients, {seconds} s: {len(latencies) / seconds:.1f} requests/s, "
              f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
              f"errors {errors[0]}")
    finally:
        server.terminate()
        server.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=CACHE / "index-shared")
    ap.add_argument("--corpus", type=Path, default=SHARED)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--http-seconds", type=int, default=20)
    ap.add_argument("--skip-groupedby", action="store_true")
    args = ap.parse_args()

    engine = Engine(args.index)
    if storage.current_generation(args.index) is None or \
            storage.read_meta(storage.current_generation(args.index)).get("analysis_version") != ANALYSIS_VERSION:
        print(f"building {args.index} from {args.corpus} …", flush=True)
        print(reindex([args.corpus], args.index, full=True, report=lambda p: None).line())
    start = time.perf_counter()
    snap = engine.snapshot()
    print(f"index: {snap.store.live_count} articles; snapshot opened in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    snap.warm()  # what `timtin serve` does before it listens
    print(f"warm-up (vocabulary, field lengths, names; as `timtin serve` does): "
          f"{time.perf_counter() - start:.1f} s")
    qs = queries()
    first = bench_engine(engine, qs[:1])[0]
    for name in ("first", "second"):
        cpu = []
        report(f"timtin full search, {name} pass", bench_engine(engine, qs, cpu))
        report("  the same, CPU time", cpu)
    print(f"first query after opening: {first:.1f} ms")
    if not args.skip_groupedby:
        # Whoosh's groupedby takes seconds per query here: every 5th query only, and
        # timtin on the same subset for the ratio.
        subset = qs[::5]
        ours = bench_engine(engine, subset)
        theirs = bench_groupedby(engine, subset)
        report("timtin, same subset", ours)
        report("whoosh search + groupedby (5)", theirs)
        print(f"p95 ratio groupedby/timtin: {percentile(theirs, 95) / percentile(ours, 95):.1f}x")
    if args.http_seconds:
        bench_http(args.index, qs, args.clients, args.http_seconds)


if __name__ == "__main__":
    main()
