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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from . import ranking, storage
from .analysis import fold, fold_syllable, syllables
from .entities import canonical_agency, place_names
from .facets import FACETS, Selection, load_facets, top_values
from .highlight import highlight, snippet, terms_for
from .matching import match
from .person_names import short_forms
from .postings import PostingStore, RequestPostings
from .query import ParsedQuery, parse_query
from .ranking import Ranker, bm25f
from .request import SearchRequest
from .schema import ANALYSIS_VERSION
from .storage import IndexNotFound
from .vocabulary import Vocabulary

WARM_QUERIES = ("công an tỉnh", "cong an", '"thủ tướng"')  # see Engine.prepare_for_fork
MAX_NAME_SYLLABLES = 6   # the longest name whose capitals an interpretation restores


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[dict]
    facets: dict[str, list[dict]]
    suggestion: str | None
    took_ms: float
    interpretation: str | None = None
    relaxed: bool = False
    # A cluster with a shard down answers from the others (search/sphinx/engine.py).
    partial: bool = False
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"query": self.request.q, "total": self.total, "page": self.request.page,
                "per_page": self.request.per_page, "took_ms": round(self.took_ms, 2),
                "hits": self.hits, "facets": self.facets, "suggestion": self.suggestion,
                "interpretation": self.interpretation, "relaxed": self.relaxed,
                "partial": self.partial, "warnings": list(self.warnings)}


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
        self.store = PostingStore(self.ix.searcher(), self.lock, gen)
        try:
            reader = self.searcher.reader()
            empty = not reader.doc_count_all()  # an empty index has no columns at all
            records = [] if empty else list(reader.column_reader("facets"))
            self._title_column = [] if empty else reader.column_reader("title_syllables")
            self.columns, self.dates = load_facets(self.store, records)
            persons = self.columns["person"]
            self.person_alias = short_forms(
                persons.values, np.bincount(persons.pair_vals, minlength=len(persons.values)))
            self.columns["person"] = persons.merged(self.person_alias)
        except BaseException:
            self.close()
            raise
        # Newest first sorts by the end of an article's date, oldest first by its start.
        self.newest_key = np.where(self.dates.has_date, self.dates.end.astype(np.int64), -1)
        self.oldest_key = np.where(self.dates.has_date, self.dates.start.astype(np.int64),
                                   np.iinfo(np.int64).max)  # undated last
        self.all_docs = self.store.live
        self._folded_values: dict[str, dict[str, list[int]]] = {}
        self._vocabulary: Vocabulary | None = None
        self._names: dict[str, str] | None = None
        self._titles: tuple[list[str], list[str]] | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        """How the archive writes each word (vocabulary.py): read from the generation, or
        built from the lexicon for an index written without the file."""
        if self._vocabulary is None:
            with self.lock:
                if self._vocabulary is None:
                    self._vocabulary = (Vocabulary.read(self.gen)
                                        or Vocabulary.from_reader(self.searcher.reader()))
        return self._vocabulary

    def parse(self, text: str) -> ParsedQuery:
        return parse_query(text, self.vocabulary, self.cased)

    def cased(self, reading: str) -> str:
        """A lower-case reading with the capitals of the persons, agencies and places it
        names ("công an tỉnh nghệ an" → "công an tỉnh Nghệ An")."""
        if self._names is None:
            names = {}
            for value in (v for f in ("person", "agency") for v in self.columns[f].values):
                if " " in value:  # a one-syllable "name" is as often a common word
                    names.setdefault(value.lower(), value)
            for value in place_names():
                names.setdefault(value.lower(), value)
            self._names = names
        return with_capitals(reading, self._names)

    def warm(self) -> None:
        """Build what every search needs but none should wait for: the vocabulary, the
        field lengths, titles, tables of names and facet pairs (the posting arrays need no
        warming)."""
        try:
            self.vocabulary
            for field in ("title_f", "body_f"):
                self.store.length_norms(field, ranking.B)
            self.cased("")
            self.titles()
            if self.store.doc_count:
                self.stored(0)  # opens the stored documents' file
            for facet in ("person", "agency"):
                self.facet_value_ids(facet, "")
            for column in self.columns.values():
                column.counts(self.all_docs)  # arranges its pairs for counting
        except Exception:  # closed by a newer swap meanwhile: nothing to warm
            pass

    def titles(self) -> tuple[list[str], list[str]]:
        """Every title's lower-cased syllables and their folded form (space-separated), read
        once: the ranker compares the best few hundred with the query."""
        if self._titles is None:
            with self.lock:
                if self._titles is None:
                    titles = list(self._title_column)
                    folded = [" ".join(fold_syllable(x) for x in t.split(" ")) for t in titles]
                    self._titles = (titles, folded)
        return self._titles

    def facet_value_ids(self, name: str, folded_text: str) -> list[int]:
        """Ids of the facet values that read as folded_text once folded ("nguyen phu trong")."""
        table = self._folded_values.get(name)
        if table is None:
            table = {}
            for vid, value in enumerate(self.columns[name].values):
                table.setdefault(" ".join(fold_syllable(s) for s in syllables(value)), []).append(vid)
            self._folded_values[name] = table
        return table.get(folded_text, [])

    @property
    def searcher(self):
        return self.store.searcher

    def detach(self) -> None:
        """Close the Whoosh files, keeping everything read from them: before a fork, whose
        children must not share open files (Whoosh seeks and reads them)."""
        self.titles()
        with self.lock:
            self.store.reopen(None)
            self._title_column = []

    def attach(self) -> None:
        """Reopen the Whoosh files in this process (after detach, in a forked child)."""
        with self.lock:
            self.ix = whoosh_index.open_dir(str(self.gen))
            self.store.reopen(self.ix.searcher())

    def stored(self, docnum: int) -> dict:
        with self.lock:
            return self.searcher.stored_fields(int(docnum))

    def persons_of(self, doc: dict) -> list[str]:
        """A stored article's persons as the facet shows them (short forms merged)."""
        alias = self.person_alias
        return list(dict.fromkeys(alias.get(p, p) for p in doc.get("persons") or []))

    def docnum(self, article_id: str) -> int | None:
        with self.lock:
            docnum = self.searcher.document_number(id=article_id)
        return docnum if docnum is not None and self.store.live[docnum] else None

    def close(self):
        if hasattr(self, "store"):
            self.store.close()


