"""The cluster engine: the Engine interface (search, article, related, health) answered by
a Sphinx / Manticore cluster's head (schema.py for the tables).

Matching is the Whoosh engine's: the query is read by query.py (the unaccented reading
from the cluster's vocabulary), each word a phrase of folded syllable tokens in the title
or body, every word required, quoted phrases, -exclusion and OR as typed. Ranking is
Sphinx's proximity_bm25 over the folded fields (title weighted 3), with the words as
written (diacritics) and the pyvi words added through MAYBE: they rank, they do not
filter; the lead (the body's first syllables) is a field of its own for the ranker. Facets are FACET clauses of a multi-query batch, each
without its own filter, as the Whoosh engine counts them.
"""
from __future__ import annotations

import json
import os
import threading
import time

from ..engine import SearchResult, _marked, with_capitals
from ..dates import date_range
from ..entities import canonical_agency, place_names
from ..facets import FACETS
from ..highlight import highlight, snippet
from ..matching import ENOUGH, min_words
from ..query import ParsedQuery, parse_query
from ..request import SearchRequest
from .client import Cluster, ClusterError, match_quote
from .rerank import POOL, rank_key, rerank
from .schema import (DISTRIBUTED_TABLE, FIELD_WEIGHTS, META_TABLE, REFRESH_SECONDS, doc_id, meta_id, token,
                     value_id)
from .writer import read_vocabulary

MAX_MATCHES = 100_000   # FACET counts over a distributed table are exact up to this many values
# BM25 with the title weighted; the proximity and phrase signals are rerank.py's.
RANKER = os.environ.get("TIMTIN_SPHINX_RANKER", "bm25")
_WEIGHTS = ", ".join(f"{f}={w}" for f, w in FIELD_WEIGHTS.items())
RELAX_POOL = 1000      # articles holding any word of a relaxed query that are counted
FACET_SLACK = 1000     # facet values fetched beyond facet_size: ties at the cut are ordered by name here
HIT_COLUMNS = "aid, title, body, date, source_name, url, author, agencies, persons, category"
# The fields a word is looked for in. The lead is part of the body, so it finds nothing
# more; it is there for the ranker (the query's words in order in the lead score).
MATCHED = "title_f,body_f,lead_f"
FACET_ATTRS = {"year": "year", "month": "month", "agency": "agency_ids", "person": "person_ids",
               "source": "source_id"}


