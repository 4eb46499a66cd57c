"""Known-item search: does a title typed as a query (with or without its diacritics) bring
up that article first?

    python bench/known_item_bench.py [--index DIR] [--n 300] [--seed 11]

Takes n random articles of the shared corpus and searches each title as written and folded
(no diacritics, lower case); counts the articles found in the top k, k the number of
articles sharing that title (syndicated copies). Prints the misses.
"""
import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import CACHE, SHARED, read_jsonl  # noqa: E402
from search.analysis import fold  # noqa: E402
from search.engine import Engine  # noqa: E402
from search.request import SearchRequest  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=CACHE / "index-shared")
    ap.add_argument("--corpus", type=Path, default=SHARED)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rows = list(read_jsonl(args.corpus))
    same_title: dict[str, set] = {}
    for r in rows:
        same_title.setdefault(fold(r["title"]), set()).add(r["id"])
    sample = random.Random(args.seed).sample(rows, args.n)
    engine = Engine(args.index)
    found = {"as written": 0, "without diacritics": 0}
    for r in sample:
        k = len(same_title[fold(r["title"])])
        for kind, q in (("as written", r["title"]), ("without diacritics", fold(r["title"]))):
            hits = engine.search(SearchRequest(q=q, per_page=min(k, 100))).hits
            if r["id"] in {h["id"] for h in hits}:
                found[kind] += 1
            else:
                print(f"miss ({kind}): {q[:90]!r} → {hits[0]['title'][:60] if hits else None!r}")
    for kind, n in found.items():
        print(f"title {kind:<20} first: {n}/{len(sample)}")


if __name__ == "__main__":
    main()
