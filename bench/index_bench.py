"""Indexing speed and memory: timtin's indexer against a naive single-process loop.

    python bench/index_bench.py [--corpus FILE] [--n N] [--workers W] [--skip-naive] [--repeat R]

Writes N articles (default 3,000, spread over the shared corpus; 0 = all) to a temporary
JSON Lines file, indexes it with `timtin reindex --full` and with bench/naive_index.py in
the same run, and prints articles/s for both, their ratio, the CPU time each used per
article (all processes; steadier than wall time on a shared machine), peak RSS of each
process tree and the index sizes. With --repeat R the two alternate R times and the medians are
printed too: on a shared machine one pair of runs can be 20% apart from the next.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from common import ROOT, SHARED, dir_size, run_measured, spread_sample

MIB = 1024 * 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=SHARED)
    ap.add_argument("--n", type=int, default=3000, help="articles (0: all)")
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="timtin-bench-") as tmp:
        tmp = Path(tmp)
        rows = spread_sample(args.corpus, args.n)
        corpus = tmp / "corpus.jsonl"
        with open(corpus, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        n = len(rows)
        print(f"{n} articles from {args.corpus}, {os.cpu_count()} CPUs, timtin --workers {args.workers}")

        rates = {"timtin": [], "naive": []}
        for _ in range(args.repeat):
            rates["timtin"].append(run_timtin(corpus, tmp, n, args.workers))
            if not args.skip_naive:
                rates["naive"].append(run_naive(corpus, tmp, n))
                print(f"ratio:  {rates['timtin'][-1] / rates['naive'][-1]:.2f}x the naive loop's articles/s")
        if args.repeat > 1:
            timtin = statistics.median(rates["timtin"])
            print(f"median of {args.repeat}: timtin {timtin:.1f} articles/s", end="")
            if rates["naive"]:
                naive = statistics.median(rates["naive"])
                ratios = [t / v for t, v in zip(rates["timtin"], rates["naive"])]
                print(f", naive {naive:.1f} articles/s, ratio {statistics.median(ratios):.2f}x", end="")
            print()


def run_timtin(corpus: Path, tmp: Path, n: int, workers: int) -> float:
    index = tmp / "timtin"
    shutil.rmtree(index, ignore_errors=True)
    cpu = children_cpu()
    secs, rss, res = run_measured([sys.executable, "-m", "search.cli", "reindex", "--full",
                                   "--corpus", str(corpus), "--index", str(index),
                                   "--workers", str(workers)], cwd=ROOT)
    cpu = children_cpu() - cpu
    if res.returncode:
        sys.exit(res.stderr)
    print(res.stderr.strip().splitlines()[-1])
    print(f"timtin: {n / secs:7.1f} articles/s  ({secs:.1f} s wall, incl. start-up)  "
          f"CPU {cpu * 1000 / n:.1f} ms/article  "
          f"peak RSS {rss / MIB:.0f} MiB  index {dir_size(index) / MIB:.1f} MiB")
    return n / secs


def run_naive(corpus: Path, tmp: Path, n: int) -> float:
    index = tmp / "naive"
    shutil.rmtree(index, ignore_errors=True)
    index.mkdir()
    cpu = children_cpu()
    secs, rss, res = run_measured([sys.executable, str(ROOT / "bench" / "naive_index.py"),
                                   str(corpus), str(index)], cwd=ROOT / "bench")
    cpu = children_cpu() - cpu
    if res.returncode:
        sys.exit(res.stderr)
    print(f"naive:  {n / secs:7.1f} articles/s  ({secs:.1f} s wall, incl. start-up)  "
          f"CPU {cpu * 1000 / n:.1f} ms/article  "
          f"peak RSS {rss / MIB:.0f} MiB  index {dir_size(index) / MIB:.1f} MiB")
    return n / secs


def children_cpu() -> float:
    """User + system seconds of every finished child process (and theirs) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
