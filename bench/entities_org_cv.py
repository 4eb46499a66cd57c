"""Would a learned organisation reader help the agency rules? 5-fold cross-validation on the train split.

    python bench/entities_org_cv.py [--lex]

An experiment, not part of the engine. For each fold a CRF (python-crfsuite, the person
tagger's features plus where the rules took an agency, and with --lex our head-word and
fixed-name lists) is trained to label organisation spans (B-ORG / I-ORG) on the other
folds; on the held fold the spans it finds outside the rules' agencies, canonicalised, are
added to the rules' values when the model gives every token of the span at least a
probability p. Prints agencies P / R / F1 (lenient, as bench/entities_bench.py scores them)
for the rules alone and for each p. Reads only the train split.
"""
import argparse
import os
import shutil
import sys
import tempfile
from multiprocessing import Pool
from unicodedata import normalize

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import pycrfsuite  # noqa: E402

from bench.entities_bench import SPANS, _prf, load_dev, span_gold, tokens_of as art_tokens  # noqa: E402
from bench.entities_cv import fold_of  # noqa: E402
from search.entities import extract as X  # noqa: E402
from search.entities.canonical import canonical_agency  # noqa: E402
from search.entities.lexicon import _FIXED, _FIXED_MAX, _FOREIGN_ORG_WORDS, _HEAD_MAX, _HEADS, _LEVELS, _key  # noqa: E402
from search.entities.tagger import features, labels_from_spans, tokens_of  # noqa: E402
from search.entities.tokens import _clean_input  # noqa: E402
from search.segment import segment  # noqa: E402
from search.train_entities import paragraphs  # noqa: E402

LEX = False
_LVL = {k[0] for k in _LEVELS}


def org_marks(spans, inside):
    """Per token, where the rules took an agency (their spans in the text)."""
    out = [()] * len(spans)
    for x, y in inside:
        first = True
        for i, (a, b) in enumerate(spans):
            if a >= x and b <= y:
                out[i] = ("o=B",) if first else ("o=I",)
                first = False
    return out


def lex_marks(text, spans):
    """Per token, a head word (\"Bộ\", \"Công ty\") or a fixed name beginning or going on, an
    administrative level, a foreign organisation word."""
    forms = [text[a:b] for a, b in spans]
    keys = [_key(w) for w in forms]
    n = len(forms)
    out = [[] for _ in range(n)]
    for i in range(n):
        for L in range(min(_HEAD_MAX, n - i), 0, -1):
            if tuple(keys[i:i + L]) in _HEADS:
                out[i].append("hd=B")
                out[i + 1:i + L] = [x + ["hd=I"] for x in out[i + 1:i + L]]
                break
        for L in range(min(_FIXED_MAX, n - i), 0, -1):
            if tuple(forms[i:i + L]) in _FIXED:
                out[i].append("fx=B")
                out[i + 1:i + L] = [x + ["fx=I"] for x in out[i + 1:i + L]]
                break
        if keys[i] in _LVL:
            out[i].append("lvl")
        if keys[i] in _FOREIGN_ORG_WORDS:
            out[i].append("orgw")
    return [tuple(x) for x in out]


def art_seqs(article):
    """(text, token spans, features, ORG labels, the rules' agency spans) per paragraph."""
    paras = list(paragraphs(article, "ORG"))
    words = [segment(t) for t, _ in paras]
    r = X._rule_pass(_clean_input(article["title"]), _clean_input(article["body"]), words)
    rules = X._names_by_paragraph(r.mentions)
    out = []
    for pi, ((text, orgs), w) in enumerate(zip(paras, words)):
        spans = tokens_of(text)
        if not spans:
            continue
        f = features(text, spans, w, rules.get(pi))
        inside = X._org_spans(text, r.org_words.get(pi, ()))
        m = org_marks(spans, inside)
        if LEX:
            lex = lex_marks(text, spans)
            m = [a + b for a, b in zip(m, lex)]
        for i in range(len(f)):
            f[i] = f[i] + list(m[i])
            for d in (-1, 1):
                j = i + d
                if 0 <= j < len(f):
                    f[i].extend(f"{d}:{x}" for x in m[j])
        out.append((text, spans, f, labels_from_spans(spans, orgs, "ORG"), inside))
    return out


def run(job):
    fold, lex = job
    global LEX
    LEX = lex
    arts = [d for d in load_dev(SPANS) if d.get("split") == "train"]
    held = [a for a in arts if fold_of(a["id"], 5) == fold]
    rest = [a for a in arts if fold_of(a["id"], 5) != fold]
    tr = pycrfsuite.Trainer(verbose=False)
    tr.set_params({"c1": 0.2, "c2": 0.001, "max_iterations": 150, "feature.possible_transitions": True})
    for a in sorted(rest, key=lambda a: a["id"]):
        for text, spans, f, lab, _ in art_seqs(a):
            tr.append(f, lab)
    tmp = tempfile.mkdtemp(prefix="timtin-org-")
    tr.train(os.path.join(tmp, "org.crfsuite"))
    tg = pycrfsuite.Tagger()
    tg.open(os.path.join(tmp, "org.crfsuite"))
    res = {}
    for a in held:
        e = X.extract_entities(a["title"], a["body"], None, tokens=art_tokens(a["title"], a["body"]))
        base = {canonical_agency(normalize("NFC", x)) for x in e.agencies}
        seqs = art_seqs(a)
        add = []
        for text, spans, f, lab, inside in seqs:
            tags = tg.tag(f)
            run_ = []
            for k, t in enumerate(tags + ["O"]):
                if run_ and t != "I-ORG":
                    pmin = min(tg.marginal(tags[x], x) for x in run_)
                    s, e2 = spans[run_[0]][0], spans[run_[-1]][1]
                    if not any(x < e2 and s < y for x, y in inside):
                        add.append((pmin, text[s:e2]))
                    run_ = []
                if t == "B-ORG" or (t == "I-ORG" and run_):
                    run_.append(k)
        res[a["id"]] = (sorted(base), add, span_gold(a)["agencies"])
    tg.close()
    shutil.rmtree(tmp)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lex", action="store_true", help="add the head-word and fixed-name features")
    a = ap.parse_args()
    with Pool(2) as pool:
        parts = pool.map(run, [(f, a.lex) for f in range(5)])
    results = {k: v for p in parts for k, v in p.items()}
    print(f"train split, 5-fold cross-validation: {len(results)} articles; agencies, lenient")
    for p in (None, 0.5, 0.7, 0.8, 0.9, 0.95):
        c = [0, 0, 0]
        for base, add, gold in results.values():
            got = set(base)
            if p is not None:
                got |= {canonical_agency(normalize("NFC", s)) for q, s in add if q >= p}
            got.discard("")
            found = {g for v in got for g, forms in gold.items() if v in forms}
            c[0] += len(found)
            c[1] += sum(1 for v in got if not any(v in forms for forms in gold.values()))
            c[2] += len(set(gold) - found)
        pr, rc, f1 = _prf(*c)
        label = "rules alone" if p is None else f"rules + CRF p>={p}"
        print(f"  {label:20s} P {pr:.3f}  R {rc:.3f}  F1 {f1:.3f}   (tp {c[0]}, fp {c[1]}, fn {c[2]})")


if __name__ == "__main__":
    main()
