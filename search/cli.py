"""The `timtin` command: reindex, search, serve."""
from __future__ import annotations

import json
import os
import sys
import textwrap
import time
from html import unescape

import click

from . import storage
from .corpus import CorpusNotFound
from .engines import BadEngineURL, engine_url, kind, open_engine, whoosh_path
from .engines import reindex as run_reindex
from .request import SORTS, InvalidRequest, SearchRequest
from .sphinx.client import ClusterError
from .storage import IndexNotFound

DEFAULT_CORPUS = "corpus"
DEFAULT_INDEX = "index"


def _index_option(f):
    return click.option("--index", "index_dir", envvar="TIMTIN_INDEX", default=DEFAULT_INDEX,
                        show_default=True, type=click.Path(file_okay=False),
                        help="Index folder (env TIMTIN_INDEX).")(f)


def _engine_option(f):
    return click.option("--engine", "engine", envvar="TIMTIN_ENGINE", default=None,
                        help="whoosh:PATH (default: whoosh:INDEX) or sphinx://HOST:PORT, the head "
                             "of a cluster (env TIMTIN_ENGINE).")(f)


def _engine_url(engine: str | None, index_dir: str) -> str:
    try:
        return engine_url(engine, index_dir)
    except BadEngineURL as e:
        raise click.BadParameter(str(e), param_hint="--engine") from None


def _default_corpus() -> list[str]:
    """TIMTIN_CORPUS (paths separated by ':') or ./corpus; empty entries are ignored."""
    paths = [p for p in os.environ.get("TIMTIN_CORPUS", "").split(os.pathsep) if p.strip()]
    return paths or [DEFAULT_CORPUS]


@click.group()
def main():
    """timtin — tìm tin: full-text search for Vietnamese news."""


class _Progress:
    """A one-line progress counter on stderr, only when stderr is a terminal."""

    def __init__(self):
        self.enabled = sys.stderr.isatty()
        self.start = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int):
        now = time.monotonic()
        if self.enabled and now - self.last > 0.2:
            self.last = now
            rate = done / max(now - self.start, 1e-6)
            sys.stderr.write(f"\r  analysed {done} articles ({rate:.0f}/s)")
            sys.stderr.flush()

    def done(self):
        if self.enabled and self.last:
            sys.stderr.write("\n")


@main.command()
@click.option("--corpus", "corpus_paths", multiple=True, type=click.Path(),
              help="Corpus file or folder; repeatable (env TIMTIN_CORPUS; default ./corpus).")
@_index_option
@click.option("--full", is_flag=True, help="Rebuild from scratch instead of updating.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Segmentation processes (default: CPU count).")
@_engine_option
def reindex(corpus_paths, index_dir, full, workers, engine):
    """Build or update the index from the corpus.

    Incremental by default: adds new articles, re-indexes changed ones and deletes
    vanished ones. The new index replaces the live one atomically when done.
    """
    if not corpus_paths:
        corpus_paths = _default_corpus()
    url = _engine_url(engine, index_dir)
    progress = _Progress()
    try:
        summary = run_reindex(url, corpus_paths, full=full, workers=workers, progress=progress)
    except ClusterError as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(1)
    except CorpusNotFound as e:
        raise click.UsageError(str(e)) from None
    except storage.ReindexRunning as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(2)
    except OSError as e:
        click.echo(f"Error: cannot write the index in {index_dir}: {e.strerror or e}; "
                   "the previous index is unchanged", err=True)
        sys.exit(1)
    except RuntimeError as e:
        click.echo(f"Error: {e}\nThe previous index is unchanged.", err=True)
        sys.exit(1)
    progress.done()
    click.echo(summary.line(), err=True)


