"""Span annotation of persons and organisations: sample articles, turn mention lists into spans, merge.

    python bench/entities_annotate.py sample --out DIR          # the sample, in batches of 25
    python bench/entities_annotate.py check BATCH MENTIONS      # spans from an annotator's mention list
    python bench/entities_annotate.py sample-more --out DIR -n 100   # more, for the train split only
    python bench/entities_annotate.py merge MENTIONS... --sample-dir DIR... [--append]  # -> spans.jsonl

An annotator reads each article of a batch and writes one JSON line per article:

    {"id": "...", "mentions": [
        {"text": "Nguyễn Văn An", "label": "PER"},
        {"text": "An", "label": "PER", "canonical": "Nguyễn Văn An", "only": [1, 3]},
        {"text": "UBND tỉnh Lâm Đồng", "label": "ORG", "canonical": "Ủy ban nhân dân tỉnh Lâm Đồng"}]}

`check` finds every whole-word occurrence of each mention's text (case-sensitive) in the title, then
the body; `only` keeps just those occurrences (1-based, in that order). Where occurrences overlap, the
longest wins, so spans are flat. It prints each span in context, mentions not found, and a review aid:
runs of capitalised syllables that no span covers (to re-read; the aid makes no labels). The rules
are in tests/data/entities/GUIDELINES.md. No extractor of ours is run by this script.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "news.jsonl.gz"
OLD_DEV = ROOT / "tests" / "data" / "entities_dev.jsonl"
SPANS = ROOT / "tests" / "data" / "entities" / "spans.jsonl"

SEED = 20261202
BATCH = 25
# Strata, in the order an article is assigned to the first that matches (baomoi is the bulk).
STRATA = [
    ("baomoi", "sport", 40, r"\b(HLV|CLB|tiền đạo|tiền vệ|thủ môn|hậu vệ|đội hình|V\.League|ghi bàn)\b"),
    ("baomoi", "entertainment", 30, r"\b(ca sĩ|diễn viên|showbiz|bộ phim|người mẫu|hoa hậu|MV)\b"),
    ("baomoi", "world", 40, r"\b(Tổng thống|Ngoại trưởng|Thủ tướng [A-Z]|Điện Kremlin|Nhà Trắng|Liên Hợp Quốc)"),
    ("baomoi", "local government", 40, r"\b(UBND|HĐND|Ủy ban nhân dân|Huyện ủy|Tỉnh ủy|Công an (xã|huyện|tỉnh))\b"),
    ("baomoi", "any", 40, r""),
    ("unc", "any", 30, r""),
    ("crawlnews", "any", 30, r""),
    ("edunews", "any", 30, r""),
]
SPLITS = (("train", 0.6), ("dev", 0.2), ("test", 0.2))

_WORD = re.compile(r"\w", re.UNICODE)
_CAPRUN = re.compile(r"(?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ]\w*"
                     r"(?:[ \-](?=[A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ])|\w*)+)")


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path: Path, records) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


# ------------------------------------------------------------------ sample

def sample(out: Path) -> None:
    """The annotation sample: strata of the corpus, 300 <= len(body) <= 2500, titles unseen."""
    old = {d["id"] for d in read_jsonl(OLD_DEV)} if OLD_DEV.exists() else set()
    arts = [d for d in read_jsonl(CORPUS) if 300 <= len(d["body"]) <= 2500 and d["id"] not in old]
    rng = random.Random(SEED)
    rng.shuffle(arts)
    taken, titles, chosen = set(), set(), []
    for origin, stratum, quota, pattern in STRATA:
        rx = re.compile(pattern) if pattern else None
        n = 0
        for d in arts:
            if n >= quota:
                break
            if d["id"] in taken or d["title"] in titles or not d["id"].startswith(origin + "-"):
                continue
            if rx is not None and not rx.search(d["title"] + "\n" + d["body"]):
                continue
            taken.add(d["id"])
            titles.add(d["title"])
            chosen.append({"id": d["id"], "source": d["source"], "stratum": f"{origin}/{stratum}",
                           "title": d["title"], "body": d["body"]})
            n += 1
    # One split per article, fixed here once and never redrawn.
    order = list(range(len(chosen)))
    random.Random(SEED + 1).shuffle(order)
    bounds, acc = [], 0.0
    for name, frac in SPLITS:
        acc += frac
        bounds.append((name, round(acc * len(chosen))))
    for rank, i in enumerate(order):
        chosen[i]["split"] = next(name for name, b in bounds if rank < b)
    random.Random(SEED + 2).shuffle(chosen)  # batches mix strata
    _write_sample(out, chosen)
    print(f"{len(chosen)} articles in {(len(chosen) + BATCH - 1) // BATCH} batches under {out}")


def _write_sample(out: Path, chosen: list[dict]) -> None:
    """The batches annotators get (no split, no stratum) and sample.jsonl, which holds them."""
    out.mkdir(parents=True, exist_ok=True)
    for b in range(0, len(chosen), BATCH):
        batch = [{k: d[k] for k in ("id", "source", "title", "body")} for d in chosen[b:b + BATCH]]
        write_jsonl(out / f"batch_{b // BATCH:02d}.jsonl", batch)
    write_jsonl(out / "sample.jsonl", [{k: d[k] for k in ("id", "stratum", "split")} for d in chosen])


def sample_more(out: Path, n: int, seed: int) -> None:
    """n more articles for the train split only (the first sample's split stays as drawn):
    baomoi-weighted as the first, none of the first sample or the old dev set."""
    taken = {d["id"] for d in read_jsonl(SPANS)} if SPANS.exists() else set()
    taken |= {d["id"] for d in read_jsonl(OLD_DEV)} if OLD_DEV.exists() else set()
    arts = [d for d in read_jsonl(CORPUS) if 300 <= len(d["body"]) <= 2500 and d["id"] not in taken]
    random.Random(seed).shuffle(arts)
    quota = {"baomoi": round(n * 0.7), "unc": round(n * 0.1), "crawlnews": round(n * 0.1)}
    quota["edunews"] = n - sum(quota.values())
    chosen, titles = [], set()
    for d in arts:
        origin = d["id"].split("-")[0]
        if quota.get(origin, 0) > 0 and d["title"] not in titles:
            quota[origin] -= 1
            titles.add(d["title"])
            chosen.append({"id": d["id"], "source": d["source"], "stratum": f"{origin}/more",
                           "split": "train", "title": d["title"], "body": d["body"]})
    _write_sample(out, chosen)
    print(f"{len(chosen)} more train articles in {(len(chosen) + BATCH - 1) // BATCH} batches under {out}")


# ------------------------------------------------------------------ mentions -> spans

def _occurrences(text: str, needle: str):
    start = 0
    while True:
        i = text.find(needle, start)
        if i < 0:
            return
        j = i + len(needle)
        before = text[i - 1] if i > 0 else " "
        after = text[j] if j < len(text) else " "
        if not (_WORD.match(before) or _WORD.match(after)):
            yield i, j
        start = i + 1


def spans_of(article: dict, mentions: list[dict]) -> tuple[list[dict], list[str]]:
    """Flat spans for one article and the problems found (mention not found, bad fields)."""
    problems, cands = [], []
    for m in mentions:
        text, label = nfc(m.get("text", "")), m.get("label")
        if label not in ("PER", "ORG") or not text.strip():
            problems.append(f"bad mention {m!r}")
            continue
        occ = [("title", i, j) for i, j in _occurrences(nfc(article["title"]), text)]
        occ += [("body", i, j) for i, j in _occurrences(nfc(article["body"]), text)]
        if not occ:
            problems.append(f"NOT FOUND: {text!r}")
            continue
        only = m.get("only")
        if only:
            bad = [k for k in only if not 1 <= k <= len(occ)]
            if bad:
                problems.append(f"{text!r}: only {bad} out of range 1..{len(occ)}")
            occ = [o for k, o in enumerate(occ, 1) if k in only]
        canonical = nfc(m.get("canonical") or text).strip()
        for field, i, j in occ:
            cands.append({"field": field, "start": i, "end": j, "label": label,
                          "text": text, "canonical": canonical})
    # Longest first; a candidate that overlaps a kept span is dropped.
    cands.sort(key=lambda s: (-(s["end"] - s["start"]), s["field"] != "title", s["start"]))
    kept: list[dict] = []
    for s in cands:
        if any(k["field"] == s["field"] and k["start"] < s["end"] and s["start"] < k["end"] for k in kept):
            continue
        kept.append(s)
    kept.sort(key=lambda s: (s["field"] != "title", s["start"]))
    return kept, problems


def uncovered_caps(article: dict, spans: list[dict]) -> list[str]:
    out = []
    for field in ("title", "body"):
        text = nfc(article[field])
        covered = [(s["start"], s["end"]) for s in spans if s["field"] == field]
        for m in _CAPRUN.finditer(text):
            i, j = m.span()
            run = m.group().strip(" .-")
            if len(run) < 2 or any(a <= i < b or a < j <= b for a, b in covered):
                continue
            prev = text[:i].rstrip()
            sentence_start = not prev or prev[-1] in ".!?:\n\"“”'(–-"
            if sentence_start and " " not in run:
                continue
            out.append(run)
    return sorted(set(out))


def check(batch: Path, mentions_path: Path, show: bool = True) -> list[dict]:
    arts = {d["id"]: d for d in read_jsonl(batch)}
    recs, seen = [], set()
    for line_no, line in enumerate(open(mentions_path, encoding="utf-8"), 1):
        if not line.strip():
            continue
        try:
            m = json.loads(line)
        except json.JSONDecodeError as e:
            print(f"line {line_no}: not JSON ({e})")
            continue
        a = arts.get(m.get("id"))
        if a is None:
            print(f"line {line_no}: unknown id {m.get('id')!r}")
            continue
        seen.add(a["id"])
        spans, problems = spans_of(a, m.get("mentions", []))
        if show:
            print(f"=== {a['id']}  {a['title'][:80]}")
            for p in problems:
                print(f"  !! {p}")
            for s in spans:
                text = nfc(a[s["field"]])
                ctx = (text[max(0, s["start"] - 30):s["start"]] + "[" + text[s["start"]:s["end"]] + "]"
                       + text[s["end"]:s["end"] + 30]).replace("\n", " ")
                canon = "" if s["canonical"] == s["text"] else f"  -> {s['canonical']}"
                print(f"  {s['label']} {s['field'][0]}{s['start']:<5d} {ctx}{canon}")
            caps = uncovered_caps(a, spans)
            if caps:
                print(f"  review (capitalised, not in a span): {', '.join(caps)}")
        recs.append({**a, "spans": spans, "problems": problems})
    missing = sorted(set(arts) - seen)
    if missing:
        print(f"!! {len(missing)} articles of the batch have no line: {', '.join(missing)}")
    return recs


def merge(mention_files: list[Path], sample_dirs: list[Path], append: bool = False) -> None:
    """All batches' spans into SPANS: each mentions_NN.jsonl beside its batch_NN.jsonl and
    the sample.jsonl of its folder (which holds each article's split). With append, the
    articles already in SPANS are kept and the batches add to them (never replace one)."""
    meta = {d["id"]: d for sd in sample_dirs for d in read_jsonl(sd / "sample.jsonl")}
    out = read_jsonl(SPANS) if append and SPANS.exists() else []
    kept, n_problems = {r["id"] for r in out}, 0
    for mf in mention_files:
        batch = mf.parent / mf.name.replace("mentions_", "batch_")
        for r in check(batch, mf, show=False):
            if r["id"] in kept:
                sys.exit(f"{r['id']} is already in {SPANS}: a split is drawn once, never redrawn")
            n_problems += len(r.pop("problems"))
            r["split"] = meta[r["id"]]["split"]
            r["stratum"] = meta[r["id"]]["stratum"]
            out.append(r)
    out.sort(key=lambda r: r["id"])
    keys = ("id", "source", "split", "stratum", "title", "body", "spans")
    write_jsonl(SPANS, [{k: r[k] for k in keys} for r in out])
    by_split = {}
    for r in out:
        by_split[r["split"]] = by_split.get(r["split"], 0) + 1
    print(f"{len(out)} articles -> {SPANS} ({by_split}); {n_problems} problems left")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("check")
    c.add_argument("batch", type=Path)
    c.add_argument("mentions", type=Path)
    m = sub.add_parser("merge")
    m.add_argument("mentions", type=Path, nargs="+", help="mentions_NN.jsonl files (beside batch_NN.jsonl)")
    m.add_argument("--sample-dir", type=Path, action="append", required=True,
                   help="a folder of batches and its sample.jsonl (repeatable)")
    m.add_argument("--append", action="store_true",
                   help="keep the articles already in spans.jsonl and add these batches")
    more = sub.add_parser("sample-more")
    more.add_argument("--out", type=Path, required=True)
    more.add_argument("-n", type=int, default=100)
    more.add_argument("--seed", type=int, default=SEED + 10)
    a = ap.parse_args(argv)
    if a.cmd == "sample":
        sample(a.out)
    elif a.cmd == "sample-more":
        sample_more(a.out, a.n, a.seed)
    elif a.cmd == "check":
        check(a.batch, a.mentions)
    else:
        merge(a.mentions, a.sample_dir, a.append)


if __name__ == "__main__":
    sys.exit(main())