class SphinxEngine:
    def __init__(self, url: str, warm_up: bool = False):
        self.cluster = Cluster(url)
        self.url = url
        self.lock = threading.Lock()
        self._gen: int | None = None
        self._checked = 0.0
        self._vocabulary = None
        self._alias: dict[str, str] | None = None
        self._names: dict[int, str] = {}
        self._cased: dict[str, str] | None = None

    # -- the generation, its vocabulary and names -------------------------------------

    def generation(self) -> int:
        now = time.monotonic()
        if self._gen is None or now - self._checked > REFRESH_SECONDS:
            gen = self.cluster.meta_value("gen", "current")
            if gen is None:
                raise ClusterError(f"{self.url} holds no index yet: run "
                                   f"`timtin reindex --engine {self.url}`")
            with self.lock:
                if gen != self._gen:
                    self._vocabulary, self._cased, self._alias = None, None, None
                self._gen, self._checked = gen, now
        return self._gen

    def vocabulary(self):
        if self._vocabulary is None:
            self._vocabulary = read_vocabulary(self.cluster)
        return self._vocabulary

    def person_alias(self) -> dict[str, str]:
        """Short forms merged into full names (writer._merge_person_forms)."""
        if self._alias is None:
            rows = self.cluster.execute(f"SELECT value FROM {META_TABLE} WHERE id = {meta_id('alias', 'persons')}")
            self._alias = json.loads(rows[0][0]) if rows and rows[0][0] else {}
        return self._alias

    def _persons(self, persons_json: str) -> list[str]:
        alias = self.person_alias()
        return list(dict.fromkeys(alias.get(p, p) for p in json.loads(persons_json or "[]")))

    def parse(self, text: str) -> ParsedQuery:
        return parse_query(text, self.vocabulary(), self.cased)

    def cased(self, reading: str) -> str:
        """An interpretation with the capitals of the places it names (the Whoosh engine
        also uses its person and agency values)."""
        if self._cased is None:
            self._cased = {v.lower(): v for v in place_names()}
        return with_capitals(reading, self._cased)

    def _names_of(self, facet: str, ids) -> dict[int, str]:
        missing = [i for i in ids if i not in self._names]
        for k in range(0, len(missing), 500):
            chunk = missing[k:k + 500]
            rows = self.cluster.execute(f"SELECT id, name FROM {META_TABLE} WHERE id IN "
                                        f"({','.join(map(str, chunk))}) LIMIT {len(chunk)}")
            self._names.update((int(i), n) for i, n in rows)
        return {i: self._names[i] for i in ids if i in self._names}

    # -- the interface ---------------------------------------------------------------

    def health(self) -> dict:
        try:
            gen = self.generation()
            self.cluster.execute(f"SELECT id FROM {DISTRIBUTED_TABLE} WHERE gen = {gen} LIMIT 1")
            meta = dict(self.cluster.execute("SHOW META"))  # total_found of that query
            return {"status": "ok", "engine": self.url, "articles": int(meta.get("total_found", 0)),
                    "generation": gen}
        except ClusterError as e:
            return {"status": "unavailable", "engine": self.url, "error": str(e)}

    def prepare_for_fork(self) -> None:
        self.cluster = Cluster(self.url)  # no connection crosses a fork

    def after_fork(self) -> None:
        self.cluster = Cluster(self.url)

    def marks(self, q: str):
        return _marked(self.parse(q))

    def search(self, req: SearchRequest, hits: bool = True) -> SearchResult:
        started = time.perf_counter()
        gen = self.generation()
        query = self.parse(req.q)
        match = _match_expression(query)
        filters = self._filters(req)
        date = filters.pop("date")
        base = [f"gen = {gen}"]
        if match is not None:
            base.insert(0, f"MATCH('{match_quote(match)}')")

        def where(*parts):
            return " WHERE " + " AND ".join(base + [p for p in parts if p])

        sort = req.effective_sort
        if sort == "relevance" and match is not None:
            order = "WEIGHT() DESC, dend DESC"
        elif sort == "newest":
            order = "has_date DESC, dend DESC, id ASC"
        else:
            order = "has_date DESC, dstart ASC, id ASC"
        offset = (req.page - 1) * req.per_page
        option = f" OPTION ranker={RANKER}, field_weights=({_WEIGHTS}), max_matches={MAX_MATCHES}"
        # The first POOL by relevance are re-ranked here (rerank.py); later pages follow
        # Sphinx's order, which holds none of them.
        pooled = hits and sort == "relevance" and match is not None and offset + req.per_page <= POOL
        first, count = (0, POOL) if pooled else (offset, req.per_page if hits else 0)
        statements = [f"SELECT {HIT_COLUMNS}, WEIGHT() AS w FROM {DISTRIBUTED_TABLE}"
                      + where(date, *filters.values())
                      + f" ORDER BY {order} LIMIT {first}, {count}"
                      + option.replace(f"max_matches={MAX_MATCHES}", f"max_matches={max(first + count, 1)}")]
        sets, warnings = self.cluster.execute_sets(statements[0] + "; SHOW META")
        rows, meta = sets[0], dict(sets[-1])
        total = int(meta.get("total_found", 0))
        if pooled:
            rows = rerank(query, rows, lambda r: r[-1],
                          lambda r: (r[1], r[2], json.loads(r[7] or "[]"), self._persons(r[8])))
            rows = rows[offset:offset + req.per_page]
        relaxed = False
        if match is not None and total < ENOUGH:
            found = self._relaxed(query, gen, " AND ".join(p for p in [date, *filters.values()] if p))
            if found is not None:
                # The relaxed set replaces the MATCH: its ids, best first (more words first).
                ids, counts, weights, complete = found
                relaxed = len(ids) > complete
                base[0] = f"id IN ({','.join(map(str, ids))})"
                kept = [r[0] for r in self.cluster.execute(
                    f"SELECT id FROM {DISTRIBUTED_TABLE}" + where(date, *filters.values())
                    + f" LIMIT {len(ids)} OPTION max_matches={len(ids)}")]
                keep = set(kept)
                ordered = [i for i in ids if i in keep]
                total = len(ordered)
                # The first POOL re-ranked (rerank.py) within each number of words matched.
                head = ordered[:POOL] if offset + req.per_page <= POOL else ordered[offset:offset + req.per_page]
                by_id = {}
                if hits and head:
                    for row in self.cluster.execute(
                            f"SELECT id, {HIT_COLUMNS}, WEIGHT() FROM {DISTRIBUTED_TABLE} WHERE id IN "
                            f"({','.join(map(str, head))}) LIMIT {len(head)}"):
                        by_id[row[0]] = row[1:-1] + (weights[row[0]],)
                head = [i for i in head if i in by_id]
                if offset + req.per_page <= POOL:
                    key = rank_key(query, lambda r: r[-1],
                                   lambda r: (r[1], r[2], json.loads(r[7] or "[]"), self._persons(r[8])))
                    head = sorted(head, key=lambda i: (-counts[i], *key(by_id[i])))[offset:offset + req.per_page]
                rows = [by_id[i] for i in head] if hits else []
        # Facets: one batch, each without its own filter; facets whose filters are the same
        # share one statement (one pass over the matches, no ranking). A distributed FACET
        # counts exactly when max_matches holds every distinct value: at most ~10 an article.
        groups: dict[str, list[str]] = {}
        caps: dict[str, int] = {}
        for name in FACETS:
            own = ("year", "month") if name in ("year", "month") else (name,)
            parts = [] if name in ("year", "month") else [date]
            parts += [f for other, f in filters.items() if other not in own]
            clause = where(*parts)
            if name in ("year", "month", "source"):
                cap = 5000  # few distinct values
            elif name in filters:  # its own filter is lifted: more articles than `total`
                cap = MAX_MATCHES
            else:
                # exact while every value fits (~3 an article); beyond, the rarest values'
                # counts may come short, as Elasticsearch's terms counts do over shards
                cap = min(MAX_MATCHES, max(1000, 3 * total))
            groups.setdefault(clause, []).append(name)
            caps[clause] = max(caps.get(clause, 0), cap)
        batch, order_of = [], []
        for clause, names in groups.items():
            batch.append(f"SELECT id FROM {DISTRIBUTED_TABLE}" + clause
                         + f" LIMIT 0 OPTION ranker=none, max_matches={caps[clause]}"
                         + "".join(f" FACET {FACET_ATTRS[n]} ORDER BY COUNT(*) DESC"
                                   f" LIMIT {req.facet_size + FACET_SLACK}" for n in names))
            order_of += names
        facet_sets, warn = self.cluster.execute_sets("; ".join(batch))
        warnings += [w for w in warn if w not in warnings]
        # each statement gives its (empty) rows, then one result set per facet
        results, i = {}, 0
        for names in groups.values():
            i += 1
            for n in names:
                results[n] = facet_sets[i] if i < len(facet_sets) else []
                i += 1
        facets = {name: self._facet(name, results.get(name, []), req) for name in FACETS}
        terms = _marked(query) if match is not None else frozenset()
        page = [self._hit(row, terms) for row in rows] if hits else []
        return SearchResult(req, total, page, facets, None, (time.perf_counter() - started) * 1000,
                            interpretation=query.interpretation, relaxed=relaxed,
                            partial=bool(warnings), warnings=tuple(warnings))

    def _relaxed(self, query: ParsedQuery, gen: int, filters: str):
        """A long query few articles match whole: the articles matching all its words but
        one, then most of them (matching.py's rule), as (ids best first, words matched per
        id, how many match every word); None when the query is not one to relax."""
        if len(query.groups) != 1 or len(query.groups[0].required) < 2:
            return None
        group = query.groups[0]
        clauses = group.required
        negated = " ".join(f"-(@({MATCHED}) {_phrase(c.folded)})" for c in group.clauses if c.negated)
        any_word = "(" + " | ".join(_clause(c) for c in clauses) + ")" + (" " + negated if negated else "")
        pool = self.cluster.execute(
            f"SELECT id, WEIGHT() FROM {DISTRIBUTED_TABLE} WHERE MATCH('{match_quote(any_word)}') "
            f"AND gen = {gen} ORDER BY WEIGHT() DESC LIMIT {RELAX_POOL} "
            f"OPTION ranker={RANKER}, field_weights=({_WEIGHTS}), max_matches={RELAX_POOL}")
        if not pool:
            return None
        weight = {i: w for i, w in pool}
        id_list = ",".join(str(i) for i in weight)
        counts = dict.fromkeys(weight, 0)
        batch = [f"SELECT id FROM {DISTRIBUTED_TABLE} WHERE MATCH('{match_quote(_clause(c))}') "
                 f"AND id IN ({id_list}) LIMIT {len(weight)} OPTION max_matches={len(weight)}"
                 for c in clauses]
        sets, _ = self.cluster.execute_sets("; ".join(batch))
        for result in sets[:len(clauses)]:
            for (i,) in result:
                counts[i] = counts.get(i, 0) + 1
        within = weight.keys()
        if filters:
            within = {r[0] for r in self.cluster.execute(
                f"SELECT id FROM {DISTRIBUTED_TABLE} WHERE id IN ({id_list}) AND {filters} "
                f"LIMIT {len(weight)} OPTION max_matches={len(weight)}")}
        total = len(clauses)
        need = total
        for need in range(total - 1, min_words(total) - 1, -1):
            if sum(1 for i in within if counts[i] >= need) >= ENOUGH:
                break
        ids = sorted((i for i in weight if counts[i] >= need), key=lambda i: (-counts[i], -weight[i]))
        complete = sum(1 for i in ids if counts[i] == total)
        return ids, counts, weight, complete

    def _filters(self, req: SearchRequest) -> dict[str, str]:
        date = []
        if req.date_from or req.date_to:
            date.append("has_date = 1")
            if req.date_from:
                date.append(f"dend >= {date_range(req.date_from)[0]}")
            if req.date_to:
                date.append(f"dstart <= {date_range(req.date_to)[1]}")
        out = {"date": " AND ".join(date)}
        agencies = dict.fromkeys(canonical_agency(a) or a for a in req.agency)
        alias = self.person_alias()
        persons = dict.fromkeys(alias.get(p, p) for p in req.person)
        for name, values in (("agency", agencies), ("person", persons), ("source", req.source)):
            if values:
                ids = ",".join(str(value_id(name, v)) for v in values)
                out[name] = f"{FACET_ATTRS[name]} IN ({ids})"
        return out

    def _facet(self, name: str, rows, req: SearchRequest) -> list[dict]:
        alias = self.person_alias()
        selected = {"agency": tuple(dict.fromkeys(canonical_agency(a) or a for a in req.agency)),
                    "person": tuple(dict.fromkeys(alias.get(p, p) for p in req.person)),
                    "source": req.source}.get(name, ())
        counts = {}
        if name in ("year", "month"):
            for value, n in rows:
                if int(value):
                    v = str(value) if name == "year" else f"{str(value)[:4]}-{str(value)[4:]}"
                    counts[v] = int(n)
        else:
            names = self._names_of(name, [int(v) for v, _ in rows if int(v)])
            for value, n in rows:
                if int(value) in names:
                    counts[names[int(value)]] = int(n)
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        chosen = dict(ordered[:req.facet_size])
        for value in selected:
            chosen.setdefault(value, counts.get(value, 0))
        items = [{"value": v, "count": c} for v, c in chosen.items()]
        if name in ("year", "month"):
            items.sort(key=lambda item: item["value"])
        else:
            items.sort(key=lambda item: (-item["count"], item["value"]))
        return items

    def _hit(self, row, terms) -> dict:
        aid, title, body, date, source, url, author, agencies, persons, _category, weight = row
        return {
            "id": aid, "title": title, "title_html": str(highlight(title, terms)),
            "snippet_html": str(snippet(body, terms)), "date": date or None,
            "source": source or None, "url": url or None, "author": author or None,
            "agencies": json.loads(agencies or "[]"), "persons": self._persons(persons),
            "score": float(weight) if terms else None,
        }

    def _row(self, article_id: str):
        gen = self.generation()
        rows = self.cluster.execute(f"SELECT {HIT_COLUMNS}, WEIGHT() FROM {DISTRIBUTED_TABLE} "
                                    f"WHERE gen = {gen} AND id = {doc_id(article_id, gen)} LIMIT 1")
        return rows[0] if rows else None

    def article(self, article_id: str) -> dict | None:
        row = self._row(article_id)
        if row is None:
            return None
        aid, title, body, date, source, url, author, agencies, persons, category, _ = row
        return {"id": aid, "title": title, "date": date or None, "source": source or None,
                "category": category or None, "url": url or None, "author": author or None,
                "body": body, "agencies": json.loads(agencies or "[]"),
                "persons": self._persons(persons)}

    def related(self, article_id: str, limit: int = 5) -> list[dict]:
        """Articles sharing the most of this one's title words (any of them, ranked)."""
        row = self._row(article_id)
        if row is None:
            return []
        query = parse_query(row[1])
        words = [c for c in query.positive_clauses() if c.is_phrase] or query.positive_clauses()
        if not words:
            return []
        match = " | ".join(_phrase(c.folded) for c in words[:12])
        gen = self.generation()
        rows = self.cluster.execute(
            f"SELECT {HIT_COLUMNS}, WEIGHT() FROM {DISTRIBUTED_TABLE} WHERE "
            f"MATCH('@(title_f,body_f) ({match_quote(match)})') AND gen = {gen} "
            f"AND id != {doc_id(article_id, gen)} ORDER BY WEIGHT() DESC LIMIT {limit} "
            "OPTION ranker=bm25")
        return [self._hit(r, frozenset()) for r in rows]


