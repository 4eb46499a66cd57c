"""Judged relevance of timtin's ranking, against a word-level BM25 peer (bench/fts5_peer.py).

    python bench/relevance_bench.py [report] [--index DIR] [--label NAME] [--per-query]
                                    [--runs-only [--runs A,B,...]]
    python bench/relevance_bench.py run --label LABEL [--index DIR] [--depth 20]
    python bench/relevance_bench.py run --peer [--label fts5] [--db PATH] [--depth 20]
    python bench/relevance_bench.py batches [--runs before,after,fts5] [--depth 20] [--size 60] [--out DIR]

Files, in bench/relevance/ (--dir DIR to use another folder):
  queries.jsonl   {"id", "query", "kind", "need", "split"} per line
  judgments.tsv   qid, article_id, grade (0, 1, 2), judge; a header line; a later line
                  overrides an earlier one for the same (qid, article_id)
  runs/LABEL.tsv  qid, rank, article_id: a ranker's top `depth` per query (`run`)

`run` searches every query with timtin's in-process engine (or the peer with --peer) and
saves the ranking. `search` is imported plainly, so PYTHONPATH can point at another copy of
the code (a "before" run). `batches` pools the top `depth` of the given runs per query, leaves
out the pairs already judged, and writes judging batches (bench/.cache/judge/batch_NN.jsonl)
that show no rank, score or ranker: pairs are grouped by query, and ordered within a query by
a hash of the article id. `report` (the default) searches timtin (current code) and the peer
live, or scores saved runs with --runs-only, and prints the measures below.

Measures, over the top 10 of each query:
  gain     2^grade - 1 (0, 1, 3); an unjudged article counts as grade 0
  DCG@10   sum of gain_i / log2(i + 1), i = 1..10 the rank
  IDCG@10  the DCG@10 of all the query's judged articles sorted by grade, best first
  nDCG@10  DCG@10 / IDCG@10; a query with no article graded > 0 scores 0 (and is warned of)
  P@10     the fraction of the top 10 graded 2 (fewer than 10 results: the rest count as 0)
  unjudged the number of articles in the top 10 without a judgment (summed over queries):
           where it is high, the measures are lower bounds; judge more
Averages are means over queries (overall, per split, per kind).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
import unicodedata
from pathlib import Path

from common import CACHE, ROOT, SHARED, read_jsonl

REL = ROOT / "bench" / "relevance"
INDEX = CACHE / "index-full"
JUDGE_OUT = CACHE / "judge"
K = 10
TEXT_CHARS = 2500
KINDS = ("name", "topic", "unaccented", "question", "name_topic")


def die(message: str):
    print(message, file=sys.stderr)
    sys.exit(2)


# -- files -------------------------------------------------------------------------

def load_queries(rel: Path) -> list[dict]:
    path = rel / "queries.jsonl"
    if not path.exists():
        die(f"no {path}")
    out, seen = [], set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        q = json.loads(line)
        missing = [k for k in ("id", "query", "kind", "split") if not q.get(k)]
        if missing or q["id"] in seen:
            die(f"{path}:{n}: " + (f"missing {', '.join(missing)}" if missing else f"duplicate id {q['id']}"))
        seen.add(q["id"])
        q["query"] = unicodedata.normalize("NFC", q["query"])  # as the web front end passes it
        out.append(q)
    return out


def load_judgments(rel: Path) -> dict[str, dict[str, int]]:
    """qid → article id → grade."""
    path = rel / "judgments.tsv"
    out: dict[str, dict[str, int]] = {}
    if not path.exists():
        return out
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fields = line.rstrip("\n").split("\t")
        if not line.strip() or fields[0] == "qid":
            continue
        if len(fields) < 3 or fields[2] not in ("0", "1", "2"):
            die(f"{path}:{n}: expected qid, article_id, grade 0/1/2, judge")
        out.setdefault(fields[0], {})[fields[1]] = int(fields[2])
    return out


def run_path(rel: Path, label: str) -> Path:
    return rel / "runs" / f"{label}.tsv"


def load_run(path: Path) -> dict[str, list[str]]:
    ranked: dict[str, list[tuple[int, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) == 3 and fields[0] != "qid":
            ranked.setdefault(fields[0], []).append((int(fields[1]), fields[2]))
    return {q: [a for _, a in sorted(pairs)] for q, pairs in ranked.items()}


def save_run(path: Path, ranked: dict[str, list[str]]):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("qid\trank\tarticle_id\n")
        for qid, ids in ranked.items():
            f.writelines(f"{qid}\t{rank}\t{a}\n" for rank, a in enumerate(ids, 1))
    tmp.replace(path)


# -- rankers: query text, depth → article ids, best first --------------------------

def timtin_ranker(index: Path, engine_url: str | None = None):
    try:
        from search.engines import open_engine
    except ModuleNotFoundError as e:
        if e.name != "search":
            raise
        sys.path.append(str(ROOT))  # not installed: this checkout, after anything on PYTHONPATH
        from search.engines import open_engine
    from search.request import SearchRequest
    hint = (f"to build it, from {ROOT}:\n  timtin reindex --corpus ../shared/corpus/news.jsonl.gz "
            f"--index {index} --full")
    if not engine_url and not (Path(index) / "CURRENT").is_file():
        die(f"no timtin index in {index}\n{hint}")
    url = engine_url or f"whoosh:{index}"
    engine = open_engine(url)
    # Which copy of the code ran: the point of a "before" run.
    print(f"timtin: {sys.modules[type(engine).__module__].__file__}, {url}", file=sys.stderr)

    def rank(query: str, depth: int) -> list[str]:
        per_page, ids = min(depth, 100), []  # per_page is at most 100: page through deeper runs
        while len(ids) < depth:
            try:
                hits = engine.search(SearchRequest(q=query, page=len(ids) // per_page + 1, per_page=per_page)).hits
            except FileNotFoundError as e:  # no index, or one built by another version
                die(f"{e}\n{hint}")
            ids += [h["id"] for h in hits]
            if len(hits) < per_page:
                break
        return ids[:depth]
    return rank


def peer_ranker(db: Path):
    import fts5_peer
    if not Path(db).is_file():
        die(f"no FTS5 peer database {db}; build it with:\n  python bench/fts5_peer.py build --db {db}")
    return lambda query, depth: fts5_peer.search(query, depth, db)


def run_all(rank, queries: list[dict], depth: int) -> dict[str, list[str]]:
    return {q["id"]: rank(q["query"], depth) for q in queries}


# -- scoring -------------------------------------------------------------------------

def dcg(grades) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def score(ids: list[str], judged: dict[str, int]) -> dict:
    top = ids[:K]
    ideal = dcg(sorted(judged.values(), reverse=True)[:K])
    return {"ndcg": dcg(judged.get(a, 0) for a in top) / ideal if ideal else 0.0,
            "p": sum(judged.get(a) == 2 for a in top) / K,
            "unjudged": sum(a not in judged for a in top)}


def report(queries, judgments, ranked: dict[str, dict[str, list[str]]], per_query: bool):
    """ranked: ranker name → qid → ids. Prints the table of means."""
    names = list(ranked)
    scores = {n: {q["id"]: score(ranked[n].get(q["id"], []), judgments.get(q["id"], {}))
                  for q in queries} for n in names}
    n_judged = sum(map(len, judgments.values()))
    print(f"{len(queries)} queries, {n_judged} judgments\n")
    kinds = [k for k in KINDS if any(q["kind"] == k for q in queries)]
    kinds += sorted({q["kind"] for q in queries} - set(kinds))
    groups = [("all", queries)]
    groups += [(f"split={s}", [q for q in queries if q["split"] == s])
               for s in sorted({q["split"] for q in queries})]
    groups += [(f"kind={k}", [q for q in queries if q["kind"] == k]) for k in kinds]
    width = 24
    print(f"{'':18}{'':>4}  " + "".join(f"{n:<{width}}" for n in names))
    print(f"{'group':18}{'n':>4}  " + "".join(f"{'nDCG@10':>8}{'P@10':>7}{'unj':>6}   " for _ in names))
    for label, qs in groups:
        cells = ""
        for n in names:
            s = [scores[n][q["id"]] for q in qs]
            cells += (f"{sum(x['ndcg'] for x in s) / len(s):8.3f}{sum(x['p'] for x in s) / len(s):7.3f}"
                      f"{sum(x['unjudged'] for x in s):6d}   ")
        print(f"{label:18}{len(qs):4}  {cells}")
    if per_query:
        print(f"\n{'qid':8}{'kind':12}{'split':6}" + "".join(f"{n[:10]:>11}" for n in names) + "  query")
        for q in queries:
            print(f"{q['id']:8}{q['kind']:12}{q['split']:6}"
                  + "".join(f"{scores[n][q['id']]['ndcg']:11.3f}" for n in names) + f"  {q['query']}")
    for q in queries:
        if not any(g > 0 for g in judgments.get(q["id"], {}).values()):
            print(f"warning: {q['id']} ({q['query']}) has no article graded > 0: nDCG@10 = 0", file=sys.stderr)


# -- judging batches -----------------------------------------------------------------

def cut(body: str, limit: int = TEXT_CHARS) -> str:
    """body cut to about limit characters: at the end of a line in the second half, else
    (most bodies are one long paragraph) at the end of a sentence, else at a space; with a
    mark that the text goes on."""
    if len(body) <= limit:
        return body
    head = body[:limit]
    for sep, keep in (("\n", 0), (". ", 1), (" ", 0)):
        end = head.rfind(sep)
        if end > limit // 2:
            head = head[:end + keep]
            break
    return head.rstrip() + " […]"


def write_batches(queries, judgments, runs: dict[str, dict[str, list[str]]], depth: int,
                  size: int, corpus: Path, out: Path):
    pool: dict[str, list[str]] = {}
    for q in queries:
        ids = {a for run in runs.values() for a in run.get(q["id"], [])[:depth]}
        ids -= set(judgments.get(q["id"], {}))
        # An order that reveals no ranker, and stays the same for the same pool.
        pool[q["id"]] = sorted(ids, key=lambda a: hashlib.sha1(a.encode()).hexdigest())
    wanted = {a for ids in pool.values() for a in ids}
    articles = {r["id"]: r for r in read_jsonl(corpus) if r["id"] in wanted}
    if wanted - set(articles):
        die(f"{len(wanted - set(articles))} pooled articles are not in {corpus}, e.g. {sorted(wanted - set(articles))[0]}")

    # Whole queries per batch where they fit, so a judge sees one query's pool together.
    batches: list[list[tuple[dict, str]]] = [[]]
    for q in queries:
        pairs = [(q, a) for a in pool[q["id"]]]
        if pairs and len(batches[-1]) + len(pairs) > size and len(pairs) <= size:
            batches.append([])
        for pair in pairs:
            if len(batches[-1]) == size:
                batches.append([])
            batches[-1].append(pair)
    batches = [b for b in batches if b]

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("batch_*.jsonl"):  # a previous pool's batches would mix with these
        old.unlink()
    for n, batch in enumerate(batches, 1):
        with open(out / f"batch_{n:02d}.jsonl", "w", encoding="utf-8") as f:
            for q, a in batch:
                art = articles[a]
                f.write(json.dumps({"qid": q["id"], "query": q["query"], "need": q.get("need", ""),
                                    "article_id": a, "title": art["title"], "date": art.get("date"),
                                    "source": art.get("source"), "text": cut(art["body"])},
                                   ensure_ascii=False) + "\n")
    n_pairs = sum(map(len, pool.values()))
    print(f"{n_pairs} pairs to judge ({sum(1 for v in pool.values() if v)} queries, "
          f"{sum(map(len, judgments.values()))} judgments on file) in {len(batches)} batches of "
          f"at most {size}: {out}/batch_*.jsonl")


# -- command line ---------------------------------------------------------------------

def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in ("run", "batches", "report", "-h", "--help"):
        argv = ["report", *argv]
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", type=Path, default=REL, help="folder of queries.jsonl, judgments.tsv, runs/")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", parents=[common], help="save a ranker's top DEPTH per query to runs/LABEL.tsv")
    r.add_argument("--label", help="the run's name (default with --peer: fts5)")
    r.add_argument("--peer", action="store_true", help="run the FTS5 peer instead of timtin")
    r.add_argument("--depth", type=int, default=20)
    b = sub.add_parser("batches", parents=[common], help="write judging batches of the unjudged pooled pairs")
    b.add_argument("--runs", default="before,after,fts5", help="comma-separated run labels")
    b.add_argument("--depth", type=int, default=20)
    b.add_argument("--size", type=int, default=60)
    b.add_argument("--out", type=Path, default=JUDGE_OUT)
    b.add_argument("--corpus", type=Path, default=SHARED)
    rep = sub.add_parser("report", parents=[common], help="nDCG@10, P@10 of timtin and the peer (the default)")
    rep.add_argument("--label", default="timtin", help="the name shown for timtin")
    rep.add_argument("--per-query", action="store_true")
    rep.add_argument("--runs-only", action="store_true", help="score saved runs instead of searching")
    rep.add_argument("--runs", help="with --runs-only: comma-separated labels (default: all saved runs)")
    for s in (r, rep):
        s.add_argument("--index", type=Path, default=INDEX, help=f"timtin index (default {INDEX})")
        s.add_argument("--engine", help="an engine URL instead of --index (sphinx://HOST:PORT: a cluster)")
        s.add_argument("--db", type=Path, default=CACHE / "fts5_peer.sqlite", help="FTS5 peer database")
    args = p.parse_args(argv)

    queries = load_queries(args.dir)
    if args.cmd == "run":
        label = args.label or ("fts5" if args.peer else None)
        if not label:
            die("run: --label is required (or --peer)")
        rank = peer_ranker(args.db) if args.peer else timtin_ranker(args.index, args.engine)
        started = time.perf_counter()
        ranked = run_all(rank, queries, args.depth)
        save_run(run_path(args.dir, label), ranked)
        print(f"{run_path(args.dir, label)}: {len(ranked)} queries, top {args.depth}, "
              f"{time.perf_counter() - started:.1f} s")
        return 0

    judgments = load_judgments(args.dir)
    if args.cmd == "batches" or args.runs_only:
        if args.cmd == "report" and not args.runs:
            labels = sorted(p.stem for p in (args.dir / "runs").glob("*.tsv"))
        else:
            labels = [s.strip() for s in args.runs.split(",") if s.strip()]
        missing = [str(run_path(args.dir, l)) for l in labels if not run_path(args.dir, l).is_file()]
        if missing or not labels:
            die(f"no run file {', '.join(missing) or 'in ' + str(args.dir / 'runs')}; "
                "make it with `python bench/relevance_bench.py run --label LABEL`")
        runs = {l: load_run(run_path(args.dir, l)) for l in labels}
        for l, run in runs.items():  # an empty result, or a run saved before a query was added
            if lacking := [q["id"] for q in queries if q["id"] not in run]:
                print(f"warning: run {l} has no result for {', '.join(lacking)}", file=sys.stderr)
        if args.cmd == "batches":
            write_batches(queries, judgments, runs, args.depth, args.size, args.corpus, args.out)
        else:
            report(queries, judgments, runs, args.per_query)
        return 0

    rankers = {args.label: timtin_ranker(args.index, args.engine), "fts5": peer_ranker(args.db)}
    ranked = {name: run_all(rank, queries, K) for name, rank in rankers.items()}
    report(queries, judgments, ranked, args.per_query)
    return 0


if __name__ == "__main__":
    sys.exit(main())
