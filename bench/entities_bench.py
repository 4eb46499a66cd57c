"""Quality and speed of the person / agency extractor (search/entities/).

    python bench/entities_bench.py                  # P / R / F1 on the span splits and the old dev set
    python bench/entities_bench.py --errors         # ... and each article's misses / extras
    python bench/entities_bench.py --top 30         # ... and the 30 most frequent values over the corpus
    python bench/entities_bench.py --top 30 --limit 2000   # ... over its first 2,000 articles
    python bench/entities_bench.py --ids tests/data/entities/draws/seed7.txt   # one draw's articles

Span splits (tests/data/entities/spans.jsonl, dev and test; see its GUIDELINES.md): an
article's gold values are the canonical names of its PER and ORG spans. Two scores:
lenient, where an extracted value counts as found when it equals, after NFC and
`canonical_agency`, the canonical name or any written form of one gold entity (each
entity found once; further values naming it are ignored), and canonical, where only the
canonical name counts. The old dev set (tests/data/entities_dev.jsonl, 78 articles the
rules were written against; lists, not spans) is scored canonical-only. Micro-averaged;
tokens are computed once per paragraph with `search.segment.segment`, as the indexer
does, and passed in; the extraction time reported excludes segmentation.
"""
from __future__ import annotations

import argparse
import collections
import gzip
import json
import sys
import time
import unicodedata
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.entities import canonical_agency, extract_entities  # noqa: E402
from search.segment import segment  # noqa: E402

DEV = ROOT / "tests" / "data" / "entities_dev.jsonl"
SPANS = ROOT / "tests" / "data" / "entities" / "spans.jsonl"
CORPUS = ROOT.parent / "shared" / "corpus" / "news.jsonl.gz"


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s).strip()


def tokens_of(title: str, body: str) -> list[list[str]]:
    return [segment(title)] + [segment(p) for p in body.split("\n") if p.strip()]


def load_dev(path: Path) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line being written
    return out


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(records: list[dict], errors: bool = False, out=sys.stdout) -> dict:
    """Micro P/R/F1 for persons and agencies over the records; returns the figures."""
    counts = {"persons": [0, 0, 0], "agencies": [0, 0, 0]}
    t_extract = 0.0
    for d in records:
        title, body = d.get("title") or "", d.get("body") or ""
        toks = tokens_of(title, body)
        t0 = time.perf_counter()
        e = extract_entities(title, body, d.get("author"), tokens=toks)
        t_extract += time.perf_counter() - t0
        got = {"persons": {nfc(x) for x in e.persons},
               "agencies": {canonical_agency(nfc(x)) for x in e.agencies}}
        gold = {"persons": {nfc(x) for x in d.get("persons", [])},
                "agencies": {canonical_agency(nfc(x)) for x in d.get("agencies", [])}}
        for k in counts:
            tp = len(got[k] & gold[k])
            counts[k][0] += tp
            counts[k][1] += len(got[k] - gold[k])
            counts[k][2] += len(gold[k] - got[k])
        if errors and any(got[k] != gold[k] for k in counts):
            print(f"--- {d.get('id')}  {title[:70]}", file=out)
            for k in counts:
                miss, extra = sorted(gold[k] - got[k]), sorted(got[k] - gold[k])
                if miss:
                    print(f"  {k} missed: {miss}", file=out)
                if extra:
                    print(f"  {k} extra:  {extra}", file=out)
    res = {"articles": len(records), "ms_per_article": 1000 * t_extract / max(1, len(records))}
    for k, (tp, fp, fn) in counts.items():
        p, r, f = _prf(tp, fp, fn)
        res[k] = {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}
    return res


def span_gold(article: dict) -> dict:
    """Per kind: canonical name → every form that names it (canonical and written)."""
    out = {"persons": {}, "agencies": {}}
    for s in article["spans"]:
        kind = "persons" if s["label"] == "PER" else "agencies"
        norm = nfc if kind == "persons" else (lambda x: canonical_agency(nfc(x)))
        forms = out[kind].setdefault(norm(s["canonical"]), set())
        forms.update({norm(s["canonical"]), norm(s["text"])})
    return out


def evaluate_spans(records: list[dict], errors: bool = False, out=sys.stdout) -> dict:
    """Lenient and canonical P/R/F1 per kind over span-annotated articles."""
    counts = {(k, m): [0, 0, 0] for k in ("persons", "agencies") for m in ("lenient", "canonical")}
    t_extract = 0.0
    for d in records:
        toks = tokens_of(d["title"], d["body"])
        t0 = time.perf_counter()
        e = extract_entities(d["title"], d["body"], None, tokens=toks)
        t_extract += time.perf_counter() - t0
        got = {"persons": {nfc(x) for x in e.persons},
               "agencies": {canonical_agency(nfc(x)) for x in e.agencies}}
        gold = span_gold(d)
        for kind in ("persons", "agencies"):
            c = counts[(kind, "canonical")]
            canon = set(gold[kind])
            c[0] += len(got[kind] & canon)
            c[1] += len(got[kind] - canon)
            c[2] += len(canon - got[kind])
            found, extra = set(), []
            for value in got[kind]:
                hit = next((g for g, forms in gold[kind].items() if value in forms), None)
                if hit is None:
                    extra.append(value)
                else:
                    found.add(hit)
            c = counts[(kind, "lenient")]
            c[0] += len(found)
            c[1] += len(extra)
            c[2] += len(canon - found)
            if errors and (extra or canon - found):
                print(f"--- {d['id']} {kind}: missed {sorted(canon - found)}; extra {sorted(extra)}",
                      file=out)
    res = {"articles": len(records), "ms_per_article": 1000 * t_extract / max(1, len(records))}
    for (kind, mode), (tp, fp, fn) in counts.items():
        p, r, f = _prf(tp, fp, fn)
        res[(kind, mode)] = {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}
    return res


