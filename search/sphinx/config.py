"""searchd configuration files for a cluster: one per shard and one for the head.

    cluster_config(2, Path("cluster"))  ->  [cluster/shard0.conf, cluster/shard1.conf,
                                             cluster/head.conf]

Each file is complete (an index section and a searchd section) and is started on its own:
`searchd --config shardK.conf`. Ports follow schema.py: shard K listens for SphinxQL on
its port P and for the head's agent queries (Sphinx API) on P + 1; the head listens for
SphinxQL only. Defaults: shards on 127.0.0.1:9312, 9314, 9316, ... (with 9313, 9315, ...),
the head on 127.0.0.1:9306.

Written for Sphinx 2.2.11 (Debian's sphinxsearch); Manticore Search reads the same files.
"""
from __future__ import annotations

import os
from pathlib import Path

from .schema import (ATTRIBUTES, CHARSET_TABLE, DISTRIBUTED_TABLE, FIELDS, META_ATTRIBUTES,
                     META_TABLE, SHARD_TABLE)

DEFAULT_HEAD = ("127.0.0.1", 9306)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_FIRST_PORT = 9312

_RT_ATTR = {"string": "rt_attr_string", "uint": "rt_attr_uint", "bigint": "rt_attr_bigint",
            "multi_64": "rt_attr_multi_64"}


def default_hosts(shards: int) -> list[tuple[str, int]]:
    """127.0.0.1:9312, :9314, ... : a SphinxQL port and the API port above it per shard."""
    return [(DEFAULT_HOST, DEFAULT_FIRST_PORT + 2 * k) for k in range(shards)]


def cluster_config(shards: int, dir: Path, hosts: list[tuple[str, int]] | None = None,
                   head: tuple[str, int] = DEFAULT_HEAD,
                   data_dir: Path | None = None) -> list[Path]:
    """Write DIR/shard0.conf ... DIR/shardN-1.conf and DIR/head.conf; return their paths
    (the shards' in order, then the head's). Data (tables, logs, binlogs, pid files) goes
    under DATA_DIR/shardK/ and DATA_DIR/head/ (default: DIR), which are created."""
    if not isinstance(shards, int) or shards < 1:
        raise ValueError(f"shards must be a positive integer, not {shards!r}")
    if hosts is None:
        hosts = default_hosts(shards)
    hosts = [(str(h), int(p)) for h, p in hosts]
    if len(hosts) != shards:
        raise ValueError(f"{len(hosts)} shard host(s) given for {shards} shard(s): "
                         "give exactly one HOST:PORT per shard")
    for host, port in hosts:
        _check_address(host, port, api=True)
    head = (str(head[0]), int(head[1]))
    _check_address(*head, api=False)
    used: dict[tuple[str, int], str] = {}
    for k, (host, port) in enumerate(hosts):
        for p in (port, port + 1):
            _claim(used, (host, p), f"shard {k}")
    _claim(used, head, "the head")

    dir = Path(dir).absolute()
    data_dir = Path(data_dir).absolute() if data_dir is not None else dir
    dir.mkdir(parents=True, exist_ok=True)

    paths = []
    for k, (host, port) in enumerate(hosts):
        folder = data_dir / f"shard{k}"
        folder.mkdir(parents=True, exist_ok=True)
        path = dir / f"shard{k}.conf"
        _write(path, shard_conf(k, shards, host, port, folder))
        paths.append(path)
    folder = data_dir / "head"
    folder.mkdir(parents=True, exist_ok=True)
    path = dir / "head.conf"
    _write(path, head_conf(shards, hosts, head, folder))
    paths.append(path)
    return paths


def _check_address(host: str, port: int, api: bool) -> None:
    if not host or any(c.isspace() for c in host) or ":" in host:
        raise ValueError(f"bad host {host!r}: give a host name or an IPv4 address")
    top = 65534 if api else 65535
    if not 1 <= port <= top:
        raise ValueError(f"bad port {port} for {host}: must be 1-{top}"
                         + (" (the shard also uses port + 1)" if api else ""))


def _claim(used: dict, address: tuple[str, int], who: str) -> None:
    if address in used:
        raise ValueError(f"{who} and {used[address]} would both listen on "
                         f"{address[0]}:{address[1]} (a shard uses its port P and P + 1)")
    used[address] = who


def _header(what: str) -> list[str]:
    return [
        f"# timtin Sphinx cluster: {what}.",
        "# Written by `timtin cluster-config` (search/sphinx/config.py); start it with",
        "#   searchd --config THIS_FILE",
        "# Ports: a shard listens for SphinxQL (mysql41) on its port P and for the head's",
        "# agent queries (Sphinx API) on P + 1; the head listens for SphinxQL only and is",
        "# what the engine is given (sphinx://HEAD_HOST:HEAD_PORT).",
        "# On several machines, copy each shard's file to its machine and start it there;",
        "# the data, log and pid paths below may be edited to suit that machine.",
        "",
    ]


def _common_index(lines: list[str]) -> None:
    lines += [f"    charset_table = {CHARSET_TABLE}", "    min_word_len = 1"]


def _searchd(listen: list[str], folder: Path) -> list[str]:
    return [
        "searchd",
        "{",
        *(f"    listen = {spec}" for spec in listen),
        f"    log = {folder / 'searchd.log'}",
        f"    query_log = {folder / 'query.log'}",
        f"    pid_file = {folder / 'searchd.pid'}",
        f"    binlog_path = {folder}",
        "    workers = threads",
        "    max_packet_size = 32M",
        "    seamless_rotate = 1",
        "    read_timeout = 5",
        "    client_timeout = 300",
        "}",
        "",
    ]


def shard_conf(k: int, shards: int, host: str, port: int, folder: Path) -> str:
    """The text of shard K's configuration."""
    lines = _header(f"shard {k} of {shards} (SphinxQL {host}:{port}, agents {host}:{port + 1})")
    lines += [f"index {SHARD_TABLE}", "{", "    type = rt", f"    path = {folder / SHARD_TABLE}"]
    lines += [f"    rt_field = {name}" for name in FIELDS]
    lines += [f"    {_RT_ATTR[kind]} = {name}" for kind, name in ATTRIBUTES]
    _common_index(lines)
    lines += ["    rt_mem_limit = 256M", "}", ""]
    lines += _searchd([f"{host}:{port}:mysql41", f"{host}:{port + 1}"], folder)
    return "\n".join(lines)


def head_conf(shards: int, hosts: list[tuple[str, int]], head: tuple[str, int],
              folder: Path) -> str:
    """The text of the head's configuration: the distributed table over the shards and
    the meta table."""
    lines = _header(f"the head of {shards} shard(s) (SphinxQL {head[0]}:{head[1]})")
    lines += [f"index {DISTRIBUTED_TABLE}", "{", "    type = distributed"]
    lines += [f"    agent = {host}:{port + 1}:{SHARD_TABLE}" for host, port in hosts]
    lines += ["    agent_connect_timeout = 500", "    agent_query_timeout = 5000", "}", ""]
    lines += [f"index {META_TABLE}", "{", "    type = rt", f"    path = {folder / META_TABLE}",
              "    rt_field = k"]
    lines += [f"    {_RT_ATTR[kind]} = {name}" for kind, name in META_ATTRIBUTES]
    _common_index(lines)
    lines += ["}", ""]
    lines += _searchd([f"{head[0]}:{head[1]}:mysql41"], folder)
    return "\n".join(lines)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
