"""Persons by a trained sequence tagger: a CRF (python-crfsuite) over a paragraph's tokens.

The rules found Vietnamese names after a title or a family name well, and missed names
with no cue (line-ups, stage names, foreign names) or cut them wrongly. This tagger labels
each token B-PER / I-PER / O from features of the token and its neighbours: its form and
shape, pyvi's word boundaries, our word lists (family and given names, titles, places,
Vietnamese syllables), whether a title or honorific stands before it, where the rules
took a name (rule_marks) and what kind of word the whole corpus writes before and after
the name (contexts.py). It is trained by
`python -m search.train_entities` on the train split of tests/data/entities/spans.jsonl;
the model (search/data/persons.crfsuite) is loaded once per process. It is trained on whole
paragraphs and, at index time, reads only the stretches around capitalised tokens: half
the tokens of news text, and the same names (a test holds the two equal on the dev split).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pycrfsuite

from .contexts import capital_runs, context_features
from .lexicon import _GIVEN, _KEY_CACHE, _LEX_SYLL, _PLACES, _SURNAMES, _TITLE_MAX, _TITLES, _key

MODEL = Path(__file__).resolve().parent.parent / "data" / "persons.crfsuite"
# A token: a run of letters and digits, or one other visible character.
TOKEN_RE = re.compile(r"[^\W_]+|[^\w\s]")
_HONORIFICS = {"ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "cháu", "bé", "cậu"}
_SENTENCE_END = {".", "!", "?", ":", "…", "\"", "“", "”", "(", ")", "-", "–", "—", ";"}
_PLACE_FIRST = {k[0] for k in _PLACES}


def tokens_of(text: str) -> list[tuple[int, int]]:
    """(start, end) of each token of text."""
    return [m.span() for m in TOKEN_RE.finditer(text)]


def _shape(w: str) -> str:
    if w.isdigit():
        return "d"
    if not w[0].isalnum():
        return "p"
    if w.isupper():
        return "U" if len(w) > 1 else "A"
    if w[0].isupper():
        return "C"
    return "l"


def _word_starts(forms: list[str], words) -> list[str]:
    """pyvi's view of each token: "B" begins a word of several syllables, "I" continues
    one, "S" is a word of one syllable (forms: the tokens as written; words: pyvi tokens,
    "_" joining syllables)."""
    n = len(forms)
    out = ["S"] * n
    k = 0
    for word in words:
        parts = [p for p in word.split("_") if p] if "_" in word else (word,)
        if len(parts) < 2:
            if k < n and forms[k] == word:
                k += 1
            continue
        L = len(parts)
        # find the word's syllables as consecutive tokens from k on (a small look-ahead)
        for start in range(k, min(k + 4, n)):
            if forms[start:start + L] == parts:
                out[start] = "B"
                out[start + 1:start + L] = ["I"] * (L - 1)
                k = start + L
                break
    return out


_TITLE_LAST = {t[-1] for t in _TITLES}


@lru_cache(maxsize=200_000)
def _static(key: str, shape: str) -> tuple[str, ...]:
    """The features of a token that do not depend on its neighbours (but pyvi's)."""
    f = [f"w={key}", f"sh={shape}"]
    if key in _SURNAMES:
        f.append("surname")
    if key in _GIVEN:
        f.append("given")
    if shape in "CU" and key not in _LEX_SYLL:
        f.append("foreign")
    if key in _PLACE_FIRST:
        f.append("place1")
    return tuple(f)


@lru_cache(maxsize=400_000)
def _neighbour(d: int, key: str, shape: str, pv: str) -> tuple[str, ...]:
    return (f"{d}:w={key}", f"{d}:sh={shape}", f"{d}:pv={pv}")


@lru_cache(maxsize=20_000)
def _name_pattern(name: str) -> re.Pattern:
    """A name as a whole-word pattern, any run of spaces between its words (compiled once:
    the same names recur across paragraphs and articles)."""
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(x) for x in name.split()) + r"(?!\w)")


def rule_marks(text: str, spans, rule_names) -> list[tuple[str, ...]]:
    """Per token, the rules' verdict as features: inside a name the rules took ("r=B" at
    its first token, "r=I" after), with how they took it (after a title, or only as a
    repeated given-name pair). The tagger learns where the rules are wrong (a street
    named after a person, a brand) instead of the rules' names being added unread."""
    out: list[tuple[str, ...]] = [()] * len(spans)
    if not rule_names:
        return out
    starts = {a: i for i, (a, _) in enumerate(spans)}
    for m in rule_names:
        how = "r_t" if m.titled is True else ("r_m" if m.titled == "maybe" else "r_u")
        for hit in _name_pattern(m.name).finditer(text):
            i = starts.get(hit.start())
            if i is None:
                continue
            out[i] = ("r=B", how)
            j = i + 1
            while j < len(spans) and spans[j][1] <= hit.end():
                out[j] = ("r=I", how)
                j += 1
    return out


