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
from .sides import is_sports_story
from .lexicon import _FIXED, _FIXED_MAX, _FOREIGN_ORG_WORDS, _GIVEN, _LEX_SYLL, _PLACES, _SURNAMES, _key
from .persons import _Mention
from .tokens import _build_para, _clean_input, _is_caps_para

# Beyond this size the rest of an article is ignored (5 MB inputs must not hang).
_MAX_TOKENS = 60_000
_DEBUG = bool(os.environ.get("TIMTIN_ENTITIES_DEBUG"))
# Where persons come from: the trained tagger (tagger.py) or the rules (persons.py).
PERSONS = os.environ.get("TIMTIN_PERSONS", "tagger")
MIN_PROB = float(os.environ.get("TIMTIN_PERSONS_MIN_PROB", "0.8"))
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


@dataclass
class _RulePass:
    """What the rules found in an article, before the tagger: agency mentions and place
    counts, person mentions, and the paragraphs read."""
    found: list
    prov_counts: dict
    local_counts: dict
    mentions: list
    taken: list  # (paragraph, cut at the masthead) of the paragraphs read
    org_words: dict = field(default_factory=dict)  # paragraph -> each agency's syllables as written


def _extract(title, body, author, tokens) -> Entities:
    title = _clean_input(title)
    body = _clean_input(body)
    if tokens is None:
        tokens = _segment_article(title, body)
    if not isinstance(tokens, (list, tuple)):
        return Entities([], [])
    excluded = _excluded_names(body, author)
    r = _rule_pass(title, body, tokens)
    agencies = _assemble_agencies(r.found, r.prov_counts, excluded, r.local_counts)
    use_tagger = PERSONS != "rules" and tagger.available()
    tagged = _tagged_mentions(title, body, tokens, r, use_tagger)
    if PERSONS == "both" or not use_tagger:
        mentions = r.mentions + tagged
    else:
        # The tagger saw few names cut to initials ("Phạm S.", "Nguyễn T.X"): those the rules
        # read after a family name are kept.
        mentions = [m for m in r.mentions if _abbreviated(m.name)] + tagged
    mentions = [m for m in map(_without_org_names, mentions) if m is not None and m.name.lower() not in excluded]
    persons = _resolve_persons(mentions)
    persons = [x for x in persons if x.lower() not in excluded]
    return Entities(persons, agencies)


def _without_org_names(m):
    """A person mention with a known organisation's name cut off its ends ("Kremlin Dmitry
    Peskov", "Lewandowski Liverpool") and a country off its start, or None when it is an
    organisation ("Celta Vigo")."""
    parts = words = m.name.split(" ")
    if len(parts) > 1 and tuple(parts) in _FIXED:
        return None  # a one-word club may be a player's name too ("Valencia")
    for L in range(min(_FIXED_MAX, len(parts) - 1), 0, -1):
        if tuple(parts[:L]) in _FIXED:
            parts = parts[L:]
            break
    for L in (3, 2):  # "Hàn Quốc Moon Jae-in": a country before the name (a name is left two words)
        if len(parts) - L >= 2 and tuple(_key(x) for x in parts[:L]) in _PLACES:
            parts = parts[L:]
            break
    for L in range(min(_FIXED_MAX, len(parts) - 1), 0, -1):
        if tuple(parts[-L:]) in _FIXED:
            parts = parts[:-L]
            break
    if len(parts) == len(words):
        return m
    if len(parts) == 1 and len(parts[0].strip(".")) <= 1:
        return None  # "Lockheed Martin F"
    return _Mention(" ".join(parts), m.titled, m.vn, m.para, m.pos)


def _abbreviated(name: str) -> bool:
    parts = name.replace(".", " ").split()
    return len(parts) > 1 and len(parts[-1]) == 1 and parts[-1].isupper()


def _segment_article(title: str, body: str) -> list[list[str]]:
    from search.segment import segment
    return [segment(title)] + [segment(p) for p in body.split("\n") if p.strip()]


def _rule_pass(title: str, body: str, tokens) -> _RulePass:
    """The rules over each paragraph (title first): agencies, place counts, persons."""
    r = _RulePass([], {}, {}, [], [])
    raw = title + "\n" + body
    sports = is_sports_story(raw)
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
        r.taken.append((pi, stop))
        p = _build_para(toks)
        if not p.n:
            continue
        used = [False] * p.n
        fa: list = []
        _find_agencies(p, used, fa, sports)
        for kind, o in fa:
            r.found.append((pi, kind, o))
            a, b = (o[0].start, o[-1].end) if kind == "chain" else (o.start, o.end)
            r.org_words.setdefault(pi, []).append(p.text[a:b])
            if kind == "chain":
                for x in o:
                    _count_place(r.prov_counts, x.level, x.place, 3)
        _count_places(p, r.prov_counts)
        _count_local_places(p, r.local_counts)
        _find_persons(p, used, r.mentions, pi, raw)
        if stop:
            break
    return r


