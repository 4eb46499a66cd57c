"""The naive indexer the index benchmark compares against: one process, pyvi
`ViTokenizer.tokenize` on title and body, Whoosh `add_document`, one commit.

    python bench/naive_index.py CORPUS.jsonl INDEX_DIR
"""
import sys
import time

from pyvi import ViTokenizer
from whoosh import fields, index
from whoosh.analysis import RegexTokenizer, LowercaseFilter

from common import read_jsonl


def main(corpus, index_dir):
    analyzer = RegexTokenizer(r"\w+") | LowercaseFilter()  # keeps "công_an" whole
    schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                           title=fields.TEXT(analyzer=analyzer, stored=True),
                           body=fields.TEXT(analyzer=analyzer, stored=True))
    ix = index.create_in(index_dir, schema)
    writer = ix.writer(limitmb=256)
    n = 0
    start = time.perf_counter()
    for a in read_jsonl(corpus):
        writer.add_document(id=a["id"], title=ViTokenizer.tokenize(a["title"]),
                            body=ViTokenizer.tokenize(a["body"]))
        n += 1
    writer.commit()
    print(f"{n} {time.perf_counter() - start:.2f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
