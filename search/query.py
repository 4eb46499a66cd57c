"""What a user typed → a structured query of words.

Syntax: words (all must occur), "quoted phrases", -word / -"phrase" (exclude), OR between
alternatives. Every other character is plain text.

A query is read as Vietnamese words, not as a bag of syllables: text with diacritics is
segmented by pyvi ("công an tỉnh Nghệ An" → công_an · tỉnh · Nghệ_An); text typed without
them, which pyvi cannot segment, is grouped into the words the archive itself writes
(vocabulary.py): "cong an tinh nghe an" → cong_an · tinh · nghe_an, read as "công an tỉnh
Nghệ An". Each word becomes a clause whose syllables must stand adjacent (matching.py).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .analysis import fold, has_diacritics, normalize, syllables
from .segment import segment

MAX_QUERY_CHARS = 1000     # longer input is cut: a query, not a document
MAX_CLAUSES = 32           # bounds the work one request can ask for
MAX_WORD_SYLLABLES = 5     # the longest word an unaccented query is grouped into
CLEAR_SHARE = 0.6          # a reading is clear when its form has this share of the word's uses
OOV_LOG_PROB = -25.0       # a syllable the archive never writes (a typo, a foreign name)

_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _read_question_words() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "question_words.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(" ".join(fold(s) for s in syllables(line))
                     for line in lines if line.strip() and not line.startswith("#"))


QUESTION_WORDS = _read_question_words()


@dataclass(frozen=True)
class Clause:
    """One word (or quoted phrase) of the query: its syllables must stand adjacent."""
    syllables: tuple[str, ...]      # lower-cased, accents as typed
    negated: bool = False
    quoted: bool = False
    # For a word typed without diacritics: its likeliest written form, when clear.
    reading: tuple[str, ...] | None = None
    optional: bool = False          # a question word ("vì sao"): ranks, need not match

    # Folded once per clause (a frozen dataclass's cached_property lives in its __dict__,
    # outside its fields): matching and ranking ask a dozen times a search.
    @cached_property
    def folded(self) -> tuple[str, ...]:
        return tuple(fold(s) for s in self.syllables)

    @property
    def is_phrase(self) -> bool:
        return len(self.syllables) > 1

    @cached_property
    def accented(self) -> tuple[str, ...] | None:
        """The form that ranks as exact: the clear reading of what was typed, or what was
        typed when it has diacritics."""
        if self.reading:
            return self.reading
        return self.syllables if any(has_diacritics(s) for s in self.syllables) else None


@dataclass
class Group:
    """Clauses that must all hold (negated ones must not)."""
    clauses: list[Clause] = field(default_factory=list)

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negated]

    @property
    def required(self) -> list[Clause]:
        """The positive clauses an article must match: all but question words, unless
        the query is nothing but question words."""
        needed = [c for c in self.positive if not c.optional]
        return needed or self.positive


@dataclass
class ParsedQuery:
    text: str
    groups: list[Group]            # alternatives joined by OR
    interpretation: str | None = None  # the accented reading of an unaccented query

    @property
    def is_empty(self) -> bool:
        return not any(g.clauses for g in self.groups)

    def positive_clauses(self) -> list[Clause]:
        return list(dict.fromkeys(c for g in self.groups for c in g.positive))

    def positive_syllables(self) -> list[str]:
        return list(dict.fromkeys(s for c in self.positive_clauses() for s in c.syllables))

    @property
    def has_diacritics(self) -> bool:
        return any(has_diacritics(s) for s in self.positive_syllables())


def parse_query(text: str, vocabulary=None, names=None) -> ParsedQuery:
    """vocabulary (vocabulary.Vocabulary) reads unaccented words; names(text) may give the
    written form of a known name ("nghệ an" → "Nghệ An") for the interpretation."""
    text = normalize(text or "")[:MAX_QUERY_CHARS].strip()
    groups = [Group()]
    run: list[str] = []   # consecutive plain words, segmented together
    budget = [MAX_CLAUSES]

    def add(clause: Clause):
        if budget[0] > 0 and clause.syllables and clause not in groups[-1].clauses:
            groups[-1].clauses.append(clause)
            budget[0] -= 1

    def flush():
        for clause in _question_words(_numbers_joined(_read_words(" ".join(run), vocabulary))):
            add(clause)
        run.clear()

    for m in _TOKEN_RE.finditer(text):
        neg_quote, phrase, bare = m.groups()
        if bare == "OR":
            flush()
            if groups[-1].clauses:
                groups.append(Group())
        elif phrase is not None:
            flush()
            add(Clause(tuple(syllables(phrase)), bool(neg_quote), quoted=True))
        elif bare.startswith("-") and len(bare) > 1:
            flush()
            add(Clause(tuple(syllables(bare[1:])), negated=True))
        elif len(syllables(bare)) > 1:
            # Syllables joined without a space ("TP.HCM", "covid-19") stand together.
            flush()
            add(Clause(tuple(syllables(bare))))
        else:
            run.append(bare)
    flush()
    groups = [g for g in groups if g.clauses] or [Group()]
    query = ParsedQuery(text=text, groups=groups)
    if not query.is_empty and not query.has_diacritics:
        query.interpretation = _interpretation(query, names)
    return query


def _read_words(text: str, vocabulary) -> list[Clause]:
    """Plain query text → one clause per word."""
    sylls = syllables(text)
    if not sylls:
        return []
    if vocabulary is None:
        return [Clause(tuple(s)) for s in (syllables(t) for t in segment(text)) if s]
    if not has_diacritics(text):
        return _grouped(sylls, vocabulary)
    # pyvi reads case, so it gets the text as typed; what it leaves as runs of single
    # syllables ("công an tinh lam dong", "công an lâm đồng") is grouped by the vocabulary.
    out, plain = [], []
    for word in (syllables(t) for t in segment(text)):
        if len(word) == 1:
            plain.append(word[0])
        elif word:
            out += _grouped(plain, vocabulary) + [Clause(tuple(word))]
            plain = []
    return out + _grouped(plain, vocabulary)


def _grouped(sylls: list[str], vocabulary) -> list[Clause]:
    return [Clause(tuple(w), reading=r) for w, r in group_words(sylls, vocabulary)] if sylls else []


def _numbers_joined(clauses: list[Clause]) -> list[Clause]:
    """A number belongs to the word before it: "bão số 2" is about "số 2", not any 2
    ("lớp 10", "quận 1", "năm 2017"), so the two must stand together."""
    out: list[Clause] = []
    for clause in clauses:
        prev = out[-1] if out else None
        if (prev is not None and len(clause.syllables) == 1 and clause.syllables[0].isdigit()
                and len(prev.syllables) == 1 and not prev.syllables[0].isdigit()):
            reading = prev.reading + clause.syllables if prev.reading else None
            out[-1] = Clause(prev.syllables + clause.syllables, reading=reading)
        else:
            out.append(clause)
    return out


def _question_words(clauses: list[Clause]) -> list[Clause]:
    """Runs of clauses that spell a question word ("vì" + "sao") become one optional clause."""
    out, i = [], 0
    while i < len(clauses):
        for n in (3, 2, 1):
            run = clauses[i:i + n]
            folded = " ".join(s for c in run for s in c.folded)
            if len(run) == n and folded in QUESTION_WORDS:
                sylls = tuple(s for c in run for s in c.syllables)
                reading = (tuple(s for c in run for s in c.accented)
                           if all(c.accented for c in run) else None)
                out.append(Clause(sylls, reading=reading, optional=True))
                i += n
                break
        else:
            out.append(clauses[i])
            i += 1
    return out


def group_words(sylls: list[str], vocabulary) -> list[tuple[list[str], tuple[str, ...] | None]]:
    """Syllables pyvi could not group (typed without diacritics, or in lower case) → the
    likeliest words the archive writes, each with its likeliest written form when that
    form is clear (None otherwise). A syllable typed with diacritics only fits forms that
    have them so ("lâm đồng" is the word "Lâm Đồng", not "làm đồng").

    A unigram model over the archive's words (the segmentation maximising the product of
    the words' probabilities), as for Chinese or Japanese text without spaces."""
    n = len(sylls)
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("-inf"), 0)] * n
    for end in range(1, n + 1):
        for start in range(max(0, end - MAX_WORD_SYLLABLES), end):
            if best[start][0] == float("-inf"):
                continue
            lp, _ = _word_stats(vocabulary, sylls[start:end])
            if lp is None:
                if end - start > 1:
                    continue
                lp = OOV_LOG_PROB
            score = best[start][0] + lp
            if score > best[end][0]:
                best[end] = (score, start)
    words, end = [], n
    while end > 0:
        start = best[end][1]
        words.append(sylls[start:end])
        end = start
    words.reverse()
    readings = [_clear(_word_stats(vocabulary, word)[1]) for word in words]
    # A lone syllable is read in context: the forms of it its neighbours stand with.
    for i, word in enumerate(words):
        if len(word) == 1 and not has_diacritics(word[0]):
            readings[i] = _in_context(vocabulary, words, readings, i) or readings[i]
    return [(word, tuple(r.split(" ")) if r else None) for word, r in zip(words, readings)]