class Engine:
    def __init__(self, index_dir, warm_up: bool = False):
        """warm_up: prepare each snapshot in the background as it opens (for a
        long-running server; a CLI search needs only its own)."""
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

    def prepare_for_fork(self) -> None:
        """Open and prepare the live snapshot, then close its files: processes forked
        after this share its tables (copy-on-write) instead of each building its own;
        each calls after_fork() first. A reindex swap is followed by each on its own."""
        warm_up, self.warm_up = self.warm_up, False  # no thread may run across a fork
        try:
            snap = self.snapshot()
        except IndexNotFound:
            return
        finally:
            self.warm_up = warm_up
        snap.warm()
        for q in WARM_QUERIES:  # the code paths and caches a first search would fill
            self.search(SearchRequest(q=q))
        snap.detach()

    def after_fork(self) -> None:
        """In a forked process: reopen the inherited snapshot's files, or, if a reindex
        has published another generation since the fork's parent prepared it, open that."""
        inherited, self._retired = self._snapshot, None  # never attached here: not closed
        if inherited is not None and storage.pointer_stamp(self.index_dir) == self._stamp:
            try:
                inherited.attach()
                return
            except Exception:  # its generation deleted meanwhile: open the live one
                pass
        self._snapshot = self._stamp = None
        try:
            self.snapshot().warm()
        except IndexNotFound:
            pass  # answered with 503 and how to build it, until a reindex publishes one

    def health(self) -> dict:
        snap = self.snapshot()
        return {"status": "ok", "articles": snap.store.live_count,
                "indexed_at": snap.meta.get("indexed_at")}

    # -- search ------------------------------------------------------------------

    def search(self, req: SearchRequest, hits: bool = True) -> SearchResult:
        """The result of req; with hits=False only the total and the facets (cheaper)."""
        started = time.perf_counter()
        snap = self.snapshot()
        query = snap.parse(req.q)
        agencies = tuple(dict.fromkeys(canonical_agency(a) or a for a in req.agency))
        persons = tuple(dict.fromkeys(snap.person_alias.get(p, p) for p in req.person))
        req_filters = {"agency": agencies, "person": persons, "source": req.source}

        n = snap.store.doc_count
        full = np.ones(n, bool)
        date_mask = snap.dates.mask(req.date_from, req.date_to) \
            if (req.date_from or req.date_to) else full
        masks = {name: snap.columns[name].mask(n, values) if values else full
                 for name, values in req_filters.items()}
        filters = date_mask & masks["agency"] & masks["person"] & masks["source"]

        store = RequestPostings(snap.store)  # matching and ranking read the same lists
        found = None if query.is_empty else match(store, query, filters)
        matched = snap.all_docs.copy() if found is None else found.mask
        hits_mask = matched & filters
        facets, selections = {}, {}
        for name in FACETS:
            # Every filter but the facet's own; facets with the same filters (all of them,
            # without any) count over one selection.
            applied = [mask for other, mask in masks.items() if other != name and mask is not full]
            if name not in ("year", "month") and date_mask is not full:
                applied.append(date_mask)
            key = tuple(map(id, applied))
            if key not in selections:
                m = matched
                for mask in applied:
                    m = m & mask
                selections[key] = Selection(m)
            counts = snap.columns[name].counts(selections[key])
            facets[name] = top_values(snap.columns[name], counts, req.facet_size,
                                      selected=req_filters.get(name, ()),
                                      chronological=name in ("year", "month"))

        docs = np.flatnonzero(hits_mask)
        total = int(docs.size)
        page, suggestion, scores = [], None, None
        if hits:
            sort = req.effective_sort
            if found is not None:
                ranker = Ranker(snap, query, store)
                scores = ranker.scores(found)
            if sort == "relevance" and found is not None and docs.size:
                order = ranker.order(docs, scores, found, limit=req.page * req.per_page)
            elif sort == "newest":
                order = docs[np.lexsort((docs, -snap.newest_key[docs]))]
            else:
                order = docs[np.lexsort((docs, snap.oldest_key[docs]))]
            start = (req.page - 1) * req.per_page
            terms = _marked(query)
            page = [self._hit(snap, d, scores, terms) for d in order[start:start + req.per_page]]
            suggestion = self._suggest(snap, query, total) if not query.is_empty else None
        return SearchResult(req, total, page, facets, suggestion,
                            (time.perf_counter() - started) * 1000,
                            interpretation=query.interpretation,
                            relaxed=bool(found is not None and found.relaxed))

    def marks(self, q: str):
        """The words a page marks for query q (highlight.highlight's terms)."""
        return _marked(self.snapshot().parse(q))

    def _hit(self, snap: Snapshot, docnum: int, scores, terms) -> dict:
        doc = snap.stored(docnum)
        return {
            "id": doc["id"], "title": doc["title"],
            "title_html": str(highlight(doc["title"], terms)),
            "snippet_html": str(snippet(doc["body"], terms)),
            "date": doc.get("date") or None, "source": doc.get("source_name"),
            "url": doc.get("url"), "author": doc.get("author"),
            "agencies": doc.get("agencies") or [], "persons": snap.persons_of(doc),
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
                found = int(match(snap.store, snap.parse(trial), snap.all_docs).mask.sum())
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
                "agencies": doc.get("agencies") or [], "persons": snap.persons_of(doc)}

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
        for clause in q.positive_clauses():
            if clause.is_phrase:
                bm25f(store, scores, "_w", "_".join(clause.syllables))
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


def with_capitals(reading: str, names: dict[str, str]) -> str:
    """reading with each run of words that names holds (lower case → as written) replaced
    by its written form, the longest run first."""
    words = reading.split(" ")
    out, i = [], 0
    while i < len(words):
        for n in range(min(MAX_NAME_SYLLABLES, len(words) - i), 0, -1):
            cased = names.get(" ".join(words[i:i + n]))
            if cased:
                out.append(cased)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def _marked(query: ParsedQuery):
    return terms_for(c.syllables for c in query.positive_clauses())


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
