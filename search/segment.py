"""pyvi word segmentation, made fast.

pyvi's `ViTokenizer.tokenize` spends most of its time building a dict of features per
syllable in Python. This module builds the same features as plain strings (the form
python-crfsuite takes natively), once per distinct syllable, and calls the same CRF model,
so it returns exactly the words `ViTokenizer.tokenize` would (tests/test_segment.py checks
that on real paragraphs) in under half the time. It reads pyvi's model without importing
pyvi.ViTokenizer, which would import scikit-learn (~1 s at every start).
"""
from __future__ import annotations

import os
import pickle
import re
import string
import unicodedata

import pycrfsuite
import pyvi

_PUNCT = string.punctuation


class _Unpickled:
    """Stands in for sklearn_crfsuite's classes: pyvi's model is a pickled scikit-learn
    estimator around a CRFsuite model file, and importing scikit-learn to unpickle it
    costs ~1 s at every start. Only the model file's bytes are needed."""


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module.split(".")[0] in ("sklearn_crfsuite", "pycrfsuite"):
            return _Unpickled
        return super().find_class(module, name)


def _load_pyvi():
    """pyvi's n-gram lists and CRF model, read as pyvi's ViTokenizer reads them."""
    models = os.path.join(os.path.dirname(pyvi.__file__), "models")
    bigrams, trigrams = set(), set()
    with open(os.path.join(models, "words.txt"), encoding="utf-8", newline="") as f:
        for token in f.read().split("\n"):
            n = len(token.split(" "))
            if n == 2:
                bigrams.add(token)
            elif n == 3:
                trigrams.add(token)
    with open(os.path.join(models, "pyvi3.pkl"), "rb") as f:
        estimator = _ModelUnpickler(f).load()
    model = estimator.modelfile.__dict__["__FILE_RESOURCE_DATA__"]
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model)  # reads the bytes in place: they must stay alive
    return bigrams, trigrams, tagger, model


_BIGRAMS, _TRIGRAMS, _TAGGER, _MODEL = _load_pyvi()

# ViTokenizer.sylabelize's pattern, compiled once and without capturing groups (its
# findall built a tuple of groups per syllable to keep the first).
_SYLLABLE = re.compile(
    r"[A-ZĐ]+\.|Tp\.|Mr\.|Mrs\.|Ms\.|Dr\.|ThS\.|==>|->|\.\.\.|>>|\n|\w+://[^\s]+"
    r"|[a-zA-Z0-9_.+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+|\d+(?:[\.,_]\d+)+|[^\w\s]|\w+")

# Per syllable: its own features, those it gives the next syllable (as "-1:") and the
# previous one (as "+1:"), and its lower case. Syllables repeat, so these are built once.
_CACHE: dict[str, tuple[list[str], list[str], list[str], str]] = {}
_CACHE_LIMIT = 200_000  # numbers and names keep coming: bound the memory


def _syllable_features(s: str):
    lower = s.lower()
    upper, title = s.isupper(), s.istitle()
    own = ["bias", "word.lower():" + lower]
    before, after = ["-1:word.lower():" + lower], ["+1:word.lower():" + lower]
    if upper:
        own.append("word.isupper()")
    if title:
        own.append("word.istitle()")
        before.append("-1:word.istitle()")
        after.append("+1:word.istitle()")
    if upper:
        before.append("-1:word.isupper()")
        after.append("+1:word.isupper()")
    if s.isdigit():
        own.append("word.isdigit()")
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    entry = _CACHE[s] = (own, before, after, lower)
    return entry


def _features(sylls: list[str]) -> list[list[str]]:
    """pyvi's features, in pyvi's order, as the strings python-crfsuite takes."""
    n = len(sylls)
    info = [_CACHE.get(s) or _syllable_features(s) for s in sylls]
    lower = [x[3] for x in info]
    bi = [f"{lower[i]} {lower[i + 1]}" in _BIGRAMS for i in range(n - 1)]
    tri = [f"{lower[i]} {lower[i + 1]} {lower[i + 2]}" in _TRIGRAMS for i in range(n - 2)]
    seq = []
    for i in range(n):
        f = info[i][0]
        if i > 0:
            f = f + info[i - 1][1]  # a new list: the cached ones are never appended to
            if bi[i - 1]:
                f.append("-1:word.bi_gram()")
            if i > 1 and tri[i - 2]:
                f.append("-2:word.tri_gram()")
        if i < n - 1:
            f = f + info[i + 1][2]
            if bi[i]:
                f.append("+1:word.bi_gram()")
            if i < n - 2 and tri[i]:
                f.append("+2:word.tri_gram()")
        seq.append(f)
    return seq


def sylabelize(text: str) -> list[str]:
    """The syllables and punctuation of text, as ViTokenizer.sylabelize splits them."""
    return _SYLLABLE.findall(unicodedata.normalize("NFC", text))


def segment(text: str) -> list[str]:
    """The words of one paragraph as pyvi gives them, syllables joined by "_"."""
    sylls = sylabelize(text)
    if not sylls:
        return []
    labels = _TAGGER.tag(_features(sylls))
    out = [sylls[0]]
    for i in range(1, len(sylls)):
        if labels[i] != "I_W":
            out.append(sylls[i])
            continue
        cur, prev = sylls[i], sylls[i - 1]
        # The same joining rule as ViTokenizer.tokenize.
        if (cur not in _PUNCT and prev not in _PUNCT
                and not cur[0].isdigit() and not prev[0].isdigit()
                and not (cur[0].istitle() and not prev[0].istitle())):
            out[-1] += "_" + cur
        else:
            out.append(cur)
    return out
