"""What the whole corpus says about a capitalised name: the words written around it.

A name alone often does not say what it is: "Lương Văn Can" is a man and a street,
"Hòa Bình" a given name and a province, "Hazard" a footballer with no title before him in
this article. Over tens of thousands of articles the same name is mostly written after
the same kind of word: "ông", "HLV", "tiền vệ" (a person), "đường", "phố" (a street),
"tỉnh", "tại" (a place), "công ty", "CLB" (an organisation), "xe", "phim" (a thing).
This module counts, for each maximal run of capitalised tokens in an unannotated corpus
and for each token of such runs, which kind of word stood before it, and whether a speech
verb, an age or a football verb followed; the tagger reads the shares as features
(search/entities/tagger.py).

    python -m search.entities.contexts [--corpus news.jsonl.gz] [--out search/data/name_contexts.tsv.gz]

Articles in the span annotations (any split) are left out of the counts, so no annotated
article, dev and test included, informs its own features.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from .lexicon import _DATA_DIR, _PLACE_HEADS, _TITLES, _key, _keys

DATA = _DATA_DIR / "name_contexts.tsv.gz"
KINDS = ("per", "street", "place", "org", "thing")
AFTER = ("say", "age", "play")  # kinds of the words after a name
MIN_COUNT = 3  # names seen fewer times carry no reliable share

_STREET = {("đường",), ("phố",), ("ngõ",), ("ngách",), ("hẻm",), ("kiệt",), ("đại", "lộ"),
           ("quốc", "lộ"), ("tỉnh", "lộ"), ("số", "nhà")}
# Head words of things that are not persons and rarely agencies (place_heads.txt mixes them
# with places: they are sorted out here).
_THING = {_keys(w) for w in (
    "xe", "mẫu xe", "dòng", "thương hiệu", "nhãn hiệu", "sản phẩm", "phim", "bộ phim",
    "ca khúc", "bài hát", "album", "tác phẩm", "cuốn", "tiểu thuyết", "sách", "ứng dụng",
    "phần mềm", "giải", "cúp", "tàu", "máy bay", "tên lửa", "chương trình", "lễ hội",
    "chiến dịch", "bão", "cơn bão", "dự án", "game", "trò chơi", "điện thoại", "phiên bản",
    "chiếc", "gói", "mạng xã hội", "website", "trang", "kênh", "tài khoản", "luật",
    "dự luật", "giống", "món", "thuốc", "vaccine", "vắc xin")}
_ORG = {_keys(w) for w in (
    "công ty", "tập đoàn", "hãng", "clb", "câu lạc bộ", "đội", "đội bóng", "ngân hàng",
    "báo", "tờ", "đài", "tạp chí", "hãng tin", "tổ chức", "liên đoàn", "hiệp hội", "hội",
    "trường", "đại học", "bệnh viện", "viện", "bộ", "sở", "ủy ban", "ban", "cơ quan",
    "tổng công ty", "doanh nghiệp", "nhóm", "đảng", "lực lượng", "quân đội", "hãng hàng không",
    "nhà mạng", "thương hiệu thời trang", "ctcp", "cty", "công ty cổ phần", "tnhh")}
_PLACE = {k for k in _PLACE_HEADS if k not in _STREET and k not in _THING and k not in _ORG}
_PER = set(_TITLES) | {_keys(w) for w in (
    "tiền vệ", "tiền đạo", "hậu vệ", "thủ môn", "cầu thủ", "trung vệ", "hlv", "huấn luyện viên",
    "ngôi sao", "danh thủ", "tay vợt", "võ sĩ", "vận động viên", "vđv", "ca sĩ", "diễn viên",
    "nghệ sĩ", "rapper", "người mẫu", "hoa hậu", "á hậu", "nhà văn", "nhà thơ", "đạo diễn",
    "nhạc sĩ", "tỷ phú", "vợ", "chồng", "bạn gái", "bạn trai", "mc", "tài tử", "cựu")}
_CUES: dict[tuple, str] = {}
for _kind, _set in (("place", _PLACE), ("thing", _THING), ("org", _ORG), ("street", _STREET),
                    ("per", _PER)):
    for _k in _set:
        _CUES[_k] = _kind  # later kinds win: a title is a person cue even if it is a place word
_CUE_MAX = max(len(k) for k in _CUES)
_AFTER: dict[tuple, str] = {}
for _kind, _words in (
        ("say", ("cho biết", "nói", "chia sẻ", "khẳng định", "cho rằng", "nhấn mạnh", "tiết lộ",
                 "thừa nhận", "bày tỏ", "giải thích", "phát biểu", "trả lời", "kể", "tâm sự")),
        ("age", ("tuổi", "sinh năm", "sn")),
        ("play", ("ghi bàn", "lập công", "sút", "đánh đầu", "kiến tạo", "chuyền", "vào sân",
                  "rời sân", "nhận thẻ", "đá phạt", "bắt bóng", "cứu thua", "lập cú đúp"))):
    for _w in _words:
        _AFTER[_keys(_w)] = _kind
_AFTER_MAX = max(len(k) for k in _AFTER)


def _capital(form: str) -> bool:
    return form[:1].isupper()


def capital_runs(forms: list[str], keys: list[str]):
    """(start, end, kind) of each maximal run of capitalised tokens, kind the class of the
    words just before it ("per", "street", ... , "other", or "start" at a sentence's
    start). A run that opens with a cue ("Ông Nguyễn Văn A", "Tỉnh Hòa Bình") starts after
    the cue."""
    n = len(forms)
    i = 0
    while i < n:
        if not _capital(forms[i]):
            i += 1
            continue
        j = i
        while j < n and _capital(forms[j]):
            j += 1
        start, kind = i, None
        for L in range(min(_CUE_MAX, j - i - 1), 0, -1):  # a capitalised cue inside the run
            k = _CUES.get(tuple(keys[i:i + L]))
            if k:
                start, kind = i + L, k
                break
        if kind is None:
            kind = _cue_before(forms, keys, i)
        yield start, j, kind
        i = j


def _cue_before(forms, keys, i) -> str:
    if i == 0 or not forms[i - 1][:1].isalnum():
        return "start"
    for L in range(min(_CUE_MAX, i), 0, -1):
        k = _CUES.get(tuple(keys[i - L:i]))
        if k and (L == i or not _capital(forms[i - L])):
            return k
    return "other"


def _cue_after(keys, j) -> str | None:
    if j < len(keys) and keys[j] in ("(", ","):
        j += 1  # "X (32 tuổi)", "X, sinh năm 1990"
    for L in range(min(_AFTER_MAX, len(keys) - j), 0, -1):
        k = _AFTER.get(tuple(keys[j:j + L]))
        if k:
            return k
    return None


def count(texts):
    """Counters of cue kinds by run key ("r" + key) and by token key ("t" + key)."""
    from .tagger import tokens_of  # the tagger's own tokens, so the keys match at tagging
    stats: dict[str, Counter] = defaultdict(Counter)
    for text in texts:
        for para in text.split("\n"):
            spans = tokens_of(para)
            forms = [para[a:b] for a, b in spans]
            keys = [_key(f) for f in forms]
            for a, b, kind in capital_runs(forms, keys):
                if a >= b:
                    continue
                after = _cue_after(keys, b)
                for name in ["r" + " ".join(keys[a:b])] + ["t" + k for k in set(keys[a:b])]:
                    stats[name][kind] += 1
                    if after:
                        stats[name][after] += 1
    return stats


def write(stats, out: Path) -> int:
    """The counters of names seen at least MIN_COUNT times, as a gzip'd TSV."""
    cols = KINDS + ("start", "other") + AFTER
    rows = sorted((k, c) for k, c in stats.items() if sum(c.values()) >= MIN_COUNT)
    # mtime=0: the same counts give the same bytes
    with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(("key\t" + "\t".join(cols) + "\n").encode())
        for k, c in rows:
            gz.write((k + "\t" + "\t".join(str(c[x]) for x in cols) + "\n").encode())
    return len(rows)