def _print_scores(label: str, res: dict, keys) -> None:
    print(f"{label}: {res['articles']} articles; extraction {res['ms_per_article']:.2f} ms/article "
          "(segmentation excluded)")
    for key, name in keys:
        r = res[key]
        print(f"  {name:22s} P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}"
              f"   (tp {r['tp']}, fp {r['fp']}, fn {r['fn']})")


def _work(line: str):
    try:
        d = json.loads(line)
    except json.JSONDecodeError:
        return None
    title, body = d.get("title") or "", d.get("body") or ""
    t0 = time.perf_counter()
    toks = tokens_of(title, body)
    t1 = time.perf_counter()
    e = extract_entities(title, body, None, tokens=toks)
    t2 = time.perf_counter()
    return e.persons, e.agencies, t1 - t0, t2 - t1, len(body)


def corpus_top(path: Path, top: int, limit: int | None, procs: int = 2, out=sys.stdout):
    pc, ac = collections.Counter(), collections.Counter()
    n = 0
    seg_t = ext_t = 0.0
    chars = 0
    t0 = time.time()

    def lines():
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for i, line in enumerate(f):
                if limit is not None and i >= limit:
                    break
                yield line

    with Pool(procs) as pool:
        for r in pool.imap_unordered(_work, lines(), chunksize=32):
            if r is None:
                continue
            persons, agencies, ts, te, nc = r
            n += 1
            seg_t += ts
            ext_t += te
            chars += nc
            pc.update(persons)
            ac.update(agencies)
    wall = time.time() - t0
    print(f"\ncorpus: {n} articles in {wall:.0f} s wall ({procs} processes); "
          f"per article: segmentation {1000 * seg_t / max(1, n):.2f} ms, "
          f"extraction {1000 * ext_t / max(1, n):.2f} ms "
          f"(mean body {chars / max(1, n):.0f} chars)", file=out)
    print(f"distinct persons {len(pc)}, agencies {len(ac)}; "
          f"articles with >=1 person / agency: see counts below", file=out)
    for label, c in (("persons", pc), ("agencies", ac)):
        print(f"\ntop {top} {label}:", file=out)
        for v, k in c.most_common(top):
            print(f"  {k:6d}  {v}", file=out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", type=Path, default=DEV, help="the old list-annotated dev set")
    ap.add_argument("--spans", type=Path, default=SPANS, help="span-annotated splits")
    ap.add_argument("--splits", default="dev,test",
                    help="splits to score (test: only to report a figure, never to tune)")
    ap.add_argument("--errors", action="store_true", help="print each article's misses and extras")
    ap.add_argument("--top", type=int, default=None,
                    help="also print the N most frequent values over the corpus (default 30 when "
                         "--corpus or --limit is given)")
    ap.add_argument("--corpus", type=Path, default=None, help=f"corpus (default {CORPUS})")
    ap.add_argument("--limit", type=int, default=None, help="only the first N corpus articles")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--no-dev", action="store_true", help="skip the dev-set scores")
    ap.add_argument("--ids", type=Path, default=None,
                    help="score only the articles whose ids this file lists, one per line (a fresh "
                         "draw, before it joins train), instead of the splits")
    a = ap.parse_args(argv)
    if not a.no_dev:
        if a.spans.exists():
            spans = load_dev(a.spans)
            wanted = set(a.ids.read_text().split()) if a.ids else None
            for split in (["ids"] if wanted else a.splits.split(",")):
                recs = [d for d in spans if (d["id"] in wanted if wanted else d.get("split") == split)]
                res = evaluate_spans(recs, errors=a.errors)
                _print_scores(f"{split} split ({a.spans.name})", res,
                              [((k, m), f"{k} {m}") for k in ("persons", "agencies")
                               for m in ("lenient", "canonical")])
        if a.dev.exists():
            res = evaluate(load_dev(a.dev), errors=a.errors)
            _print_scores(f"old dev set ({a.dev.name}, canonical)", res,
                          [("persons", "persons"), ("agencies", "agencies")])
    if a.top is not None or a.corpus is not None or a.limit is not None:
        corpus_top(a.corpus or CORPUS, a.top or 30, a.limit, a.procs)


if __name__ == "__main__":
    main()
