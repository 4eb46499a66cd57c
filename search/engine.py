"""The search engine: the one API the web layer and the CLI call.

    engine = Engine("index")
    result = engine.search(SearchRequest(q="công an", agency=("Bộ Công an",)))
    result.to_dict()  # the JSON of /api/search

An Engine serves the live generation of an index folder and moves to a new one as soon as
a reindex publishes it; a request keeps the snapshot it started with to the end.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from . import storage
from .analysis import fold, fold_syllable, syllables
from .entities import canonical_agency
from .facets import FACETS, load_facets, top_values
from .highlight import highlight, snippet, terms_for
from .matching import PostingStore
from .schema import ANALYSIS_VERSION
from .query import Clause, ParsedQuery, parse_query
from .request import SearchRequest
from .storage import IndexNotFound

# Field weights: a match in the title counts more than one in the body (BM25F).
TITLE, BODY = 3.0, 1.0
EXACT = 1.0        # extra for a syllable matched with the diacritics as typed
WORD = 1.5         # extra for a whole pyvi word of the query, per syllable of the word
ENTITY = 30.0      # the query is the name of a person or agency the article is tagged with
TITLE_PHRASE = 50.0  # the whole query as a phrase in the title: comes first
WARM_TERMS = (("body_f", 2000), ("title_f", 500), ("body_s", 1000))  # see Snapshot.warm
RERANK = 100         # how many top hits are checked for the title phrase


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[dict]
    facets: dict[str, list[dict]]
    suggestion: str | None
    took_ms: float

    def to_dict(self) -> dict:
        return {"query": self.request.q, "total": self.total, "page": self.request.page,
                "per_page": self.request.per_page, "took_ms": round(self.took_ms, 2),
                "hits": self.hits, "facets": self.facets, "suggestion": self.suggestion}


class Snapshot:
    """One generation of the index, opened once, with its facet columns and caches."""

    def __init__(self, gen: Path):
        self.gen = gen
        self.meta = storage.read_meta(gen)
        if self.meta.get("analysis_version") != ANALYSIS_VERSION:
            raise IndexNotFound(f"the index in {gen.parent} was built by another version of "
                                "timtin: rebuild it with `timtin reindex --full`")
        self.lock = threading.RLock()  # Whoosh file objects are not thread-safe
        self.ix = whoosh_index.open_dir(str(gen))
        self.store = PostingStore(self.ix.searcher(), self.lock)
        try:
            reader = self.searcher.reader()
            empty = not reader.doc_count_all()  # an empty index has no columns at all
            records = [] if empty else list(reader.column_reader("facets"))
            self.titles = [] if empty else reader.column_reader("title_syllables")
            self.columns, self.dates = load_facets(self.store, records)
        except BaseException:
            self.close()
            raise
        # Newest first sorts by the end of an article's date, oldest first by its start.
        self.newest_key = np.where(self.dates.has_date, self.dates.end.astype(np.int64), -1)
        self.oldest_key = np.where(self.dates.has_date, self.dates.start.astype(np.int64),
                                   np.iinfo(np.int64).max)  # undated last
        self.all_docs = self.store.live
        self._folded_values: dict[str, dict[str, list[int]]] = {}

    def warm(self) -> int:
        """Cache the posting lists common queries need; how many were read."""
        try:
            return sum(self.store.warm(field, count) for field, count in WARM_TERMS)
        except Exception:  # closed by a newer swap meanwhile: nothing to warm
            return 0

    def title_syllables(self, docnum: int) -> str:
        with self.lock:
            return self.titles[int(docnum)]

    def facet_value_ids(self, name: str, folded_text: str) -> list[int]:
        """Ids of the facet values that read as folded_text once folded ("nguyen phu trong")."""
        table = self._folded_values.get(name)
        if table is None:
            table = {}
            for vid, value in enumerate(self.columns[name].values):
                table.setdefault(" ".join(fold(s) for s in syllables(value)), []).append(vid)
            self._folded_values[name] = table
        return table.get(folded_text, [])

    @property
    def searcher(self):
        return self.store.searcher

    def stored(self, docnum: int) -> dict:
        with self.lock:
            return self.searcher.stored_fields(int(docnum))

    def docnum(self, article_id: str) -> int | None:
        with self.lock:
            docnum = self.searcher.document_number(id=article_id)
        return docnum if docnum is not None and self.store.live[docnum] else None

    def close(self):
        if hasattr(self, "store"):
            self.store.close()


class Engine:
    def __init__(self, index_dir, warm_up: bool = False):
        """warm_up: read the most common posting lists in the background whenever a
        snapshot opens (for a long-running server; a CLI search needs only its own)."""
        self.index_dir = Path(index_dir)
        self.warm_up = warm_up
        self._snapshot: Snapshot | None = None
        self._retired: Snapshot | None = None
        self._stamp = None
        self._lock = threading.Lock()

    # -- snapshots ---------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The live generation's snapshot, reopened when a reindex has published a new one."""
        stamp = storage.pointer_stamp(self.index_dir)
        if self._snapshot is not None and stamp == self._stamp:
            return self._snapshot
        with self._lock:
            stamp = storage.pointer_stamp(self.index_dir)
            if self._snapshot is None or stamp != self._stamp:
                gen = storage.current_generation(self.index_dir)
                if gen is None:
                    raise IndexNotFound(
                        f"no index in {self.index_dir}: build it with `timtin reindex`")
                if self._snapshot is None or gen != self._snapshot.gen:
                    # The replaced snapshot stays open for requests in flight; the one
                    # before it is closed, as the reindex deletes its generation now.
                    if self._retired is not None:
                        self._retired.close()
                    self._retired, self._snapshot = self._snapshot, Snapshot(gen)
                    if self.warm_up:
                        threading.Thread(target=self._snapshot.warm, daemon=True).start()
                self._stamp = stamp
            return self._snapshot

    def health(self) -> dict:
        snap = self.snapshot()
        return {"status": "ok", "articles": snap.store.live_count,
                "indexed_at": snap.meta.get("indexed_at")}

    # -- search ------------------------------------------------------------------

    def search(self, req: SearchRequest, hits: bool = True) -> SearchResult:
        """The result of req; with hits=False only the total and the facets (cheaper)."""
        started = time.perf_counter()
        snap = self.snapshot()
        query = parse_query(req.q)
        agencies = tuple(dict.fromkeys(canonical_agency(a) or a for a in req.agency))
        req_filters = {"agency": agencies, "person": req.person, "source": req.source}

        exact = None
        if query.is_empty:
            matched, scores = snap.all_docs.copy(), None
        else:
            matched, scores, exact = self._match(snap, query)
        n = snap.store.doc_count
        full = np.ones(n, bool)
        date_mask = snap.dates.mask(req.date_from, req.date_to) \
            if (req.date_from or req.date_to) else full
        masks = {name: snap.columns[name].mask(n, values) if values else full
                 for name, values in req_filters.items()}

        hits_mask = matched & date_mask & masks["agency"] & masks["person"] & masks["source"]
        facets = {}
        for name in FACETS:
            m = matched
            if name not in ("year", "month"):
                m = m & date_mask
            for other, mask in masks.items():
                if other != name:
                    m = m & mask
            counts = snap.columns[name].counts(m)
            facets[name] = top_values(snap.columns[name], counts, req.facet_size,
                                      selected=req_filters.get(name, ()),
                                      chronological=name in ("year", "month"))

        docs = np.flatnonzero(hits_mask)
        total = int(docs.size)
        page, suggestion = [], None
        if hits:
            order = self._order(snap, query, req, docs, scores, exact)
            start = (req.page - 1) * req.per_page
            terms = terms_for(query.positive_syllables())
            page = [self._hit(snap, d, scores, terms) for d in order[start:start + req.per_page]]
            suggestion = self._suggest(snap, query, total) if not query.is_empty else None
        return SearchResult(req, total, page, facets, suggestion,
                            (time.perf_counter() - started) * 1000)

    def _match(self, snap: Snapshot, query: ParsedQuery):
        """Boolean mask of matching articles, their BM25F scores, and how many of the
        query's accented syllables each has exactly as typed (None if it has none)."""
        store = snap.store
        n = store.doc_count
        matched = np.zeros(n, bool)
        scores = np.zeros(n, np.float32)
        exact = np.zeros(n, np.int16) if query.has_diacritics else None
        for syllable in query.positive_syllables():
            if exact is not None and fold(syllable) != syllable:
                exact += store.mask("title_s", syllable) | store.mask("body_s", syllable)
        for group in query.groups:
            m = store.live.copy()
            positive = group.positive
            for clause in group.clauses:
                cm = self._clause_mask(store, clause, m if not clause.negated else None)
                m = m & ~cm if clause.negated else m & cm
            matched |= m
            for clause in positive:
                for syllable in clause.syllables:
                    folded = fold(syllable)
                    store.bm25("title_f", folded, scores, TITLE)
                    store.bm25("body_f", folded, scores, BODY)
                    if folded != syllable:
                        store.bm25("title_s", syllable, scores, TITLE * EXACT)
                        store.bm25("body_s", syllable, scores, BODY * EXACT)
        for word in query.words:
            weight = WORD * (word.count("_") + 1)
            store.bm25("title_w", word, scores, TITLE * weight)
            store.bm25("body_w", word, scores, BODY * weight)
        if len(query.groups) == 1 and len(query.groups[0].positive) > 1:
            name = " ".join(s for c in query.groups[0].positive for s in c.folded)
            for facet in ("person", "agency"):
                ids = snap.facet_value_ids(facet, name)
                if ids:
                    column = snap.columns[facet]
                    scores[column.pair_docs[np.isin(column.pair_vals, ids)]] += ENTITY
        return matched, scores, exact

    def _clause_mask(self, store: PostingStore, clause: Clause, within) -> np.ndarray:
        folded = clause.folded
        mask = None
        for field in ("title_f", "body_f"):
            m = store.mask(field, folded[0])
            for term in folded[1:]:
                m &= store.mask(field, term)
            if clause.is_phrase:
                m = store.phrase_mask(field, folded, m if within is None else m & within)
            mask = m if mask is None else mask | m
        return mask

    def _order(self, snap: Snapshot, query: ParsedQuery, req: SearchRequest, docs, scores, exact):
        sort = req.effective_sort
        if sort == "relevance" and scores is not None and docs.size:
            s = scores[docs].astype(np.float64)
            self._boost_title_phrase(snap, query, docs, s)
            # Articles with more of the query's diacritics as typed come first; then score;
            # ties: newer first, then index order.
            keys = (docs, -snap.newest_key[docs], -s)
            if exact is not None:
                keys += (-exact[docs],)
            return docs[np.lexsort(keys)]
        if sort == "newest":
            return docs[np.lexsort((docs, -snap.newest_key[docs]))]
        return docs[np.lexsort((docs, snap.oldest_key[docs]))]

    def _boost_title_phrase(self, snap, query: ParsedQuery, docs, s) -> None:
        """Put articles whose title holds the whole query as a phrase first."""
        group = query.groups[0]
        if len(query.groups) != 1 or not group.positive:
            return
        wanted = " ".join(s2 for c in group.positive for s2 in c.folded)
        exact = " ".join(s2 for c in group.positive for s2 in c.syllables)
        top = np.argsort(-s)[:RERANK]
        for i in top:
            title = f" {snap.title_syllables(docs[i])} "
            if f" {wanted} " in " ".join(fold_syllable(x) for x in title.split(" ")):
                s[i] += TITLE_PHRASE * (2 if f" {exact} " in title else 1)


    def _hit(self, snap: Snapshot, docnum: int, scores, terms) -> dict:
        doc = snap.stored(docnum)
        return {
            "id": doc["id"], "title": doc["title"],
            "title_html": str(highlight(doc["title"], terms)),
            "snippet_html": str(snippet(doc["body"], terms)),
            "date": doc.get("date") or None, "source": doc.get("source_name"),
            "url": doc.get("url"), "author": doc.get("author"),
            "agencies": doc.get("agencies") or [], "persons": doc.get("persons") or [],
            "score": round(float(scores[docnum]), 4) if scores is not None else None,
        }

    # -- suggestions ---------------------------------------------------------------

    def _suggest(self, snap: Snapshot, query: ParsedQuery, total: int) -> str | None:
        """A close spelling of the query that finds more, when it finds few or none.

        Only rare syllables (likely typos) are corrected; among their neighbours at edit
        distance 1, the one that makes the whole query find the most wins."""
        if total >= 3:
            return None
        store = snap.store
        text, best_total = query.text, total
        rare = [s for s in query.positive_syllables() if len(s) <= MAX_SUGGEST_CHARS
                and store.doc_frequency("body_s" if fold(s) != s else "body_f", s) <= 2]
        for syllable in rare[:MAX_SUGGEST_SYLLABLES]:
            field = "body_s" if fold(syllable) != syllable else "body_f"
            candidates = [c for c in store.existing_terms(field, _edits1(syllable)) if c != syllable]
            candidates = sorted(candidates, key=lambda c: -store.doc_frequency(field, c))[:5]
            best_text = None
            for cand in candidates:
                trial = _replace_word(text, syllable, cand)
                found = int(self._match(snap, parse_query(trial))[0].sum())
                if found > best_total:
                    best_text, best_total = trial, found
            if best_text:
                text = best_text
        return text if best_total > total and text != query.text else None

    # -- articles ----------------------------------------------------------------

    def article(self, article_id: str) -> dict | None:
        snap = self.snapshot()
        docnum = snap.docnum(article_id)
        if docnum is None:
            return None
        doc = snap.stored(docnum)
        return {"id": doc["id"], "title": doc["title"], "date": doc.get("date") or None,
                "source": doc.get("source_name"), "category": doc.get("category"),
                "url": doc.get("url"), "author": doc.get("author"), "body": doc["body"],
                "agencies": doc.get("agencies") or [], "persons": doc.get("persons") or []}

    def related(self, article_id: str, limit: int = 5) -> list[dict]:
        """Articles most like this one: its title and lead words, weighted by rarity."""
        snap = self.snapshot()
        docnum = snap.docnum(article_id)
        if docnum is None:
            return []
        doc = snap.stored(docnum)
        lead = doc["body"].split("\n", 1)[0][:600]
        q = parse_query(doc["title"] + " " + lead)
        store = snap.store
        scores = np.zeros(store.doc_count, np.float32)
        for word in q.words:
            store.bm25("title_w", word, scores, TITLE)
            store.bm25("body_w", word, scores, BODY)
        for name in doc.get("persons") or []:
            scores[snap.columns["person"].mask(store.doc_count, [name])] += 2.0
        scores[~store.live] = 0
        scores[docnum] = 0
        top = [d for d in np.argsort(-scores)[:limit] if scores[d] > 0]
        terms = frozenset()
        return [self._hit(snap, d, scores, terms) for d in top]


_LETTERS = ("abcdefghijklmnopqrstuvwxyzđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợ"
            "ùúủũụưừứửữựỳýỷỹỵ")
MAX_SUGGEST_SYLLABLES = 3   # rare syllables corrected per query: bounds the work
MAX_SUGGEST_CHARS = 12


def _edits1(word: str) -> set[str]:
    """Every string one deletion, substitution, insertion or swap away from word (a
    syllable: short, so the set stays around a thousand)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
            | {a + c + b for a, b in splits for c in _LETTERS}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1})


def _replace_word(text: str, old: str, new: str) -> str:
    """Replace the word old in text by new, keeping its capitalisation."""
    def keep_case(m):
        return new.capitalize() if m.group()[:1].isupper() else new
    return re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", keep_case, text, count=1, flags=re.IGNORECASE)
