"""The best few hundred candidates of the cluster, re-ranked with the Whoosh engine's signals
(ranking.py's weights): Sphinx ranks the matches by BM25 (title weighted), and this adds what
Sphinx's rankers cannot say of our fields — the whole query as a phrase of the title (with
the diacritics as typed or not, a headline or a lead), the title being the query (known-item
search), the query in the lead and in the body, the words with their diacritics as typed
(first, for a query typed with them), and the query naming a person or agency the article is
tagged with. Computed from the candidates' own text, which the shards return with them."""
from __future__ import annotations

from ..analysis import SYLLABLE_RE, fold, fold_syllable, has_diacritics, syllables
from ..highlight import _find, _fold_text
from ..pairs import LEAD_SYLLABLES
from ..query import ParsedQuery
from ..ranking import (BODY_PHRASE, ENTITY, EXACT_WORD, KNOWN_ITEM, LEAD_PHRASE, READING, TITLE_EXACT,
                       TITLE_FOLDED, TITLE_PHRASE, TITLE_WORDS)

BM25_SCALE = 0.03   # Sphinx's bm25 weight (0..1000) to the scale of ranking.py's BM25F sums
POOL = 100          # candidates re-ranked


def _lead_chars(body: str) -> int:
    """Where the body's first LEAD_SYLLABLES syllables end."""
    for i, m in enumerate(SYLLABLE_RE.finditer(body)):
        if i == LEAD_SYLLABLES - 1:
            return m.end()
    return len(body)


def rerank(query: ParsedQuery, rows: list[tuple], weight_of, text_of) -> list[tuple]:
    """rows, best first. weight_of(row): Sphinx's weight; text_of(row): (title, body,
    agencies, persons)."""
    return sorted(rows, key=rank_key(query, weight_of, text_of))


def rank_key(query: ParsedQuery, weight_of, text_of):
    """The sort key of a candidate row (smaller first)."""
    if len(query.groups) != 1 or not query.groups[0].positive:
        return lambda r: (-weight_of(r),)
    group = query.groups[0]
    seq = [s for c in group.positive for s in c.folded]
    wanted = " ".join(seq)
    exact = " ".join(s for c in group.positive for s in (c.accented or c.syllables))
    accented = [c.accented for c in query.positive_clauses() if c.accented and has_diacritics(" ".join(c.accented))]
    typed = query.has_diacritics
    name = wanted if " " in wanted else None

    def key(row):
        title, body, agencies, persons = text_of(row)
        s = BM25_SCALE * weight_of(row)
        t_syl = syllables(title)
        t_folded = " ".join(map(fold_syllable, t_syl))
        t_exact = " ".join(t_syl)
        if f" {wanted} " in f" {t_folded} ":
            boost = TITLE_PHRASE * (TITLE_EXACT if f" {exact} " in f" {t_exact} "
                                    else (TITLE_FOLDED if typed else 1.0))
            boost *= min(1.0, TITLE_WORDS / max(1, len(t_syl))) ** 3
            if t_folded == wanted:
                boost += KNOWN_ITEM * (1.0 if exact == t_exact or not typed else 0.5)
            s += boost
        # The body by str.find on a folded copy, as snippets find words (highlight.py).
        if len(seq) > 1:
            found = _find(_fold_text(body), (tuple(seq),))
            if found:
                s += BODY_PHRASE
                if found[0][0] <= _lead_chars(body):
                    s += LEAD_PHRASE
        held = 0
        if accented:
            lower = f"{t_exact}\n{body.lower()}"
            held = sum(1 for a in accented if _find(lower, (tuple(a),)))
            s += EXACT_WORD * held + (0 if typed else READING * held)
        if name and any(fold(v) == name for v in list(agencies) + list(persons)):
            s += ENTITY
        return (-(held if typed else 0), -s)

    return key
