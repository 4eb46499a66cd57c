"""Cross-validated entity figures on the train split: a larger yardstick than 56 dev articles.

    python bench/entities_cv.py                 # 5 folds, P / R / F1 summed over them
    python bench/entities_cv.py --errors F      # ... and each article's misses / extras to F

The train split (tests/data/entities/spans.jsonl) is cut into K folds by a hash of each
article's id; for each fold the person tagger is trained on the other folds (as
`python -m search.train_entities` trains it) and the whole extractor is scored on the fold,
as bench/entities_bench.py scores the dev split. No fold is scored by a model that saw it,
so a change to the features or the rules can be judged on 568 articles instead of 56 —
and the dev and test splits are not read at all.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import sys
import tempfile
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.entities_bench import SPANS, _prf, evaluate_spans, load_dev  # noqa: E402
from search.entities import tagger  # noqa: E402
from search import train_entities  # noqa: E402
from search.train_entities import train_articles  # noqa: E402


def fold_of(article_id: str, k: int) -> int:
    return int(hashlib.sha1(article_id.encode()).hexdigest(), 16) % k


def _run_fold(job):
    fold, k, articles, errors, fraction = job
    held = [a for a in articles if fold_of(a["id"], k) == fold]
    rest = [a for a in articles if fold_of(a["id"], k) != fold]
    # A learning curve: train on a fixed share of the other folds (by the same hash).
    rest = [a for a in rest if int(hashlib.sha1(b"f" + a["id"].encode()).hexdigest(), 16) % 1000
            < fraction * 1000]
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "fold.crfsuite"
        train_articles(rest, model)
        tagger.use_model(model)
        out = io.StringIO()
        res = evaluate_spans(held, errors=errors, out=out)
    return res, out.getvalue()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spans", type=Path, default=SPANS)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--fraction", type=float, default=1.0,
                    help="train each fold's model on this share of the other folds")
    ap.add_argument("--errors", type=Path, default=None, help="write each article's errors here")
    ap.add_argument("--c1", type=float, help="the CRF's L1 penalty (default: the trainer's)")
    ap.add_argument("--c2", type=float, help="the CRF's L2 penalty (default: the trainer's)")
    a = ap.parse_args(argv)
    for name in ("c1", "c2"):  # the fold processes are forked after this
        if getattr(a, name) is not None:
            train_entities.PARAMS[name] = getattr(a, name)
    articles = [d for d in load_dev(a.spans) if d.get("split") == "train"]
    jobs = [(f, a.folds, articles, a.errors is not None, a.fraction) for f in range(a.folds)]
    with Pool(a.procs) as pool:
        results = pool.map(_run_fold, jobs)
    if a.errors:
        a.errors.write_text("".join(text for _, text in results), encoding="utf-8")
    total = sum(r["articles"] for r, _ in results)
    ms = sum(r["ms_per_article"] * r["articles"] for r, _ in results) / max(1, total)
    print(f"train split, {a.folds}-fold cross-validation: {total} articles; "
          f"extraction {ms:.2f} ms/article (segmentation excluded)")
    for kind in ("persons", "agencies"):
        for mode in ("lenient", "canonical"):
            tp, fp, fn = (sum(r[(kind, mode)][x] for r, _ in results) for x in ("tp", "fp", "fn"))
            p, r, f = _prf(tp, fp, fn)
            print(f"  {kind + ' ' + mode:22s} P {p:.3f}  R {r:.3f}  F1 {f:.3f}   (tp {tp}, fp {fp}, fn {fn})")


if __name__ == "__main__":
    main()
