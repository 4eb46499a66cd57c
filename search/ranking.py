"""In what order matching articles come: BM25F over words, proximity, and boosts.

  BM25F      each word of the query scored once over title and body together (Robertson
             and Zaragoza's BM25F: field weights applied to the term frequency before it
             saturates); a word of several syllables through its adjacent pairs (pairs.py); a
             second BM25F over the form with the diacritics as typed (or as read from an
             unaccented query) ranks that form above other readings
  proximity  the longest run of the query's syllables standing in order, per field, as
             in Sphinx's proximity_bm25 ranker: the whole query as a phrase in the title
             > in the body > some of its words next to each other > scattered; the whole
             query in the lead (the body's first 100 syllables, pairs.py) adds to that
  boosts     the query is the article's title (known-item search), a phrase of its
             title, or the name of a person or agency the article is tagged with

  diacritics each word of the query the article holds as one pyvi word with the
             diacritics as typed (or as read from an unaccented query): "động đất"
             before "đồng đạt"

Articles are then ordered by how many words of the query they match (a relaxed query's
partial matches last), how many they hold with each syllable's diacritics as typed (for a
query typed with diacritics; an unaccented query's reading only adds to the score), the
score, and the date (newer first).
"""
from __future__ import annotations

import numpy as np

from .analysis import fold
from .matching import FIELDS, Match
from .query import ParsedQuery
from .pairs import adjacent

# The weights, in one place.
K1, B = 1.2, 0.5     # B below the usual 0.75: news articles run from 100 to 10,000 words (dev set)
FIELD_WEIGHT = {"title": 3.0, "body": 1.0}
EXACT = 1.0          # the BM25F of the word as typed (or read), added to the folded one's
PROXIMITY = 6.0      # × field weight × the share of the query's syllables in the longest run
BODY_PHRASE = 6.0    # the whole query, in order, in the body
LEAD_PHRASE = 10.0   # ... in the lead: what a news article is about comes first
TITLE_PHRASE = 40.0  # the whole query as a phrase of the title (checked exactly) ...
TITLE_EXACT = 2.0    # ... × this when with the diacritics as typed or read
TITLE_FOLDED = 0.25  # ... × this when the query has diacritics and the title other ones
EXACT_WORD = 12.0    # each word of the query the article holds with the diacritics as typed
READING = 6.0        # each word an unaccented query's reading finds so written, syllable by syllable
TITLE_WORDS = 25     # ... × (TITLE_WORDS / its syllables)³ when longer: a lead, not a headline
KNOWN_ITEM = 200.0   # the query is the whole title
ENTITY = 30.0        # the query is a person or agency the article is tagged with
RERANK = 200         # how many top articles have their titles checked