def _word_stats(vocabulary, typed: list[str]) -> tuple[float | None, list[tuple[str, int]]]:
    """(log-probability, written forms) of the typed syllables as one word of the archive,
    counting only the forms that fit the diacritics typed."""
    key = " ".join(fold(s) for s in typed)
    lp = vocabulary.log_prob(key)
    if lp is None:
        return None, []
    forms = vocabulary.forms(key)
    if not any(has_diacritics(s) for s in typed):
        return lp, forms
    fitting = [(f, c) for f, c in forms
               if all(t == w or not has_diacritics(t) for t, w in zip(typed, f.split(" ")))]
    if not fitting:
        return None, []
    return lp + math.log(sum(c for _, c in fitting) / sum(c for _, c in forms)), fitting


def _clear(forms: list[tuple[str, int]]) -> str | None:
    """The most frequent form, if it has a clear share of all."""
    total = sum(c for _, c in forms)
    return forms[0][0] if forms and forms[0][1] >= CLEAR_SHARE * total else None


def _in_context(vocabulary, words, readings, i) -> str | None:
    """The form of the lone syllable words[i] that its neighbours (as read, when they
    are) stand with most often in the archive's titles."""
    syllable = words[i][0]
    counts: dict[str, int] = {}
    if i > 0:
        prev = fold(words[i - 1][-1])
        prev_form = readings[i - 1].split(" ")[-1] if readings[i - 1] else None
        for pair, n in vocabulary.pair_forms(f"{prev} {syllable}").items():
            a, b = pair.split(" ")
            if prev_form is None or a == prev_form:
                counts[b] = counts.get(b, 0) + n
    if i + 1 < len(words):
        nxt = fold(words[i + 1][0])
        next_form = readings[i + 1].split(" ")[0] if readings[i + 1] else None
        for pair, n in vocabulary.pair_forms(f"{syllable} {nxt}").items():
            a, b = pair.split(" ")
            if next_form is None or b == next_form:
                counts[a] = counts.get(a, 0) + n
    return _clear(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _interpretation(query: ParsedQuery, names) -> str | None:
    """The accented reading of an unaccented query, in the order typed; None unless every
    word that can carry diacritics has a clear reading and some reading differs."""
    if len(query.groups) != 1:
        return None
    clauses = [c for c in query.groups[0].positive if not c.quoted]
    if not clauses or len(clauses) != len(query.groups[0].positive):
        return None
    parts = []
    for clause in clauses:
        if clause.reading is None:
            return None
        parts.append(" ".join(clause.reading))
    reading = " ".join(parts)
    if reading == " ".join(s for c in clauses for s in c.syllables):
        return None
    return names(reading) if names else reading
