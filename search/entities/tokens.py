"""A paragraph as a stream of syllables (``_Para``), built from its pyvi tokens.

Decides how tokens become syllables: words glued by a crawler are split ("tâmTài"),
known abbreviations are expanded in place ("UBND" -> "Ủy ban nhân dân"), and each
syllable gets its key, its capitalisation and its pyvi word grouping. Also the small
helpers every rule uses on that stream (matching a table, word ends, sentence starts),
joining syllables back into text, and cleaning raw input.
"""
from __future__ import annotations

import re
import unicodedata
from itertools import groupby
from operator import itemgetter

from .lexicon import _ABBR, _ABBR_PREFIX, _FIXED_FIRST, _LEX_SYLL, _key

# Beyond these sizes the rest of an article is ignored (5 MB inputs must not hang).
_MAX_CHARS = 200_000

_SENT_END = {".", "!", "?", ":", "…", "...", '"', "“", "”", "'", "‘", "’", "(", "[", "-", "–",
             "—", "•", ";", "*", ">", "|", "/", "+"}
_VN_CHARS = set("ăâêôơưđàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


# --------------------------------------------------------------------------------------
# Syllable stream of a paragraph
# --------------------------------------------------------------------------------------

class _Para:
    """One paragraph as parallel lists: syllable text, key, capitalisation, and how the
    syllables group into pyvi words."""
    __slots__ = ("text", "key", "cap", "tokcap", "cont", "n")

    def __init__(self, text: list[str], key: list[str], cap: list[int], tokcap: list[bool],
                 cont: list[bool]):
        self.text = text
        self.n = len(text)
        self.key = key
        # cap: 1 = name-like (Title case or an initial), 2 = acronym (all caps), 0 = other
        self.cap = cap
        # tokcap[i]: every syllable of i's pyvi word is name-like
        self.tokcap = tokcap
        # cont[i]: syllable i is in the same pyvi word as syllable i - 1
        self.cont = cont


def _syllable_cap(s: str) -> int:
    return (2 if len(s) > 1 and s.isupper() else 1) if s[0].isupper() else 0


def _split_glued(s: str) -> list[str]:
    """Crawled text often loses the space around links: "tâmTài" -> "tâm" "Tài"."""
    if s[0].isupper() and s[1:].islower() and s.lower() not in _LEX_SYLL and any(c in _VN_CHARS for c in s.lower()):
        two = _split_lower_glued(s.lower(), any_tail=True)
        if len(two) == 2:
            return [s[:len(two[0])], two[1]]
    k = 0
    while k < len(s) and s[k].isupper():
        k += 1
    if 2 <= k < len(s) - 1 and s[k:].islower() and (
            s[k:] in _GLUE_TAILS or s[k:] in _LEX_SYLL and any(c in _VN_CHARS for c in s[k:])):
        return [s[:k], s[k:]]  # "ĐTchủ" -> "ĐT" "chủ"
    for k in range(2, len(s) - 1):
        if s[k].isupper() and s[k - 1].islower():
            a, b = s[:k], s[k:]
            if a.lower() in _LEX_SYLL and b.lower() in _LEX_SYLL and len(a) >= 2 and len(b) >= 2 \
                    and (any(c in _VN_CHARS for c in s.lower()) or len(a) >= 3):
                return [a] + _split_glued(b)
            return [s]
        if s[k].isupper() and s[k - 1].isupper() and k + 1 < len(s) and s[k + 1].islower():
            a, b = s[:k], s[k:]
            if len(a) >= 2 and b.lower() in _LEX_SYLL and any(c in _VN_CHARS for c in b.lower()):
                return [a] + _split_glued(b)
    return [s]


_GLUE_TAILS = {"tại", "cho", "đã", "là", "và", "của", "với", "được", "có", "không", "này", "để", "khi",
               "từ", "trong", "nghỉ", "rà", "đang", "sẽ", "bị", "các", "những", "một", "theo", "về", "ra",
               "vào", "năm", "ngày", "sau", "trước", "cùng", "như", "thì", "mà", "nên", "vì", "do", "tới", "đến"}


def _split_lower_glued(s: str, any_tail: bool = False) -> list[str]:
    """"chínhrà" -> "chính" "rà" (a syllable and a common word that lost the space between);
    with any_tail (after a capital: "Thơcông" -> "Thơ" "công") any syllable may follow."""
    for k in range(len(s) - 2, 1, -1):
        a, b = s[:k], s[k:]
        if a in _LEX_SYLL and (b in _GLUE_TAILS or (any_tail and b in _LEX_SYLL and len(b) >= 2)):
            return [a, b]
    return [s]


def _build_para(tokens: list[str]) -> _Para:
    """A paragraph's pyvi tokens (or syllables) as a _Para: glued words split, known
    abbreviations expanded ("TP." "HCM" -> "Thành phố Hồ Chí Minh")."""
    get = _TOKEN_INFO.get
    infos = [get(t) or _token_info(t) for t in tokens]
    if any(map(_GLUED, infos)):  # words glued by a crawler: split them first
        tokens = [x for t, e in zip(tokens, infos) for x in (_split_glued(t) if e[6] else (t,))]
        infos = [get(t) or _token_info(t) for t in tokens]
    if any(map(_ABBR_START, infos)):
        infos = _expand_abbreviations(tokens, infos)
    text: list[str] = []
    key: list[str] = []
    cap: list[int] = []
    tokcap: list[bool] = []
    cont: list[bool] = []
    for sylls, keys, caps, tokcaps, conts, _, _ in infos:
        text += sylls
        key += keys
        cap += caps
        tokcap += tokcaps
        cont += conts
    return _Para(text, key, cap, tokcap, cont)


def _expand_abbreviations(tokens: list[str], infos: list[tuple]) -> list[tuple]:
    """infos with each known abbreviation over up to 6 tokens ("TP." "HCM", "GD" "&" "ĐT")
    in place of its tokens."""
    out = []
    n = len(tokens)
    i = 0
    while i < n:
        if infos[i][5]:
            acc = ""
            best = None
            for j in range(i, min(n, i + 6)):
                acc += tokens[j].replace("_", "")
                if acc not in _ABBR_PREFIX:
                    break
                if acc in _ABBR:
                    best = (j, acc)
            if best is not None:
                out.append(_ABBR_INFO[best[1]])
                i = best[0] + 1
                continue
        out.append(infos[i])
        i += 1
    return out


def _group_info(sylls: list[str]) -> tuple:
    """What _build_para needs of syllables that form one pyvi word."""
    caps = [_syllable_cap(s) for s in sylls]
    return (sylls, [_key(s) for s in sylls], caps, [all(caps)] * len(sylls),
            [k > 0 for k in range(len(sylls))], False, False)


_ABBR_INFO = {k: _group_info(v) for k, v in _ABBR.items()}  # expansions, as one word

# What _build_para needs of a token, which depends on the token alone: its syllables,
# their keys, caps, tokcaps and conts (as in _Para), whether it may start an
# abbreviation, and whether it is words glued together.
_TOKEN_INFO: dict[str, tuple] = {}
_EMPTY_INFO = ([], [], [], [], [], False, False)
_ABBR_START, _GLUED = itemgetter(5), itemgetter(6)


def _token_info(t: str) -> tuple:
    if not t:
        return _EMPTY_INFO
    abbr = glued = False
    if t[0].isupper():
        abbr = t.replace("_", "") in _ABBR_PREFIX
        glued = (len(t) >= 4 and "_" not in t and not t.isupper() and not t.islower()
                 and len(_split_glued(t)) > 1)
    sylls, groups = [], []
    g = 0
    for s in (t.split("_") if "_" in t and len(t) > 1 else (t,)):
        if not s:
            continue
        if len(s) == 2 and s[1] == "." and s[0].isupper():
            # "S." -> "S" "." (an initial; the dot may close the sentence)
            sylls += (s[0], ".")
            groups += (g, g + 1)
            g += 1
            continue
        if len(s) >= 3 and s[-1] == "." and s[:-1].isupper() and s[:-1].isalpha() and not abbr \
                and s[:-1] not in _FIXED_FIRST:  # "SHB. Đà Nẵng" is a club
            # "ĐT." -> "ĐT" "." (pyvi keeps the full stop on an acronym ending a sentence)
            sylls += (s[:-1], ".")
            groups += (g, g + 1)
            g += 1
            continue
        if len(s) > 4 and not s.isupper() and (not s.islower() or (
                s not in _LEX_SYLL and any(c in _VN_CHARS for c in s))):
            parts = _split_glued(s) if not s.islower() else _split_lower_glued(s)
            if len(parts) > 1:
                for x in parts:
                    sylls.append(x)
                    groups.append(g)
                    g += 1
                continue
        sylls.append(s)
        groups.append(g)
    if g == 0:  # one pyvi word, as almost every token is
        entry = _group_info(sylls)
    else:
        caps = [_syllable_cap(s) for s in sylls]
        tokcaps = []
        for _, group in groupby(range(len(sylls)), key=groups.__getitem__):
            group = list(group)
            tokcaps += [all(caps[k] for k in group)] * len(group)
        conts = [k > 0 and groups[k] == groups[k - 1] for k in range(len(sylls))]
        entry = (sylls, [_key(s) for s in sylls], caps, tokcaps, conts)
    if len(_TOKEN_INFO) >= 200_000:
        _TOKEN_INFO.clear()
    entry = _TOKEN_INFO[t] = entry[:5] + (abbr, glued)
    return entry


def _is_caps_para(tokens: list[str]) -> bool:
    """An all-caps paragraph (headline, byline): its words carry no case information."""
    s = "".join(tokens)
    if not s.isupper() or len(s) < 8:
        return False
    return sum(1 for t in tokens if len(t) > 1 and t.isupper() and t.isalpha()) >= 3


def _sentence_start(p: _Para, i: int) -> bool:
    return i == 0 or p.text[i - 1] in _SENT_END


def _match(keys, i: int, n: int, table, maxlen: int):
    """Longest entry of `table` (tuples of keys) starting at i -> (length, value) or None."""
    for L in range(min(maxlen, n - i), 0, -1):
        v = table.get(tuple(keys[i:i + L]))
        if v is not None:
            return L, v
    return None


def _tok_end(p: _Para, i: int) -> int:
    j = i + 1
    while j < p.n and p.cont[j]:
        j += 1
    return j


def _join(parts: list[str]) -> str:
    out = ""
    for s in parts:
        if not out:
            out = s
        elif s in (",", ".", ")") or out.endswith(("(", "/")) or s == "/":
            out += s
        else:
            out += " " + s
    return out


def _clean_input(s) -> str:
    if s is None:
        return ""
    if not isinstance(s, str):
        s = str(s)
    if len(s) > _MAX_CHARS:
        s = s[:_MAX_CHARS]
        cut = max(s.rfind("\n"), s.rfind(". "))
        if cut > _MAX_CHARS // 2:
            s = s[:cut]
    s = unicodedata.normalize("NFC", s)
    s = re.sub(r"[\x00-\x09\x0b-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]", " ", s).replace("\xa0", " ")
    return s