@main.command()
@click.argument("query", required=False, default="")
@click.option("--agency", multiple=True, help="Only articles naming this agency (repeatable).")
@click.option("--person", multiple=True, help="Only articles naming this person (repeatable).")
@click.option("--source", multiple=True, help="Only articles from this source (repeatable).")
@click.option("--from", "date_from", help="From this date: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--to", "date_to", help="Up to this date, inclusive.")
@click.option("--sort", type=click.Choice(SORTS), help="Default: relevance with a query, else oldest.")
@click.option("--page", default=1, show_default=True, help="Result page.")
@click.option("--per-page", default=10, show_default=True, help="Results per page (1-100).")
@click.option("--json", "as_json", is_flag=True, help="Print exactly the JSON of /api/search.")
@_index_option
@_engine_option
def search(query, agency, person, source, date_from, date_to, sort, page, per_page, as_json,
           index_dir, engine):
    """Search the index: top results and facets, or --json."""
    params = {"q": [query], "agency": list(agency), "person": list(person),
              "source": list(source), "date_from": [date_from] if date_from else [],
              "date_to": [date_to] if date_to else [], "sort": [sort] if sort else [],
              "page": [str(page)], "per_page": [str(per_page)]}
    try:
        req = SearchRequest.from_params(lambda name: params.get(name, []))
        result = open_engine(_engine_url(engine, index_dir)).search(req).to_dict()
    except InvalidRequest as e:
        raise click.UsageError(str(e)) from None
    except (IndexNotFound, ClusterError) as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_result(result, color=sys.stdout.isatty())


def _plain(html: str, color: bool) -> str:
    text = html.replace("<mark>", "\x1b[1m" if color else "").replace(
        "</mark>", "\x1b[0m" if color else "")
    return unescape(text)


def _print_result(result: dict, color: bool) -> None:
    first = (result["page"] - 1) * result["per_page"]
    click.echo(f"{result['total']} articles ({result['took_ms']:.0f} ms)"
               + (", some missing a word of the query" if result["relaxed"] else ""))
    if result["interpretation"]:
        click.echo(f"Kết quả cho: {result['interpretation']}")
    if result["suggestion"]:
        click.echo(f"Có phải bạn muốn tìm: {result['suggestion']}")
    for n, hit in enumerate(result["hits"], first + 1):
        meta = " · ".join(x for x in (hit["date"], hit["source"]) if x)
        click.echo(f"\n{n}. {_plain(hit['title_html'], color)}")
        if meta:
            click.echo(f"   {meta}   [{hit['id']}]")
        click.echo(textwrap.fill(_plain(hit["snippet_html"], color), width=100,
                                 initial_indent="   ", subsequent_indent="   "))
    for name, values in result["facets"].items():
        if values:
            shown = ", ".join(f"{v['value']} ({v['count']})" for v in values[:8])
            click.echo(f"\n{name}: {shown}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 to accept connections from other hosts.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Server processes (default: the CPU count).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Threads per process.")
@_index_option
@_engine_option
def serve(host, port, workers, threads, index_dir, engine):
    """Serve the web search and the JSON API with a production WSGI server (gunicorn),
    from several processes on one port.

    A reindex is picked up without a restart; a worker that dies is replaced."""
    from web.server import serve as run_server

    url = _engine_url(engine, index_dir)
    if kind(url) == "whoosh":
        index_dir = whoosh_path(url)
    if kind(url) == "whoosh" and storage.current_generation(index_dir) is None:
        corpus = _default_corpus()
        if all(os.path.exists(p) for p in corpus):
            click.echo(f"No index in {index_dir} yet: building it from {', '.join(corpus)} …", err=True)
            progress = _Progress()
            try:
                summary = run_reindex(url, corpus, progress=progress)
            except (storage.ReindexRunning, OSError) as e:
                click.echo(f"Warning: could not build the index: {e}", err=True)
            else:
                progress.done()
                click.echo(summary.line(), err=True)
        else:
            click.echo(f"Warning: no index in {index_dir} yet; run `timtin reindex`.", err=True)
    workers = workers or os.cpu_count() or 1
    click.echo(f"timtin: serving {url} on http://{host}:{port} "
               f"({workers} process{'es' if workers > 1 else ''} × {threads} threads)", err=True)
    run_server(url, host, port, workers, threads)


from .cluster_cli import cluster_config, cluster_local  # noqa: E402

main.add_command(cluster_config)
main.add_command(cluster_local)

if __name__ == "__main__":
    main()