def features(text: str, spans, words=None, rule_names=None, only=None) -> list[list[str]]:
    """The features of each token of one paragraph (rule_names: the rules' person
    mentions in it, see rule_marks); with only (sorted token indices), of those alone,
    still read in the whole paragraph."""
    forms = [text[a:b] for a, b in spans]
    cache = _KEY_CACHE
    keys = [cache[w] if w in cache else _key(w) for w in forms]
    pyvi = _word_starts(forms, words) if words else ["?"] * len(forms)
    n = len(forms)
    wanted = range(n) if only is None else only
    # a token's own features are needed for it and its neighbours two either side
    near = range(n) if only is None else _around(only, n, 2)
    shapes = [""] * n
    for i in near:
        shapes[i] = _shape(forms[i])
    marks = rule_marks(text, spans, rule_names)
    context = [()] * n
    for a, b, _ in capital_runs(forms, keys):
        run = context_features("r", " ".join(keys[a:b]))
        for i in range(a, b):
            context[i] = run + context_features("t", keys[i])
    base, surname, titled = [None] * n, [False] * n, [False] * n
    for i in near:
        w, k, sh = forms[i], keys[i], shapes[i]
        static = _static(k, sh)
        t = i > 0 and keys[i - 1] in _TITLE_LAST and any(
            tuple(keys[i - L:i]) in _TITLES for L in range(1, min(_TITLE_MAX, i) + 1))
        f = [static[0], static[1], f"pv={pyvi[i]}", f"pvsh={pyvi[i]}{sh}", *static[2:]]
        if t:
            f.append("titled")
        if i and keys[i - 1] in _HONORIFICS:
            f.append("honorific")
        if i == 0 or forms[i - 1] in _SENTENCE_END:
            f.append("start")
        if len(w) == 1 and sh in "A" and i + 1 < n and forms[i + 1] == ".":
            f.append("initial")
        if i and spans[i - 1][1] == spans[i][0]:
            f.append("glued")  # no space before: "Vogt-Roberts", "al-Abadi", "E.Garcia"
        f.extend(marks[i])
        f.extend(context[i])
        base[i] = f
        surname[i] = "surname" in static
        titled[i] = t
    out = []
    for i in wanted:
        f = list(base[i])
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < n:
                f.extend(_neighbour(d, keys[j], shapes[j], pyvi[j]))
                if surname[j]:
                    f.append(f"{d}:surname")
                if titled[j]:
                    f.append(f"{d}:titled")
                if marks[j] and d in (-1, 1):
                    f.append(f"{d}:{marks[j][0]}")
            else:
                f.append(f"{d}:edge")
        f.append(f"sh-1sh={shapes[i - 1] if i else '^'}{shapes[i]}")
        f.append(f"shsh+1={shapes[i]}{shapes[i + 1] if i + 1 < n else '$'}")
        out.append(f)
    return out


def _around(indices, n: int, reach: int) -> list[int]:
    """The sorted indices below n within reach of any of indices (ascending)."""
    out: list[int] = []
    for i in indices:
        lo = max(i - reach, out[-1] + 1 if out else 0)
        out.extend(range(lo, min(i + reach, n - 1) + 1))
    return out


def labels_from_spans(spans, names: list[tuple[int, int]], label: str = "PER") -> list[str]:
    """BIO labels of tokens from the character spans of persons (or of another label; a
    token inside a span)."""
    labels = ["O"] * len(spans)
    for a, b in names:
        inside = [i for i, (s, e) in enumerate(spans) if s >= a and e <= b]
        for n, i in enumerate(inside):
            labels[i] = ("B-" if n == 0 else "I-") + label
    return labels


@lru_cache(maxsize=1)
def _tagger() -> pycrfsuite.Tagger | None:
    if not MODEL.exists():
        return None
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL))
    return tagger


def person_spans(text: str, words=None, tagger=None, min_prob: float = 0.0,
                 rule_names=(), whole: bool = False) -> list[tuple[int, int]]:
    """Character spans of the persons the model finds in one paragraph; with min_prob,
    only those whose every token the model labels so with at least that probability.
    The model reads the stretches around capitalised tokens (_window), or with whole
    every token, as it was trained."""
    spans = tokens_of(text)
    if not spans:
        return []
    tagger = tagger or _tagger()
    if tagger is None:
        return []
    # one sequence of the stretches worth reading, each token with its real neighbours
    window = list(range(len(spans))) if whole else _window(text, spans)
    if not window:
        return []
    tags = tagger.tag(features(text, spans, words, rule_names, only=window))
    out, run = [], []
    for k, t in enumerate(tags + ["O"]):
        if run and (t != "I-PER" or window[k] != window[k - 1] + 1):
            if min(tagger.marginal(tags[x], x) for x in run) >= min_prob:
                out.append((spans[window[run[0]]][0], spans[window[run[-1]]][1]))
            run = []
        if t in ("B-PER", "I-PER"):
            run.append(k)
    return out


_REACH = 2


def _window(text: str, spans) -> list[int]:
    """The tokens of a paragraph the tagger reads, in order: each capitalised token and
    two either side. A name is written with capitals, and a lower-case stretch far from
    any holds none; reading only these halves the tagger's time on news text."""
    return _around((i for i, (a, _) in enumerate(spans) if text[a].isupper()), len(spans), _REACH)


def available() -> bool:
    return _tagger() is not None


def use_model(path: Path) -> None:
    """Load the model at path instead of the committed one (cross-validation, experiments)."""
    global MODEL
    MODEL = Path(path)
    _tagger.cache_clear()
