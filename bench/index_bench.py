"""Indexing speed and memory: timtin's indexer against a naive single-process loop.

    python bench/index_bench.py [--corpus FILE] [--n N] [--workers W] [--skip-naive]

Writes N articles (default 3,000, spread over the shared corpus; 0 = all) to a temporary
JSON Lines file, indexes it with `timtin reindex --full` and with bench/naive_index.py in
the same run, and prints articles/s for both, their ratio, peak RSS of each process tree
and the index sizes.
"""
import argparse
import json
import os
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

        secs, rss, res = run_measured([sys.executable, "-m", "search.cli", "reindex", "--full",
                                       "--corpus", str(corpus), "--index", str(tmp / "timtin"),
                                       "--workers", str(args.workers)], cwd=ROOT)
        if res.returncode:
            sys.exit(res.stderr)
        print(res.stderr.strip().splitlines()[-1])
        timtin_rate = n / secs
        print(f"timtin: {timtin_rate:7.1f} articles/s  ({secs:.1f} s wall, incl. start-up)  "
              f"peak RSS {rss / MIB:.0f} MiB  index {dir_size(tmp / 'timtin') / MIB:.1f} MiB")

        if not args.skip_naive:
            (tmp / "naive").mkdir()
            secs, rss, res = run_measured([sys.executable, str(ROOT / "bench" / "naive_index.py"),
                                           str(corpus), str(tmp / "naive")], cwd=ROOT / "bench")
            if res.returncode:
                sys.exit(res.stderr)
            naive_rate = n / secs
            print(f"naive:  {naive_rate:7.1f} articles/s  ({secs:.1f} s wall, incl. start-up)  "
                  f"peak RSS {rss / MIB:.0f} MiB  index {dir_size(tmp / 'naive') / MIB:.1f} MiB")
            print(f"ratio:  {timtin_rate / naive_rate:.2f}x the naive loop's articles/s")


if __name__ == "__main__":
    main()
