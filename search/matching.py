"""Which articles match a query: every word, with its syllables adjacent (question words
such as "vì sao" excepted, query.py).

A word of several syllables ("công an") matches where its folded syllables stand next to
each other in the title or the body, found through the index of adjacent syllable pairs
(pairs.py): one posting list a pair, whatever pyvi made of the article. A phrase of
three or more syllables needs each of its adjacent pairs in the same field.

When few articles match every word of a long query, articles that match all words but
one, then most of them, are added (Elasticsearch's minimum_should_match), each with the
number of words it matched so that ranking puts complete matches first.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .postings import PostingStore
from .query import Clause, ParsedQuery
from .pairs import adjacent

FIELDS = ("title", "body")
ENOUGH = 10   # fewer complete matches than this, and a query is relaxed


@dataclass
class Match:
    mask: np.ndarray           # the articles that can be paged through
    words: np.ndarray          # how many positive words of its group each article has
    relaxed: bool              # articles missing a word are included


def clause_mask(store: PostingStore, clause: Clause) -> np.ndarray:
    """Articles where the clause's syllables stand adjacent, in order, in one field."""
    folded = clause.folded
    out = None
    for field in FIELDS:
        if len(folded) == 1:
            m = store.mask(field + "_f", folded[0])
        else:
            m = None
            for pair in adjacent(folded):
                pm = store.pair_mask(field, pair)
                m = pm if m is None else m & pm
        out = m if out is None else out | m
    return out


def match(store: PostingStore, query: ParsedQuery, within: np.ndarray) -> Match:
    """The articles matching query; `within` (the request's filters) decides whether
    enough complete matches are found or the query is relaxed."""
    n = store.doc_count
    full = np.zeros(n, bool)
    words = np.zeros(n, np.int8)
    candidates = []
    for group in query.groups:
        allowed = store.live.copy()
        for clause in group.clauses:
            if clause.negated:
                allowed &= ~clause_mask(store, clause)
        count = np.zeros(n, np.int8)
        for clause in group.required:
            count += clause_mask(store, clause)
        full |= allowed & (count == len(group.required))
        words = np.maximum(words, np.where(allowed, count, 0).astype(np.int8))
        candidates.append((allowed, count, len(group.required)))
    if len(candidates) != 1 or candidates[0][2] < 2 or int((full & within).sum()) >= ENOUGH:
        return Match(full, words, False)
    allowed, count, total = candidates[0]
    mask = full
    for need in range(total - 1, min_words(total) - 1, -1):
        mask = allowed & (count >= need)
        if int((mask & within).sum()) >= ENOUGH:
            break
    return Match(mask, words, bool((mask & ~full & within).any()))


def min_words(total: int) -> int:
    """The fewest words a relaxed match must have: all but one, and at least most."""
    return max(1, min(total - 1, total // 2 + 1))
