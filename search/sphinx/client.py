"""Talking SphinxQL to a cluster: connections, the shards behind the head, the meta table.

Sphinx speaks the MySQL protocol; pymysql is the client. A connection is not thread-safe,
so each thread keeps its own (a threading.local per Cluster).
"""
from __future__ import annotations

import threading
from urllib.parse import urlparse

import pymysql
import pymysql.constants.CLIENT

from ..storage import IndexNotFound
from .schema import META_TABLE, meta_id

CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 30.0


class ClusterError(IndexNotFound):
    """The cluster (its head or a shard) cannot be reached or refused a statement: like a
    missing index, the web layer answers 503 with the reason."""


def parse_url(url: str) -> tuple[str, int]:
    """sphinx://HOST:PORT → (HOST, PORT); ValueError with a readable message if not."""
    parsed = urlparse(url)
    if parsed.scheme != "sphinx" or not parsed.hostname or not parsed.port:
        raise ValueError(f"not a cluster URL: {url!r} (expected sphinx://HOST:PORT)")
    return parsed.hostname, parsed.port


def connect(host: str, port: int, read_timeout: float = READ_TIMEOUT):
    try:
        return pymysql.connect(host=host, port=port, autocommit=True, charset="utf8",
                               connect_timeout=CONNECT_TIMEOUT, read_timeout=read_timeout,
                               write_timeout=read_timeout,
                               client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
    except pymysql.MySQLError as e:
        raise ClusterError(f"cannot reach searchd at {host}:{port}: {e.args[-1]}") from None


def quote(value) -> str:
    """A SphinxQL literal: strings escaped as MySQL does, numbers as they are."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'").replace("\x00", "")
    return "'" + text.replace("\n", "\\n").replace("\r", "\\r") + "'"


def match_quote(text: str) -> str:
    """Text inside MATCH('...'): tokens only reach it, but be safe with quotes."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


class Cluster:
    """The head searchd of a cluster and, on demand, its shards."""

    def __init__(self, url: str):
        self.url = url
        self.host, self.port = parse_url(url)
        self._local = threading.local()

    def head(self):
        conn = getattr(self._local, "head", None)
        if conn is None or not conn.open:
            conn = self._local.head = connect(self.host, self.port)
        return conn

    def execute(self, sql: str, conn=None) -> list[tuple]:
        """Run one statement on the head (or conn); the rows of its first result set."""
        conn = conn or self.head()
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return list(cur.fetchall())
        except pymysql.MySQLError as e:
            if conn is getattr(self._local, "head", None):
                self._local.head = None  # reconnect next time
            raise ClusterError(f"{self.url}: {e.args[-1]}") from None

    def execute_sets(self, sql: str, retry: bool = True) -> tuple[list[list[tuple]], list[str]]:
        """A statement with several result sets (FACET), and the head's warnings (an agent
        down gives the others' results and a warning). A statement caught by a shard going
        down as it ran fails once: it is asked again, and then answered without the shard."""
        try:
            return self._execute_sets(sql)
        except ClusterError:
            if not retry:
                raise
            return self._execute_sets(sql)

    def _execute_sets(self, sql: str) -> tuple[list[list[tuple]], list[str]]:
        conn = self.head()
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                sets = [list(cur.fetchall())]
                while cur.nextset():
                    sets.append(list(cur.fetchall()))
                cur.execute("SHOW WARNINGS")
                warnings = [str(row[-1]) for row in cur.fetchall()]
                return sets, warnings
        except pymysql.MySQLError as e:
            self._local.head = None
            raise ClusterError(f"{self.url}: {e.args[-1]}") from None

    def shard_addresses(self) -> list[tuple[str, int]]:
        """The shards' SphinxQL addresses, in the order of the head's agents."""
        rows = self.execute("SHOW AGENT STATUS")
        out = []
        for name, value in rows:
            if name.startswith("ag_") and name.endswith("_hostname"):
                host, _, port = value.rpartition(":")
                out.append((int(name.split("_")[1]), host, int(port) - 1))
        if not out:
            raise ClusterError(f"{self.url} has no agents: is it the head of a cluster "
                               "(the searchd holding the distributed table)?")
        return [(host, port) for _, host, port in sorted(out)]

    def meta_value(self, kind: str, name: str) -> int | None:
        """A number kept in the head's meta table (rows are found by id: 2.2 compares
        string attributes only in expressions)."""
        rows = self.execute(f"SELECT num FROM {META_TABLE} WHERE id = {meta_id(kind, name)}")
        return int(rows[0][0]) if rows else None

    def set_meta(self, kind: str, name: str, value: str = "", num: int = 0) -> None:
        self.execute(f"REPLACE INTO {META_TABLE} (id, k, kind, name, value, num) VALUES "
                     f"({meta_id(kind, name)}, '', {quote(kind)}, {quote(name)}, "
                     f"{quote(value)}, {int(num)})")
