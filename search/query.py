"""What a user typed → a structured query.

Syntax: words (all must occur), "quoted phrases", -word / -"phrase" (exclude), OR between
alternatives. Every other character is plain text. Matching is on folded syllables, so
"cong an" finds "công an"; the accented syllables and the pyvi words of the query are kept
for ranking.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .analysis import fold, has_diacritics, normalize, syllables
from .segment import segment

MAX_QUERY_CHARS = 1000     # longer input is cut: a query, not a document
MAX_CLAUSES = 32           # bounds the work one request can ask for

_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Clause:
    syllables: tuple[str, ...]      # lower-cased, accents as typed
    negated: bool = False

    @property
    def folded(self) -> tuple[str, ...]:
        return tuple(fold(s) for s in self.syllables)

    @property
    def is_phrase(self) -> bool:
        return len(self.syllables) > 1


@dataclass
class Group:
    """Clauses that must all hold (negated ones must not)."""
    clauses: list[Clause] = field(default_factory=list)

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negated]


@dataclass
class ParsedQuery:
    text: str
    groups: list[Group]            # alternatives joined by OR
    words: list[str]               # pyvi compound words of the positive text, for ranking

    @property
    def is_empty(self) -> bool:
        return not any(g.clauses for g in self.groups)

    def positive_syllables(self) -> list[str]:
        return list(dict.fromkeys(s for g in self.groups for c in g.positive for s in c.syllables))

    @property
    def has_diacritics(self) -> bool:
        return any(has_diacritics(s) for s in self.positive_syllables())


def parse_query(text: str) -> ParsedQuery:
    text = normalize(text or "")[:MAX_QUERY_CHARS].strip()
    groups = [Group()]
    positive_text = []
    n = 0
    for m in _TOKEN_RE.finditer(text):
        neg_quote, phrase, bare = m.groups()
        if bare == "OR":
            if groups[-1].clauses:
                groups.append(Group())
            positive_text.append(",")
            continue
        if phrase is not None:
            negated, sylls = bool(neg_quote), syllables(phrase)
            new = [Clause(tuple(sylls), negated)] if sylls else []
            raw = phrase
        else:
            negated = bare.startswith("-") and len(bare) > 1
            raw = bare[1:] if negated else bare
            sylls = syllables(raw)
            new = [Clause((s,), negated) for s in sylls]
        positive_text.append("," if negated else raw)
        for clause in new:
            if n < MAX_CLAUSES and clause not in groups[-1].clauses:
                groups[-1].clauses.append(clause)
                n += 1
    groups = [g for g in groups if g.clauses] or [Group()]
    # pyvi reads case, so it gets the text as typed, with operators turned into commas.
    words = [w.lower() for w in segment(" ".join(positive_text)) if "_" in w]
    return ParsedQuery(text=text, groups=groups, words=list(dict.fromkeys(words)))