class Ranker:
    """Scores and orders the matches of one query on one snapshot."""

    def __init__(self, snap, query: ParsedQuery, store=None):
        """store: the snapshot's PostingStore, or a request's view of it (postings.py)."""
        self.snap = snap
        self.store = store or snap.store
        self.query = query
        self.clauses = query.positive_clauses()
        self._title_holds = None  # which titles hold all the query's pairs (_proximity)

    # -- scores ----------------------------------------------------------------

    def scores(self, match: Match) -> np.ndarray:
        store, n = self.store, self.store.doc_count
        scores = np.zeros(n, np.float32)
        for clause in self.clauses:
            folded = clause.folded
            if len(folded) == 1:
                bm25f(store, scores, "_f", folded[0])
            else:
                rarest = min(adjacent(folded),
                             key=lambda p: store.pair_postings("body", p)[0].size)
                bm25f(store, scores, "pairs", rarest)
            accented = clause.accented
            if accented:
                if len(accented) == 1:
                    bm25f(store, scores, "_s", accented[0], EXACT)
                else:
                    bm25f(store, scores, "_w", "_".join(accented), EXACT)
        self._proximity(scores, match.mask)
        self._entity(scores)
        return scores

    def _sequence(self) -> list[str]:
        """The folded syllables of the query's words, in the order typed (first group)."""
        group = self.query.groups[0]
        return [s for c in group.positive for s in c.folded]

    def _proximity(self, scores, candidates) -> None:
        seq = self._sequence()
        if len(seq) < 2:
            return
        pairs = adjacent(seq)
        cand = np.flatnonzero(candidates)  # the runs are only needed where the query matches
        for field in FIELDS:
            longest = self._longest_run(field, pairs, cand)
            full = longest == len(pairs)
            if field == "title":
                self._title_holds = np.zeros(self.store.doc_count, bool)
                self._title_holds[cand] = full
            share = longest.astype(np.float32) / len(pairs)
            scores[cand] += PROXIMITY * FIELD_WEIGHT[field] * share
            if field == "body":
                scores[cand] += BODY_PHRASE * full
        scores[cand] += LEAD_PHRASE * (self._longest_run("lead", pairs, cand) == len(pairs))

    def _longest_run(self, field: str, pairs, cand) -> np.ndarray:
        """Per candidate article, the most consecutive pairs of the query the field holds."""
        run = np.zeros(cand.size, np.int16)
        longest = np.zeros(cand.size, np.int16)
        for pair in pairs:
            present = self.store.pair_mask(field, pair)[cand]
            run = np.where(present, run + 1, 0).astype(np.int16)
            np.maximum(longest, run, out=longest)
        return longest

    def _entity(self, scores) -> None:
        if len(self.query.groups) != 1 or not self.clauses:
            return
        name = " ".join(self._sequence())
        if " " not in name:
            return
        for facet in ("person", "agency"):
            ids = self.snap.facet_value_ids(facet, name)
            if ids:
                column = self.snap.columns[facet]
                scores[column.pair_docs[np.isin(column.pair_vals, ids)]] += ENTITY

    def exact_words(self) -> tuple[np.ndarray, np.ndarray] | None:
        """For each article, how many of the query's words with diacritics (as typed or
        read) it holds in that form: (with each syllable so written somewhere, as one pyvi
        word); None if the query has no such word. The first orders, the second scores."""
        store, n = self.store, self.store.doc_count
        parts = whole = None
        for clause in self.clauses:
            accented = clause.accented
            if not accented or all(fold(s) == s for s in accented):
                continue
            if parts is None:
                parts, whole = np.zeros(n, np.int16), np.zeros(n, np.int16)
            held = np.ones(n, bool)
            for s in accented:
                if fold(s) != s:
                    held &= store.mask("title_s", s) | store.mask("body_s", s)
            parts += held
            if len(accented) > 1:
                word = "_".join(accented)
                whole += store.mask("title_w", word) | store.mask("body_w", word)
            else:
                whole += held
        return None if parts is None else (parts, whole)

    # -- order -----------------------------------------------------------------

    def order(self, docs: np.ndarray, scores: np.ndarray, match: Match,
              limit: int | None = None) -> np.ndarray:
        """docs, best first; with limit, only the first limit of them."""
        snap = self.snap
        s = scores[docs].astype(np.float64)
        self._title_boosts(docs, s)
        exact = self.exact_words()
        keys = (docs, -snap.newest_key[docs], -s)
        if exact is not None:
            s += EXACT_WORD * exact[1][docs]
            if self.query.has_diacritics:
                # Diacritics the reader typed are meant: those articles come first.
                keys = (docs, -snap.newest_key[docs], -s, -exact[0][docs])
            else:
                # A reading is only the likeliest guess: a boost, not an order.
                s += READING * exact[0][docs]
                keys = (docs, -snap.newest_key[docs], -s)
        if match.relaxed:
            keys += (-match.words[docs],)
        if limit is not None and docs.size > 4 * limit:
            best = _first(keys[2:], limit)  # sorting a page's worth, not every match
            return docs[best[np.lexsort(tuple(k[best] for k in keys))][:limit]]
        return docs[np.lexsort(keys)][:limit]

    def _title_boosts(self, docs, s) -> None:
        """Exact checks on the titles of the best few hundred: the whole query as the title
        or as a phrase of it, with its diacritics or others."""
        group = self.query.groups[0]
        if len(self.query.groups) != 1 or not group.positive:
            return
        wanted = " ".join(self._sequence())
        accented = [c.accented or c.syllables for c in group.positive]
        exact = " ".join(s2 for a in accented for s2 in a)
        typed_diacritics = self.query.has_diacritics
        titles, folded_titles = self.snap.titles()
        top = np.argpartition(-s, RERANK - 1)[:RERANK] if s.size > RERANK else np.arange(s.size)
        # Only titles that hold every pair of the query (or its one syllable) can hold it.
        holds = self._title_holds
        if holds is None:
            seq = self._sequence()
            holds = self.store.mask("title_f", seq[0]) if len(seq) == 1 else None
        if holds is not None:
            top = top[holds[docs[top]]]
        wanted_phrase, exact_phrase = f" {wanted} ", f" {exact} "
        for i, d in zip(top.tolist(), docs[top].tolist()):  # Python ints index lists faster
            title, folded = titles[d], folded_titles[d]
            if wanted_phrase not in f" {folded} ":
                continue
            if exact_phrase in f" {title} ":
                boost = TITLE_PHRASE * TITLE_EXACT
            else:
                boost = TITLE_PHRASE * (TITLE_FOLDED if typed_diacritics else 1.0)
            # A title of a sentence or two (some sources title an article with its lead)
            # says less about what the article is about than a headline does.
            boost *= min(1.0, TITLE_WORDS / max(1, folded.count(" ") + 1)) ** 3
            if folded == wanted:
                boost += KNOWN_ITEM * (1.0 if exact == title or not typed_diacritics else 0.5)
            s[i] += boost


def _first(keys, limit: int) -> np.ndarray:
    """Indices of a superset of the first `limit` in the lexicographic order of keys (the
    last the primary, as np.lexsort; each "smaller first"): every index whose keys, folded
    into one number with each key weighing more than the whole range of those after it,
    are at most the limit-th smallest. Ties at the boundary are all kept, so sorting these
    by the full keys (the document number last) gives exactly the first `limit`."""
    folded = keys[0].astype(np.float64)
    span = float(folded.max() - folded.min()) + 1.0
    for key in keys[1:]:
        folded = folded + span * key
        span *= float(key.max() - key.min()) + 1.0
    kth = np.partition(folded, limit - 1)[limit - 1]
    return np.flatnonzero(folded <= kth)


def bm25f(store, scores, suffix: str, term, weight: float = 1.0) -> None:
    """Add weight × BM25F of term over the title and body fields ending in suffix (or, with
    suffix "pairs", of a pair of adjacent syllables: a word of several syllables)."""
    acc = None
    for field in FIELDS:
        docs, tfs = (store.pair_postings(field, term) if suffix == "pairs"
                     else store.postings(field + suffix, term))
        if not docs.size:
            continue
        norms = store.length_norms(field + "_f", B)  # a field's length in syllables
        if acc is None:
            acc = np.zeros(store.doc_count, np.float32)
        acc[docs] += FIELD_WEIGHT[field] * tfs / norms[docs]
    if acc is None:
        return
    docs = np.flatnonzero(acc != 0)  # on a boolean array: several times faster than on floats
    df = docs.size
    idf = np.log(1.0 + (store.live_count - df + 0.5) / (df + 0.5))
    tf = acc[docs]
    scores[docs] += weight * idf * tf * (K1 + 1.0) / (tf + K1)
