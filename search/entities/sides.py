"""Sports sides: age-group sides ("U23 Việt Nam"), national sides ("đội tuyển Thái Lan",
"ĐT futsal Iraq"), clubs named with "FC" ("Sài Gòn FC"), and, in a sports story, a club or
side written as its place ("Hải Phòng thắng Nam Định 2-0", "trận gặp Jordan").

Each reader takes a paragraph and a position and returns (end, name syllables) or None.
"""
from __future__ import annotations

from .lexicon import _FOREIGN_ORG_WORDS, _FUNC, _PLACE_FIRST, _PLACE_MAX, _PLACES, _PLACES_D, _syll_split
from .org_names import _match_fixed
from .tokens import _match, _Para

# "U22 Đông Nam Á", "U20 châu Á" name a tournament, not a side
_REGIONS = {("đông", "nam", "á"), ("châu", "á"), ("châu", "âu"), ("châu", "phi"), ("châu", "mỹ"),
            ("thế", "giới"), ("quốc", "tế"), ("đông", "á"), ("tây", "á"), ("trung", "á"), ("nam", "á"),
            ("nam", "mỹ"), ("bắc", "mỹ"), ("trung", "đông")}


def _u_team(p: _Para, i: int):
    """Age-group sides: "U23 Việt Nam", "U.22 Việt Nam", "U-19 Việt Nam", "U21 MU"."""
    s = p.text[i]
    n = p.n
    num = None
    e = i + 1
    if len(s) in (3, 4) and s[0] == "U" and s[1:].isdigit():
        num = s[1:]
    elif s == "U" and i + 2 < n and p.text[i + 1] in (".", "-") and p.text[i + 2].isdigit():
        num = p.text[i + 2]
        e = i + 3
    elif s == "U." and i + 1 < n and p.text[i + 1].isdigit():
        num = p.text[i + 1]
        e = i + 2
    if num is None or not (2 <= len(num) <= 2) or e >= n or not p.cap[e]:
        return None
    f = _match_fixed(p, e)
    if f and f[1] not in ("FIFA", "AFC", "UEFA", "AFF"):  # "U20 FIFA": the organiser's tournament
        return e + f[0], ["U" + num] + _syll_split(f[1])
    if f:
        return None
    m = _match(p.key, e, n, {k: 1 for k in _PLACES if k[0] == p.key[e]}, _PLACE_MAX) if p.key[e] in _PLACE_FIRST else None
    if m and tuple(p.key[e:e + m[0]]) not in _REGIONS:
        return e + m[0], ["U" + num] + p.text[e:e + m[0]]
    return None


def _fc_club(p: _Para, i: int):
    """Clubs named with "FC": "Sài Gòn FC", "Gangwon FC", "FC Tokyo"."""
    n = p.n
    if p.text[i] == "FC":
        e = i + 1
        while e < n and e - i <= 3 and p.cap[e] == 1 and p.key[e] not in _FUNC:
            e += 1
        return (e, p.text[i:e]) if e > i + 1 else None
    if p.cap[i] != 1 or p.key[i] in _FUNC or (i > 0 and p.cap[i - 1] == 1 and p.key[i - 1] not in _FUNC):
        return None
    e = i + 1
    while e < n and e - i <= 3 and p.cap[e] == 1 and p.text[e] != "FC":
        e += 1
    if e < n and p.text[e] == "FC":
        return e + 1, p.text[i:e + 1]
    return None


# What may stand between "đội tuyển" and the country: "đội tuyển nữ Việt Nam", "ĐT futsal Iraq"
_TEAM_KINDS = sorted([("bóng", "đá", "nữ"), ("bóng", "chuyền", "nữ"), ("bóng", "chuyền"), ("bóng", "đá"),
                      ("futsal", "nữ"), ("futsal",), ("nữ",), ("trẻ",), ("quốc", "gia")],
                     key=len, reverse=True)


