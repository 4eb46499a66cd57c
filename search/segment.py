"""pyvi word segmentation, made fast.

pyvi's `ViTokenizer.tokenize` builds a dict of features per syllable in Python and has
python-crfsuite tag them with its CRF model. The model is small and linear: two labels
(B_W begins a word, I_W continues one), transition weights, and a weight per label for
each feature string. This module reads those weights from pyvi's model file once and
scores syllables itself, with the feature weights of each distinct syllable looked up once
and cached, then runs the same Viterbi search as CRFsuite. Scores are summed in CRFsuite's
order, so they are the same floating-point numbers and the words are exactly those of
`ViTokenizer.tokenize` (tests/test_segment.py checks that on real paragraphs), in a sixth
of its time or less. pyvi.ViTokenizer itself is never imported: it imports scikit-learn
(~1 s at every start) to unpickle the model.
"""
from __future__ import annotations

import os
import pickle
import re
import string
import struct
import unicodedata

import pyvi

_PUNCT = string.punctuation


class _Unpickled:
    """Stands in for the classes in pyvi's pickled model: a scikit-learn estimator around a
    CRFsuite model file, with numpy scalars among its settings. Importing sklearn_crfsuite
    (and with it scikit-learn) to unpickle it costs ~1 s at every start; only the model
    file's bytes are needed."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        if isinstance(state, dict):
            self.__dict__.update(state)


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module.split(".")[0] in ("sklearn_crfsuite", "pycrfsuite", "numpy"):
            return _Unpickled
        return super().find_class(module, name)


def _cqdb_strings(model: bytes, offset: int) -> list[str]:
    """The strings of a CRFsuite CQDB chunk (label or attribute names), by id: its
    backward array points at each (id, size, bytes) record."""
    chunk, _size, _flag, _order, count, bwd = struct.unpack_from("<4sIIIII", model, offset)
    if chunk != b"CQDB":
        raise ValueError("not a CRFsuite string table")
    out = []
    for i in range(count):
        (rec,) = struct.unpack_from("<I", model, offset + bwd + 4 * i)
        rid, size = struct.unpack_from("<II", model, offset + rec)
        if rid != i:
            raise ValueError("CRFsuite string table out of order")
        out.append(model[offset + rec + 8: offset + rec + 7 + size].decode("utf-8"))
    return out


def _crf_weights(model: bytes):
    """Feature string → (B_W weight, I_W weight), and the 2x2 transition weights, read from
    a CRFsuite 1st-order model file (crfsuite's crf1dm.c: a header, then 20-byte feature
    records (type, source, destination, float64 weight), then CQDB string tables)."""
    (magic, _size, kind, _version, _n, _labels, _attrs, off_feat, off_labels, off_attrs,
     _lrefs, _arefs) = struct.unpack_from("<4sI4sIIIIIIIII", model, 0)
    if magic != b"lCRF" or kind != b"FOMC":
        raise ValueError("pyvi's model is not a CRFsuite 1st-order model")
    if _cqdb_strings(model, off_labels) != ["B_W", "I_W"]:
        raise ValueError("pyvi's model has other labels than B_W, I_W")
    attrs = _cqdb_strings(model, off_attrs)
    chunk, _size, count = struct.unpack_from("<4sII", model, off_feat)
    if chunk != b"FEAT":
        raise ValueError("pyvi's model has no feature table")
    state: dict[str, list[float]] = {}
    trans = [[0.0, 0.0], [0.0, 0.0]]
    for kind, src, dst, weight in struct.iter_unpack("<IIId", model[off_feat + 12: off_feat + 12 + 20 * count]):
        if kind == 0:  # a state feature: attribute → label
            state.setdefault(attrs[src], [0.0, 0.0])[dst] = weight
        else:  # a transition: label → label
            trans[src][dst] = weight
    return {a: tuple(w) for a, w in state.items()}, trans


def _load_pyvi():
    """pyvi's n-gram lists and CRF weights, read as pyvi's ViTokenizer reads them."""
    models = os.path.join(os.path.dirname(pyvi.__file__), "models")
    bigrams, trigrams = [], []
    with open(os.path.join(models, "words.txt"), encoding="utf-8", newline="") as f:
        for token in f.read().split("\n"):
            parts = token.split(" ")
            if len(parts) == 2:
                bigrams.append(parts)
            elif len(parts) == 3:
                trigrams.append(parts)
    with open(os.path.join(models, "pyvi3.pkl"), "rb") as f:
        estimator = _ModelUnpickler(f).load()
    model = estimator.modelfile.__dict__["__FILE_RESOURCE_DATA__"]
    return bigrams, trigrams, _crf_weights(model)


_BIGRAM_LIST, _TRIGRAM_LIST, (_WEIGHTS, _TRANS) = _load_pyvi()
# pyvi asks whether "a b" (lower-cased) is one of its bigrams, and "a b c" of its
# trigrams. Joining and hashing new strings for every pair and triple of syllables was a
# third of the time: instead each syllable of the lists gets a number (0: in none), and
# an n-gram is a number made of its syllables' numbers.
_NGRAM_SYLLABLE = {s: i for i, s in enumerate(
    dict.fromkeys(s for gram in _BIGRAM_LIST + _TRIGRAM_LIST for s in gram), start=1)}
_RADIX = len(_NGRAM_SYLLABLE) + 1
_BIGRAMS = {a * _RADIX + b for a, b in (map(_NGRAM_SYLLABLE.get, g) for g in _BIGRAM_LIST)}
_TRIGRAMS = {(a * _RADIX + b) * _RADIX + c
             for a, b, c in (map(_NGRAM_SYLLABLE.get, g) for g in _TRIGRAM_LIST)}
_ZERO = (0.0, 0.0)  # an attribute the model does not know adds nothing


def _w(attribute: str) -> tuple[float, float]:
    return _WEIGHTS.get(attribute, _ZERO)


_BIAS, _UPPER, _TITLE, _DIGIT = map(_w, ("bias", "word.isupper()", "word.istitle()", "word.isdigit()"))
_PREV_TITLE, _PREV_UPPER = _w("-1:word.istitle()"), _w("-1:word.isupper()")
_NEXT_TITLE, _NEXT_UPPER = _w("+1:word.istitle()"), _w("+1:word.isupper()")
_PREV_BI, _PREV_TRI = _w("-1:word.bi_gram()"), _w("-2:word.tri_gram()")
_NEXT_BI, _NEXT_TRI = _w("+1:word.bi_gram()"), _w("+2:word.tri_gram()")
(_BB, _BI), (_IB, _II) = _TRANS

# ViTokenizer.sylabelize's pattern, compiled once and without capturing groups (its
# findall built a tuple of groups per syllable to keep the first).
_SYLLABLE = re.compile(
    r"[A-ZĐ]+\.|Tp\.|Mr\.|Mrs\.|Ms\.|Dr\.|ThS\.|==>|->|\.\.\.|>>|\n|\w+://[^\s]+"
    r"|[a-zA-Z0-9_.+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+|\d+(?:[\.,_]\d+)+|[^\w\s]|\w+")

# Per distinct syllable: its n-gram number, then (B_W, I_W) weight pairs flattened: of its
# own features (summed), and of the three features each that it gives the next syllable
# ("-1:" lower, istitle, isupper) and the previous one ("+1:" the same); last, whether
# it is neither title nor upper case (so that its istitle and isupper weights are 0.0).
_CACHE: dict[str, tuple] = {}
_CACHE_LIMIT = 200_000  # numbers and names keep coming: bound the memory
_EDGE = (0,) + (0.0,) * 14 + (True,)  # stands before the first syllable and after the last


def _syllable_weights(s: str) -> tuple:
    lower = s.lower()
    upper, title = s.isupper(), s.istitle()
    # pyvi's own features, in pyvi's order: bias, lower, isupper, istitle, isdigit.
    own = _w("word.lower():" + lower)
    b, i = _BIAS[0] + own[0], _BIAS[1] + own[1]
    if upper:
        b, i = b + _UPPER[0], i + _UPPER[1]
    if title:
        b, i = b + _TITLE[0], i + _TITLE[1]
    if s.isdigit():
        b, i = b + _DIGIT[0], i + _DIGIT[1]
    prev_lower, next_lower = _w("-1:word.lower():" + lower), _w("+1:word.lower():" + lower)
    pt, pu = (_PREV_TITLE if title else _ZERO), (_PREV_UPPER if upper else _ZERO)
    nt, nu = (_NEXT_TITLE if title else _ZERO), (_NEXT_UPPER if upper else _ZERO)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    entry = _CACHE[s] = (_NGRAM_SYLLABLE.get(lower, 0), b, i, *prev_lower, *pt, *pu, *next_lower, *nt, *nu,
                         not (title or upper))
    return entry


def _labels(sylls: list[str]) -> list[int]:
    """Whether each syllable continues a word (1: I_W) or begins one (0: B_W): CRFsuite's
    Viterbi search on pyvi's model."""
    n = len(sylls)
    get = _CACHE.get
    info = [get(s) or _syllable_weights(s) for s in sylls]
    num = [e[0] for e in info]
    r = _RADIX
    # Weights of pyvi's n-gram features; absent ones add 0.0, which changes no sum.
    prev_bi = [_ZERO, *[_PREV_BI if a * r + b in _BIGRAMS else _ZERO for a, b in zip(num, num[1:])]]
    next_bi = [_NEXT_BI if w is _PREV_BI else _ZERO for w in prev_bi[1:]] + [_ZERO]
    prev_tri = [_ZERO, _ZERO, *[_PREV_TRI if (a * r + b) * r + c in _TRIGRAMS else _ZERO
                                for a, b, c in zip(num, num[1:], num[2:])]]
    next_tri = [_NEXT_TRI if w is _PREV_TRI else _ZERO for w in prev_tri[2:]] + [_ZERO, _ZERO]
    # back[k], bit 0: the best path to B_W at k comes from I_W; bit 1: the one to I_W does
    back = [0]
    push = back.append
    first = True
    for p, e, q, pb, pt, nb, nt in zip([_EDGE, *info], info, [*info[1:], _EDGE],
                                       prev_bi, prev_tri, next_bi, next_tri):
        # State scores, added up feature by feature in pyvi's order, as CRFsuite does; the
        # case features of a syllable in lower case weigh 0.0 and are left out.
        if p[15]:
            sb, si = e[1] + p[3] + pb[0] + pt[0], e[2] + p[4] + pb[1] + pt[1]
        else:
            sb = e[1] + p[3] + p[5] + p[7] + pb[0] + pt[0]
            si = e[2] + p[4] + p[6] + p[8] + pb[1] + pt[1]
        if q[15]:
            sb, si = sb + q[9] + nb[0] + nt[0], si + q[10] + nb[1] + nt[1]
        else:
            sb = sb + q[9] + q[11] + q[13] + nb[0] + nt[0]
            si = si + q[10] + q[12] + q[14] + nb[1] + nt[1]
        if first:
            score_b, score_i, first = sb, si, False
            continue
        # CRFsuite's Viterbi step; the first label wins ties.
        bb, ib, bi, ii = score_b + _BB, score_i + _IB, score_b + _BI, score_i + _II
        step = 0
        if bb < ib:
            bb, step = ib, 1
        if bi < ii:
            bi, step = ii, step | 2
        push(step)
        score_b, score_i = bb + sb, bi + si
    labels = [0] * n
    label = int(score_b < score_i)
    for k in range(n - 1, -1, -1):
        labels[k] = label
        label = (back[k] >> label) & 1
    return labels


def sylabelize(text: str) -> list[str]:
    """The syllables and punctuation of text, as ViTokenizer.sylabelize splits them."""
    text = unicodedata.normalize("NFC", text)
    if "\n" in text:
        return _SYLLABLE.findall(text)
    # No match of the pattern crosses white space, and in a run of letters and digits only
    # its last alternative (\w+) can match: the whole run. Most runs are such syllables,
    # and the pattern's many alternatives are tried only on the others.
    out: list[str] = []
    for run in text.split():
        if run.isalnum():
            out.append(run)
        else:
            out += _SYLLABLE.findall(run)
    return out


def segment(text: str) -> list[str]:
    """The words of one paragraph as pyvi gives them, syllables joined by "_"."""
    sylls = sylabelize(text)
    if not sylls:
        return []
    inside = _labels(sylls)
    out = [sylls[0]]
    for i in range(1, len(sylls)):
        if not inside[i]:
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
