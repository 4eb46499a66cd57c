"""The `timtin` command: reindex, search, serve."""
from __future__ import annotations

import os
import sys
import time

import click

from . import storage
from .corpus import CorpusNotFound
from .indexer import reindex as run_reindex

DEFAULT_CORPUS = "corpus"
DEFAULT_INDEX = "index"


def _index_option(f):
    return click.option("--index", "index_dir", envvar="TIMTIN_INDEX", default=DEFAULT_INDEX,
                        show_default=True, type=click.Path(file_okay=False),
                        help="Index folder (env TIMTIN_INDEX).")(f)


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
def reindex(corpus_paths, index_dir, full, workers):
    """Build or update the index from the corpus.

    Incremental by default: adds new articles, re-indexes changed ones and deletes
    vanished ones. The new index replaces the live one atomically when done.
    """
    if not corpus_paths:
        corpus_paths = os.environ.get("TIMTIN_CORPUS", DEFAULT_CORPUS).split(os.pathsep)
    progress = _Progress()
    try:
        summary = run_reindex(corpus_paths, index_dir, full=full, workers=workers,
                              progress=progress)
    except CorpusNotFound as e:
        raise click.UsageError(str(e)) from None
    except storage.ReindexRunning as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(2)
    except OSError as e:
        click.echo(f"Error: cannot write the index in {index_dir}: {e.strerror or e}; "
                   "the previous index is unchanged", err=True)
        sys.exit(1)
    progress.done()
    click.echo(summary.line(), err=True)


if __name__ == "__main__":
    main()