def _national_team(p: _Para, i: int):
    """National sides and football federations named by their country, as sports pages
    write them: "đội tuyển Thái Lan", "tuyển Việt Nam", "ĐT futsal Iraq", "LĐBĐ Malaysia"."""
    k, n = p.key, p.n
    if p.text[i] == "LĐBĐ":
        e, parts = i + 1, ["Liên", "đoàn", "Bóng", "đá"]
    elif k[i] == "đội" and i + 1 < n and k[i + 1] == "tuyển":
        e, parts = i + 2, ["Đội", "tuyển"]
    elif k[i] == "tuyển" or p.text[i] == "ĐT":
        e, parts = i + 1, ["Đội", "tuyển"]
    else:
        return None
    if parts[0] == "Đội":
        for kind in _TEAM_KINDS:
            if tuple(k[e:e + len(kind)]) == kind and all(p.cap[x] == 0 for x in range(e, e + len(kind))):
                parts = parts + p.text[e:e + len(kind)]
                e += len(kind)
                break
    if e < n and parts == ["Đội", "tuyển"] and p.text[e][0] == "U":
        return _u_team(p, e)  # "Đội tuyển U23 Việt Nam" is "U23 Việt Nam"
    if e >= n or p.cap[e] != 1 or k[e] not in _PLACE_FIRST:
        return None
    m = _match(k, e, n, _PLACES_D, _PLACE_MAX)
    # the place must end the name: "tuyển Việt Nam Airlines" is something else (but "đội
    # tuyển Đức Dietmar Hamann" is the side and a player)
    if m is None or (e + m[0] < n and p.cap[e + m[0]] == 1 and (
            p.text[e + m[0]].lower() in _FOREIGN_ORG_WORDS or k[i] != "đội")):
        return None
    return e + m[0], parts + p.text[e:e + m[0]]


# A sports story names its sides by their places: the words before and after a place that
# make it a side ("trận gặp Jordan", "Hải Phòng thắng Nam Định 2-0")
_SIDE_BEFORE = {"trước", "gặp", "thắng", "hòa", "hạ", "bại", "thua", "giữa", "vs", "dập", "bẹp", "nhà", "đội",
                "trán"}
_SIDE_AFTER = {"thắng", "hòa", "thua", "vs", "đánh", "vùi", "vượt", "dẫn", "gặp", "hạ", "đè", "cầm"}
_SPORT_WORDS = ("bóng đá", "cầu thủ", "HLV", "trận đấu", "bàn thắng", "tỷ số", "V-League", "World Cup",
                "vòng loại", "đội bóng", "sân cỏ", "futsal", "tiền đạo", "thủ môn", "ghi bàn", "hiệp 1")


def is_sports_story(text: str) -> bool:
    """Does the article read as a sports story (several football words)?"""
    return sum(1 for w in _SPORT_WORDS if w in text) >= 3


def _place_side(p: _Para, i: int, after_side: bool = False):
    """A place standing for a side in a sports story: "trận gặp Jordan", "giữa Bồ Đào Nha
    và Chile", "Nhật Bản dễ dàng vượt qua Afghanistan"; with after_side (a side ends just
    before "," or "và" at i - 1) the next of a list: "chạm trán Thái Lan, Việt Nam và UAE"."""
    n = p.n
    if not p.cap[i] or p.key[i] not in _PLACE_FIRST or (i > 0 and p.cap[i - 1] == 1):
        return None
    m = _match(p.key, i, n, _PLACES_D, _PLACE_MAX)
    if m is None or tuple(p.key[i:i + m[0]]) in _REGIONS:
        return None
    e = i + m[0]
    if e < n and p.cap[e] == 1:
        return None  # part of a longer name
    if i > 1 and p.key[i - 2:i] in (["thành", "phố"], ["thị", "xã"]) or (i > 0 and p.key[i - 1] in ("tỉnh", "huyện")):
        return None  # "CLB thành phố Hồ Chí Minh" is read at its head
    before = p.key[i - 1] if i > 0 else ""
    after = p.key[e] if e < n else ""
    side = (before in _SIDE_BEFORE or after in _SIDE_AFTER or (after_side and before in (",", "và"))
            or (e + 2 < n and p.text[e][0].isdigit() and p.text[e + 1] in ("-", "–") and p.text[e + 2][0].isdigit())
            or (before == "và" and i > 2 and p.key[i - 2] in ("thắng", "hòa", "thua")))
    if not side and before == "và":
        # "giữa Bồ Đào Nha và Chile": the side before "và" was taken on a cue
        j = i - 2
        while j >= 0 and p.cap[j] == 1:
            j -= 1
        side = j >= 0 and j < i - 2 and p.key[j] == "giữa"
    return (e, p.text[i:e]) if side else None