@lru_cache(maxsize=1)
def table() -> dict[str, tuple[int, ...]]:
    """key -> counts (KINDS, then start, other, then AFTER); empty when the file is missing."""
    try:
        with gzip.open(DATA, "rt", encoding="utf-8") as f:
            next(f)
            return {k: tuple(map(int, rest)) for k, *rest in (line.rstrip("\n").split("\t") for line in f)}
    except OSError:
        return {}


def _bucket(x: float) -> str:
    return "9" if x >= 0.9 else "6" if x >= 0.6 else "3" if x >= 0.3 else "1"


@lru_cache(maxsize=200_000)
def context_features(prefix: str, key: str) -> tuple[str, ...]:
    """Bucketed shares of each cue kind before the name key (prefix "r": a run, "t": a
    token), and how often the name occurs at all."""
    c = table().get(prefix + key)
    if c is None:
        return (prefix + "ctx=none",)
    before, after = c[:len(KINDS) + 2], c[len(KINDS) + 2:]
    n = sum(before)
    cued = sum(c[:len(KINDS)])
    out = [f"{prefix}n={min(4, len(str(n)))}"]
    if cued >= MIN_COUNT:
        out += [f"{prefix}{kind}={_bucket(v / cued)}" for kind, v in zip(KINDS, c) if v / cued >= 0.1]
    else:
        out.append(prefix + "ctx=uncued")
    out += [f"{prefix}{kind}={_bucket(min(1.0, 5 * v / n))}" for kind, v in zip(AFTER, after) if v / n >= 0.02]
    return tuple(out)


def main(argv=None) -> int:
    root = _DATA_DIR.parent.parent
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=root.parent / "shared" / "corpus" / "news.jsonl.gz")
    ap.add_argument("--spans", type=Path, default=root / "tests" / "data" / "entities" / "spans.jsonl")
    ap.add_argument("--out", type=Path, default=DATA)
    a = ap.parse_args(argv)
    with open(a.spans, encoding="utf-8") as f:
        exclude = {json.loads(line)["id"] for line in f if line.strip()}

    def texts():
        with gzip.open(a.corpus, "rt", encoding="utf-8") as f:
            for i, line in enumerate(f):
                d = json.loads(line)
                if d["id"] not in exclude:
                    yield d["title"] + "\n" + d["body"]
                if i % 5000 == 0:
                    print(f"  {i} articles", file=sys.stderr)

    n = write(count(texts()), a.out)
    print(f"{n} names written to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
