"""What an article becomes in a Sphinx / Manticore shard, and the tables of a cluster.

A cluster is N shard searchds, each holding one real-time table `shard`, and one head
searchd holding the distributed table `timtin` (its agents: the shards) and a small
real-time table `meta` (facet value names, the current generation, the vocabulary).

Text is analysed in Python exactly as for the Whoosh engine (analysis.py, segment.py) and
handed to Sphinx as tokens of [a-z0-9_] only, so its charset table never decides what a
word is: an ASCII syllable or word is its own token, any other ("công", "công_an") a hash
token "_" + base 36 of a 63-bit hash. Phrase queries on the tokens mean what they mean on
syllables.

Ports: a shard listens for SphinxQL (mysql41) on its port P and for agents (the Sphinx API
protocol, which the head speaks to its shards) on P + 1; the head on its SphinxQL port only.
The engine finds the shards from the head's agents (SHOW AGENT STATUS), each at its API
port - 1.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache

SHARD_TABLE = "shard"
DISTRIBUTED_TABLE = "timtin"
META_TABLE = "meta"

# Full-text fields, in the order of the table. _f: folded syllables; _s: syllables with
# their diacritics; _w: pyvi words; lead_f: the first LEAD syllables of the body, folded.
FIELDS = ("title_f", "body_f", "lead_f", "title_s", "body_s", "title_w", "body_w")
LEAD = 100
FIELD_WEIGHTS = {"title_f": 3, "body_f": 1, "lead_f": 1, "title_s": 3, "body_s": 1,
                 "title_w": 3, "body_w": 1}

# Attributes: (kind, name). Strings hold the article as stored (2.2 has no stored fields:
# string attributes live in each shard's memory; Manticore can keep them on disk).
ATTRIBUTES = (
    ("string", "aid"), ("string", "chash"), ("string", "title"), ("string", "body"),
    ("string", "url"), ("string", "author"), ("string", "source_name"), ("string", "category"),
    ("string", "date"), ("string", "agencies"), ("string", "persons"),
    ("uint", "gen"), ("uint", "has_date"), ("uint", "year"), ("uint", "month"),
    ("uint", "dstart"), ("uint", "dend"), ("bigint", "source_id"),
    ("multi_64", "agency_ids"), ("multi_64", "person_ids"),
)

META_ATTRIBUTES = (("string", "kind"), ("string", "name"), ("string", "value"), ("bigint", "num"))

# How often an engine reads the current generation, and how long a full rebuild keeps the
# old one after switching: searches that read the old number still find its rows.
REFRESH_SECONDS = 2.0
SWITCH_GRACE = REFRESH_SECONDS + 1.5

# Characters Sphinx sees: the tokens above.
CHARSET_TABLE = "0..9, a..z, _"

_ASCII_TOKEN = re.compile(r"[a-z0-9]{1,40}")


@lru_cache(maxsize=500_000)
def token(text: str) -> str:
    """The Sphinx token of a lower-case syllable or pyvi word ("công_an" for a word)."""
    if _ASCII_TOKEN.fullmatch(text):
        return text
    return "_" + _base36(hash63(text))


def hash63(text: str) -> int:
    """A stable positive 63-bit hash: document ids, facet value ids."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1 or 1


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = []
    while n:
        n, r = divmod(n, 36)
        out.append(digits[r])
    return "".join(reversed(out)) or "0"


def doc_id(article_id: str, gen: int) -> int:
    """A document's id in its shard: one per article and generation, so a full rebuild
    writes beside the live generation instead of over it."""
    return hash63(f"{gen}\x00{article_id}")


def shard_of(article_id: str, shards: int) -> int:
    """Which shard holds an article: a hash of its id, so an update replaces it in place."""
    return hash63(article_id) % shards


def value_id(facet: str, value: str) -> int:
    """A facet value's id in the multi-valued attributes."""
    return hash63(f"{facet}\x00{value}")


def meta_id(kind: str, name: str) -> int:
    """A row's id in the meta table."""
    return hash63(f"{kind}\x00{name}")
