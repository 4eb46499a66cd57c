"""``canonical_agency``: the one spelling of an organisation's name used as a facet value.

Decides the canonical form of a name as written: aliases of fixed names, abbreviations
expanded, ministries and heads in their canonical spelling, administrative levels in
lower case, "Mặt trận Tổ quốc Việt Nam", and the level of a bare province added
("Công an Hà Nội" -> "Công an thành phố Hà Nội"). The extractor returns values already
in this form.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..segment import sylabelize
from .lexicon import (_ALIAS, _HEAD_MAX, _HEADS, _LEVEL1, _LEVELS, _MIN_MAX, _MINISTRIES, _PROV,
                      _PROV_FIRST, _fix_tones, _key, _squash, _syll_split)
from .tokens import _build_para, _clean_input, _join, _match

_NO_INSERT = ("Bệnh viện", "Trường", "Đại học", "Học viện", "CLB", "Câu lạc bộ", "Công ty", "Tập đoàn",
              "Tổng công ty", "Ngân hàng", "Khách sạn", "Báo", "Đội tuyển", "Hiệp hội", "Liên hiệp",
              "Liên đoàn bóng đá", "Cao đẳng", "Quỹ", "Tiệm", "Hãng", "Khoa", "Nhà máy", "U1", "U2",
              "Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quận ủy", "Thị ủy", "Đảng ủy", "Tỉnh đoàn", "Thành đoàn")

# an age-group side: "U23 MU"
_U_SIDE = re.compile(r"U[.\-]?(\d\d) (.+)$")


@lru_cache(maxsize=100_000)
def canonical_agency(surface: str) -> str:
    """The canonical facet value of an organisation name as written:
    canonical_agency("UBND tỉnh Lâm Đồng") == "Ủy ban nhân dân tỉnh Lâm Đồng".
    The extractor returns values already in this form."""
    try:
        return _canonical(surface)
    except Exception:
        return (surface or "").strip() if isinstance(surface, str) else ""


def _canonical(surface: str) -> str:
    s = _clean_input(surface).replace("\n", " ").strip()
    if not s:
        return ""
    s = _fix_tones(s)
    al = _ALIAS.get(_squash(s))
    if al is not None:
        return al
    u = _U_SIDE.match(s)  # an age-group side of a known club: "U23 MU"
    if u and _ALIAS.get(_squash(u.group(2))) is not None:
        return f"U{u.group(1)} {_ALIAS[_squash(u.group(2))]}"
    p = _build_para(sylabelize(s))
    sy = list(p.text)
    while sy and not sy[0][0].isalnum():
        sy.pop(0)
    while sy and not sy[-1][0].isalnum() and sy[-1] != ")":
        sy.pop()
    if not sy:
        return ""
    for L in (3, 2, 1):  # "Phòng PC47" -> "Phòng Phòng Cảnh sát ...", "Công an huyện Công an huyện X"
        if len(sy) > 2 * L and sy[:L] == sy[L:2 * L] and sy[2 * L][0].isupper():
            del sy[:L]  # (not "Phòng Phòng chống ma túy")
            break
    # "HA. GL" -> "HA.GL"
    sy2: list[str] = []
    for x in sy:
        if sy2 and sy2[-1].endswith(".") and sy2[-1][:-1].isupper() and x.isupper() and len(sy2[-1]) > 2:
            sy2[-1] += x
        else:
            sy2.append(x)
    sy = sy2
    keys = [_key(x) for x in sy]
    out: list[str] = []
    i = 0
    n = len(sy)
    while i < n:
        out.append(sy[i])
        if keys[i] in ("bộ", "sở", "phòng") and i + 1 < n:
            m = _match(keys, i + 1, n, _MINISTRIES, _MIN_MAX)
            if m:
                out += _syll_split(m[1])
                i += 1 + m[0]
                continue
        i += 1
    sy = out
    keys = [_key(x) for x in sy]
    # a sub-unit and its parent are one name: "Trường Đại học Ngoại ngữ, Đại học Quốc gia Hà Nội"
    for i in range(len(sy) - 2, 0, -1):
        if sy[i] == "," and sy[i + 1][0].isupper() and _match(keys, i + 1, len(keys), _HEADS, _HEAD_MAX):
            del sy[i], keys[i]
    # Mặt trận Tổ quốc -> Mặt trận Tổ quốc Việt Nam
    for i in range(len(sy) - 3):
        if keys[i:i + 4] == ["mặt", "trận", "tổ", "quốc"]:
            if keys[i + 4:i + 6] != ["việt", "nam"]:
                sy[i + 4:i + 4] = ["Việt", "Nam"]
                keys[i + 4:i + 4] = ["việt", "nam"]
            break
    # the head in its canonical spelling and case
    m = _match(keys, 0, len(keys), _HEADS, _HEAD_MAX)
    if m:
        L, (_, _, canon) = m
        if canon[0] == "Câu":
            sy[:L] = ["CLB"]
            keys[:L] = ["clb"]
        else:
            sy[:L] = canon
        if keys[L:L + 2] == ["cảnh", "sát"]:
            sy[L] = "Cảnh"  # "Phòng cảnh sát hình sự" is "Phòng Cảnh sát hình sự"
    elif sy[0][0].islower():
        sy[0] = sy[0][0].upper() + sy[0][1:]
    # administrative levels in lower case before a place
    for i in range(1, len(sy) - 1):
        nxt = sy[i + 1]
        if keys[i] in _LEVEL1 and (nxt[0].isupper() or nxt[0].isdigit()):
            sy[i] = keys[i]
        elif i + 2 < len(sy) and (keys[i], keys[i + 1]) in _LEVELS and (sy[i + 2][0].isupper() or sy[i + 2][0].isdigit()):
            sy[i] = keys[i]
            sy[i + 1] = keys[i + 1]
    # a province after a state body without its level: "Công an Hà Nội" -> "... thành phố Hà Nội"
    text0 = " ".join(sy)
    if not text0.startswith(_NO_INSERT):
        for i in range(1, len(sy)):
            if keys[i] in _PROV_FIRST and sy[i][0].isupper():
                mm = _match(keys, i, len(keys), _PROV, 5)
                if mm and i + mm[0] == len(sy):
                    canon, level = mm[1]
                    prev = keys[i - 1]
                    if prev in ("tỉnh", "phố") or (prev in ("huyện", "quận", "xã", "phường", "trấn")):
                        if prev in ("tỉnh", "phố"):
                            sy[i - (2 if prev == "phố" else 1):] = level.split() + canon.split()
                        break
                    sy[i:] = level.split() + canon.split()
                    break
    # "Bệnh viện Chợ Rẫy thành phố Hồ Chí Minh" -> the place after a proper name goes
    res = _join(sy)
    al = _ALIAS.get(_squash(res))
    if al is not None:
        return al
    return res[0].upper() + res[1:]
