"""``extract_entities``: the persons and agencies of one article, as the indexer calls it.

Decides the order of work over an article: clean the input, skip all-caps paragraphs,
stop at the masthead, and per paragraph (title first) build the syllable stream, find
agencies, count provinces, then find persons among the syllables no agency took; finally
assemble agencies, resolve persons and drop the excluded names (bylines, credits).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from .agencies import _assemble_agencies, _find_agencies
from .credits import _excluded_names
from .persons import _find_persons, _resolve_persons
from .places import _count_local_places, _count_place, _count_places
from . import tagger
from .lineups import lineup_names
from .lexicon import _LEX_SYLL, _SURNAMES, _key
from .persons import _Mention
from .tokens import _build_para, _clean_input, _is_caps_para

# Beyond this size the rest of an article is ignored (5 MB inputs must not hang).
_MAX_TOKENS = 60_000
_DEBUG = bool(os.environ.get("TIMTIN_ENTITIES_DEBUG"))
# Where persons come from: the trained tagger (tagger.py) or the rules (persons.py).
PERSONS = os.environ.get("TIMTIN_PERSONS", "both")
MIN_PROB = float(os.environ.get("TIMTIN_PERSONS_MIN_PROB", "0.9"))
_MASTHEAD = ("Tổng biên tập", "Tổng Biên tập", "Phó tổng biên tập")


@dataclass(frozen=True)
class Entities:
    persons: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)


def extract_entities(title: str, body: str, author: str | None = None,
                     tokens: list[list[str]] | None = None) -> Entities:
    """Persons and agencies named in an article, deduplicated, in order of first mention.

    `tokens`: the pyvi segmentation (case kept) of the title and of each non-empty body
    paragraph, as `search.segment.segment` gives it; computed here when None."""
    try:
        return _extract(title, body, author, tokens)
    except Exception:  # never raise on any input
        if _DEBUG:
            raise
        return Entities([], [])


def _extract(title, body, author, tokens) -> Entities:
    title = _clean_input(title)
    body = _clean_input(body)
    if tokens is None:
        from search.segment import segment
        tokens = [segment(title)] + [segment(p) for p in body.split("\n") if p.strip()]
    if not isinstance(tokens, (list, tuple)):
        return Entities([], [])
    raw = title + "\n" + body
    excluded = _excluded_names(body, author)
    mentions: list = []
    taken: list = []  # (paragraph, cut at the masthead) of the paragraphs read
    found: list = []
    prov_counts: dict = {}
    local_counts: dict = {}  # (level, place) below the province -> mentions
    total = 0
    for pi, toks in enumerate(tokens):
        if not toks or not isinstance(toks, (list, tuple)):
            continue
        toks = [t for t in toks if isinstance(t, str) and t]
        total += len(toks)
        if total > _MAX_TOKENS:
            break
        if _is_caps_para(toks):
            continue  # all-caps headlines / bylines: their names are the body's anyway
        # masthead ("Tổng biên tập: ...") and everything after it
        stop = False
        for k, t in enumerate(toks):
            if t in ("Tổng_biên_tập", "Tổng_Biên_tập", "Phó_tổng_biên_tập") and k + 1 < len(toks) and toks[k + 1] == ":":
                toks = toks[:k]
                stop = True
                break
        if not toks:
            break
        taken.append((pi, stop))
        p = _build_para(toks)
        if not p.n:
            continue
        used = [False] * p.n
        fa: list = []
        _find_agencies(p, used, fa)
        for kind, o in fa:
            found.append((pi, kind, o))
            if kind == "chain":
                for x in o:
                    _count_place(prov_counts, x.level, x.place, 3)
        _count_places(p, prov_counts)
        _count_local_places(p, local_counts)
        _find_persons(p, used, mentions, pi, raw)
        if stop:
            break
    agencies = _assemble_agencies(found, prov_counts, excluded, local_counts)
    use_tagger = PERSONS in ("tagger", "both") and tagger.available()
    tagged = _tagged_mentions(title, body, tokens, taken, use_tagger)
    mentions = tagged if PERSONS == "tagger" and use_tagger else mentions + tagged
    mentions = [m for m in mentions if m.name.lower() not in excluded]
    persons = _resolve_persons(mentions)
    persons = [x for x in persons if x.lower() not in excluded]
    return Entities(persons, agencies)


def _paragraph_texts(title: str, body: str, taken):
    """(paragraph index, text) of the paragraphs the rules read, cut at the masthead."""
    lines = [line for line in body.split("\n") if line.strip()]
    for pi, cut in taken:
        text = title if pi == 0 else (lines[pi - 1] if pi - 1 < len(lines) else "")
        if cut:
            ends = [text.find(m) for m in _MASTHEAD if m in text]
            text = text[:min(ends)] if ends else text
        yield pi, text


def _mention(text: str, start: int, end: int, pi: int):
    name = " ".join(text[start:end].split()).strip(" .-")
    if not name:
        return None
    first = _key(name.split(" ")[0])
    vn = first in _SURNAMES or all(_key(x) in _LEX_SYLL for x in name.split(" "))
    return _Mention(name, True, vn, pi, start)


def _tagged_mentions(title: str, body: str, tokens, taken, use_tagger: bool) -> list:
    """Person mentions the tagger (when use_tagger) and the line-up reader find in the
    paragraphs the rules read."""
    out = []
    for pi, text in _paragraph_texts(title, body, taken):
        spans = lineup_names(text)
        if use_tagger:
            words = [t for t in tokens[pi] if isinstance(t, str)]
            # Inside a line-up its own cuts between names win ("Ibrahimovic | Watford:").
            spans = spans + [(a, b) for a, b in tagger.person_spans(text, words, min_prob=MIN_PROB)
                             if not any(a < y and x < b for x, y in spans)]
        for start, end in spans:
            m = _mention(text, start, end, pi)
            if m is not None:
                out.append(m)
    return out
