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
from .places import _count_place, _count_places
from .tokens import _build_para, _clean_input, _is_caps_para

# Beyond this size the rest of an article is ignored (5 MB inputs must not hang).
_MAX_TOKENS = 60_000
_DEBUG = bool(os.environ.get("TIMTIN_ENTITIES_DEBUG"))


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
    found: list = []
    prov_counts: dict = {}
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
        _find_persons(p, used, mentions, pi, raw)
        if stop:
            break
    agencies = _assemble_agencies(found, prov_counts, excluded)
    mentions = [m for m in mentions if m.name.lower() not in excluded]
    persons = _resolve_persons(mentions)
    persons = [x for x in persons if x.lower() not in excluded]
    return Entities(persons, agencies)
