"""Train the person tagger (search/entities/tagger.py) on the train split of the spans.

    python -m search.train_entities [--spans tests/data/entities/spans.jsonl] [--out MODEL]

Reads the articles of split "train" only (dev is for tuning, test for reporting), cuts
each into paragraphs as the extractor does (the title, then each body line), labels the
tokens inside PER spans, and trains a CRF with fixed settings and a fixed order of
articles, so the same data gives the same model.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pycrfsuite

from .entities.extract import rule_names_by_paragraph
from .entities.tagger import MODEL, features, labels_from_spans, tokens_of
from .segment import segment

ROOT = Path(__file__).resolve().parent.parent
SPANS = ROOT / "tests" / "data" / "entities" / "spans.jsonl"
PARAMS = {"c1": 0.2, "c2": 0.001, "max_iterations": 150,
          "feature.possible_transitions": True}


def paragraphs(article: dict, label: str = "PER"):
    """(text, spans of label within it) for the title and each non-empty body line."""
    marked = [s for s in article.get("spans", []) if s["label"] == label]
    yield article["title"], [(s["start"], s["end"]) for s in marked if s["field"] == "title"]
    offset = 0
    for line in article["body"].split("\n"):
        end = offset + len(line)
        if line.strip():
            yield line, [(s["start"] - offset, s["end"] - offset) for s in marked
                         if s["field"] == "body" and offset <= s["start"] and s["end"] <= end]
        offset = end + 1


def sequences(articles):
    for article in sorted(articles, key=lambda a: a["id"]):
        paras = list(paragraphs(article))
        words = [segment(text) for text, _ in paras]
        rules = rule_names_by_paragraph(article["title"], article["body"], words)
        for pi, ((text, names), w) in enumerate(zip(paras, words)):
            spans = tokens_of(text)
            if spans:
                yield features(text, spans, w, rules.get(pi)), labels_from_spans(spans, names)


def train(spans_path: Path, out: Path, split: str = "train") -> int:
    with open(spans_path, encoding="utf-8") as f:
        articles = [a for a in map(json.loads, f) if a.get("split") == split]
    train_articles(articles, out)
    return len(articles)


def train_articles(articles, out: Path) -> None:
    """Train a model on these span-annotated articles and write it to out."""
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params(PARAMS)
    for xseq, yseq in sequences(articles):
        trainer.append(xseq, yseq)
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spans", type=Path, default=SPANS)
    ap.add_argument("--out", type=Path, default=MODEL)
    a = ap.parse_args(argv)
    n = train(a.spans, a.out)
    print(f"trained on {n} articles -> {a.out} ({a.out.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
