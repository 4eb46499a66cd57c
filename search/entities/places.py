"""Places: administrative levels ("tỉnh", "thành phố"), place names after them, and the
article's province.

Decides where a place name starts and ends in a paragraph, whether a capitalised run is
a person rather than a place, and which province an article is about (counted over its
paragraphs), so that a bare "Công an tỉnh" can be completed.
"""
from __future__ import annotations

from .lexicon import _FUNC, _LEVEL1, _LEVELS, _PLACE_FIRST, _PLACE_MAX, _PLACES, _PROV, _PROV_FIRST, _SURNAMES, _key
from .tokens import _Para, _match, _tok_end

# --------------------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------------------

def _match_level(p: _Para, i: int):
    """An administrative level word at i -> (length, level) or None."""
    if i >= p.n:
        return None
    k = p.key[i]
    if k in _LEVEL1:
        return (1, k) if p.cap[i] != 2 else None
    if p.text[i] in ("P", "Q") and i + 2 < p.n and p.text[i + 1] == "." and (p.cap[i + 2] == 1 or p.text[i + 2].isdigit()):
        return 2, ("phường" if p.text[i] == "P" else "quận")  # "UBND P.Xuân Hương", "Công an Q.1"
    if i + 1 < p.n:
        lv = _LEVELS.get((k, p.key[i + 1]))
        if lv:
            return 2, lv
    return None


def _person_like_at(p: _Para, i: int) -> bool:
    """Does a person's name (surname + given names, 2+ syllables) start at i?"""
    if p.cap[i] != 1 or p.key[i] not in _SURNAMES:
        return False
    j = i
    while j < p.n and p.cap[j] == 1 and p.tokcap[j]:
        j += 1
    if j - i < 2:
        return False
    if _match(p.key, i, p.n, _PROV, 4) or tuple(p.key[i:j]) in _PLACES:
        return False
    return True


def _place_after(p: _Para, i: int, level: str | None = None):
    """A place name at i, after `level` ("tỉnh", "phường" ...): a province, a known place, or
    1-2 capitalised words, or a number -> its end index, or None."""
    n = p.n
    if i >= n:
        return None
    s = p.text[i]
    if s[0].isdigit():
        if len(s) <= 3 and s.isdigit():
            return i + 1
        return None
    if p.cap[i] != 1:
        return None
    m = _match(p.key, i, n, _PROV, 5)
    if m is None and p.key[i] in _PLACE_FIRST:
        m = _match(p.key, i, n, {k: 1 for k in _PLACES if k[0] == p.key[i]}, _PLACE_MAX)
    if m is not None:
        return i + m[0]
    j = _tok_end(p, i)
    if not all(p.cap[k] == 1 for k in range(i, j)):
        return None
    if level in ("tỉnh", "thành phố") and _person_like_at(p, i) and i + 2 < n and p.cap[i + 1] == 1 \
            and p.cap[i + 2] == 1:
        # "Chủ tịch UBND thành phố Nguyễn Đức Chung": a person, the city left implicit (wards
        # and streets are named after persons, "phường Lý Thái Tổ"; provinces are known)
        return None
    # a function word alone is no place ("xã Ba"), but one before another capitalised
    # syllable may begin one: "thị xã Ba Đồn", "huyện Ba Vì"
    if p.key[i] in _FUNC and j == i + 1 and not (
            j < n and p.cap[j] == 1 and p.tokcap[j] and p.key[j] not in _FUNC):
        return None
    # a second capitalised word: "Tam_Mỹ Tây", "Đắk Ha", "Đắk G'Long"
    while j < n and j - i < 4 and p.cap[j] == 1 and p.tokcap[j]:
        if p.key[j] in _FUNC or _person_like_at(p, j):
            break
        j2 = _tok_end(p, j)
        if j2 - i > 4:
            break
        j = j2
    return j


# --------------------------------------------------------------------------------------
# The article's province
# --------------------------------------------------------------------------------------

def _choose_province(prov_counts: dict, level: str | None):
    """The article's province for a bare body ("Công an tỉnh"), when it is unambiguous."""
    items = list(prov_counts.items())
    if level in ("tỉnh", "thành phố"):
        same = [(k, v) for k, v in items if k[1] == level]
        if same:
            items = same
    if not items:
        return None
    items.sort(key=lambda kv: -kv[1])
    if len(items) == 1 or items[0][1] >= 2 * items[1][1]:
        return items[0][0]
    return None


def _count_place(prov_counts: dict, level, place, w: int):
    if not place:
        return
    key = tuple(_key(s) for s in place)
    pv = _PROV.get(key)
    if pv is not None:
        if level in (None, "tỉnh", "thành phố"):
            prov_counts[pv] = prov_counts.get(pv, 0) + w
    elif level in ("tỉnh", "thành phố"):
        pv = (" ".join(place), level)
        prov_counts[pv] = prov_counts.get(pv, 0) + w


def _count_places(p: _Para, prov_counts: dict):
    keys = p.key
    for i in range(p.n):
        if p.cap[i] != 1 or keys[i] not in _PROV_FIRST:
            continue
        m = _match(keys, i, p.n, _PROV, 4)
        if m:
            w = 2 if i > 0 and keys[i - 1] in ("tỉnh", "phố") else 1
            prov_counts[m[1]] = prov_counts.get(m[1], 0) + w


# --------------------------------------------------------------------------------------
# The article's district, commune or ward
# --------------------------------------------------------------------------------------

LOCAL_LEVELS = ("huyện", "quận", "thị xã", "xã", "phường", "thị trấn")


def _count_local_places(p: _Para, local_counts: dict) -> None:
    """Count each "xã Tân Lộc", "huyện Bảo Lâm" … of a paragraph: (level, place) -> n."""
    for i in range(p.n):
        lv = _match_level(p, i)
        if lv and lv[1] in LOCAL_LEVELS:
            end = _place_after(p, i + lv[0], lv[1])
            if end is not None:
                key = (lv[1], " ".join(p.text[i + lv[0]:end]))
                local_counts[key] = local_counts.get(key, 0) + 1


def _choose_local(local_counts: dict, level: str) -> str | None:
    """The article's place of that level for a bare "Công an xã", when one stands out."""
    items = sorted(((k[1], v) for k, v in local_counts.items() if k[0] == level),
                   key=lambda kv: -kv[1])
    if items and (len(items) == 1 or items[0][1] >= 2 * items[1][1]):
        return items[0][0]
    return None