def rule_names_by_paragraph(title: str, body: str, tokens=None) -> dict[int, list]:
    """The rules' person mentions of each paragraph (0 the title, k the k-th non-empty body
    line): what the tagger reads as a feature, at training time as at extraction."""
    title = _clean_input(title)
    body = _clean_input(body)
    if tokens is None:
        tokens = _segment_article(title, body)
    return _names_by_paragraph(_rule_pass(title, body, tokens).mentions)


def _names_by_paragraph(mentions) -> dict[int, list]:
    out: dict[int, list] = {}
    for m in mentions:
        out.setdefault(m.para, []).append(m)
    return out


def _paragraph_texts(title: str, body: str, taken):
    """(paragraph index, text) of the paragraphs the rules read, cut at the masthead."""
    lines = [line for line in body.split("\n") if line.strip()]
    for pi, cut in taken:
        text = title if pi == 0 else (lines[pi - 1] if pi - 1 < len(lines) else "")
        if cut:
            ends = [text.find(m) for m in _MASTHEAD if m in text]
            text = text[:min(ends)] if ends else text
        yield pi, text


# words after which a capitalised run names a campaign or a programme ("Phong trào Toàn dân
# bảo vệ an ninh Tổ quốc"), not a person
_CAMPAIGN_WORDS = ("phong trào", "cuộc vận động", "chiến dịch", "chương trình")


def _org_spans(text: str, org_words) -> list[tuple[int, int]]:
    """Where the rules' agencies stand in a paragraph's text, for those written as read (not
    expanded from an abbreviation): a name inside one is the body's ("Trường THCS Chu Văn An")."""
    out = []
    for words in org_words:
        needle = " ".join(words)
        k = text.find(needle)
        while k >= 0:
            e = k + len(needle)
            if (k == 0 or not text[k - 1].isalnum()) and (e == len(text) or not text[e].isalnum()):
                out.append((k, e))
            k = text.find(needle, k + 1)
    return out


def _campaign_before(text: str, start: int) -> bool:
    before = " ".join(text[max(0, start - 16):start].lower().split())
    return before.endswith(_CAMPAIGN_WORDS)


# capitalised words that open a sentence and never end a name
_OPENERS = {"không", "dù", "nhưng", "tuy", "nếu", "khi", "vì", "sau", "trước"}


def _mention(text: str, start: int, end: int, pi: int):
    words = text[start:end].split()
    # a sentence the crawl ran on, or a lower-case word, at the end: "Tomic | Không", "Nguyễn Thị O. | vốn"
    while len(words) > 1 and ((words[-1].islower() and words[-1] in _LEX_SYLL) or _key(words[-1]) in _OPENERS):
        words.pop()
    name = " ".join(words).strip(" .-")
    if not name:
        return None
    first = _key(name.split(" ")[0])
    vn = first in _SURNAMES or all(_key(x) in _LEX_SYLL for x in name.split(" "))
    return _Mention(name, True, vn, pi, start)


def _tagged_mentions(title: str, body: str, tokens, r: _RulePass, use_tagger: bool) -> list:
    """Person mentions the tagger (when use_tagger) and the line-up reader find in the
    paragraphs the rules read."""
    out = []
    by_para = _names_by_paragraph(r.mentions)
    for pi, text in _paragraph_texts(title, body, r.taken):
        spans = lineup_names(text)
        if use_tagger:
            words = [t for t in tokens[pi] if isinstance(t, str)]
            # Inside a line-up its own cuts between names win ("Ibrahimovic | Watford:").
            spans = spans + [(a, b) for a, b in tagger.person_spans(
                                 text, words, min_prob=MIN_PROB, rule_names=by_para.get(pi, ()))
                             if not any(a < y and x < b for x, y in spans) and not _campaign_before(text, a)]
            inside = _org_spans(text, r.org_words.get(pi, ()))
            spans = [(a, b) for a, b in spans if not any(x <= a and b <= y for x, y in inside)]
        for start, end in spans:
            m = _mention(text, start, end, pi)
            if m is not None and not _place_or_org_name(m.name):
                out.append(m)
    return out


def _place_or_org_name(name: str) -> bool:
    """A tagged name that is a known place ("Croatia", "Svay Rieng") or holds an organisation
    word ("Winship Cancer Institute"). One-word places that are given names too stay ("Đức")."""
    words = name.split(" ")
    keys = tuple(_key(w) for w in words)
    if keys in _PLACES and (len(keys) > 1 or keys[0] not in _GIVEN) and name not in ("Jordan",):
        return True
    return any(k in _FOREIGN_ORG_WORDS and k != "park" and w[:1].isupper() for k, w in zip(keys, words))