def _phrase(syllables) -> str:
    tokens = [token(s) for s in syllables]
    return tokens[0] if len(tokens) == 1 else '"' + " ".join(tokens) + '"'


def _match_expression(query: ParsedQuery) -> str | None:
    """The query as a Sphinx MATCH expression; None for an empty query.

    Each required word is its folded phrase, OR the phrase as written (or read) in the
    fields with diacritics, OR the pyvi word: the alternatives hold only where the folded
    phrase does, so they find nothing more, but the ranker scores the fields they match
    (2.2.11's MAYBE, meant for this, filters like AND on single keywords)."""
    if query.is_empty:
        return None
    groups = []
    for group in query.groups:
        required = group.required
        if not required:
            continue
        parts = [_clause(c) for c in required]
        parts += [f"-(@({MATCHED}) {_phrase(c.folded)})" for c in group.clauses if c.negated]
        groups.append("(" + " ".join(parts) + ")")
    if not groups:
        return None
    return groups[0] if len(groups) == 1 else "(" + " | ".join(groups) + ")"


def _clause(clause) -> str:
    alternatives = [f"@({MATCHED}) {_phrase(clause.folded)}"]
    accented = clause.accented
    if accented:
        alternatives.append(f"@(title_s,body_s) {_phrase(accented)}")
        if len(accented) > 1:
            alternatives.append(f"@(title_w,body_w) {token('_'.join(accented))}")
    return alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")"
