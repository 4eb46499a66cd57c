"""`timtin cluster-config` and `timtin cluster-local`: a Sphinx cluster's searchd
configuration, and a whole cluster on this machine (search/sphinx/config.py, local.py).

Registered on the `timtin` group in cli.py (main.add_command).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click


def _address(text: str, what: str) -> tuple[str, int]:
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise click.BadParameter(f"{text.strip()!r} is not HOST:PORT (e.g. 10.0.0.5:9312)",
                                 param_hint=what)
    if ":" in host or any(c.isspace() for c in host):
        raise click.BadParameter(f"{text.strip()!r}: give a host name or an IPv4 address",
                                 param_hint=what)
    return host, int(port)


class _Address(click.ParamType):
    name = "HOST:PORT"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            return _address(value, "--head")
        except click.BadParameter as e:
            self.fail(e.message, param, ctx)


class _Addresses(click.ParamType):
    name = "HOST:PORT,..."

    def convert(self, value, param, ctx):
        if isinstance(value, list):
            return value
        parts = [p for p in value.split(",") if p.strip()]
        if not parts:
            self.fail("give one HOST:PORT per shard, separated by commas", param, ctx)
        out = []
        for part in parts:
            try:
                out.append(_address(part, "--hosts"))
            except click.BadParameter as e:
                self.fail(e.message, param, ctx)
        return out


@click.command("cluster-config")
@click.option("--shards", type=click.IntRange(min=1), required=True, help="Number of shards.")
@click.option("--hosts", type=_Addresses(), default=None,
              help="Each shard's HOST:PORT, comma-separated, one per shard; the shard listens "
                   "for SphinxQL on PORT and for the head on PORT+1 "
                   "(default 127.0.0.1:9312, :9314, ...).")
@click.option("--head", type=_Address(), default="127.0.0.1:9306", show_default=True,
              help="The head's SphinxQL HOST:PORT (the engine's URL).")
@click.option("--dir", "dir_", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the configuration files (and, by default, the data).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for tables, logs and pid files in the files (default: --dir).")
def cluster_config(shards, hosts, head, dir_, data_dir):
    """Write the searchd configuration of a Sphinx cluster.

    One file per shard (DIR/shard0.conf, ...) and one for the head (DIR/head.conf), which
    holds the distributed table over the shards.
    """
    from .sphinx.config import cluster_config as write_config
    if hosts is not None and len(hosts) != shards:
        raise click.BadParameter(f"{len(hosts)} HOST:PORT given for --shards {shards}: "
                                 "give exactly one per shard", param_hint="--hosts")
    try:
        paths = write_config(shards, dir_, hosts=hosts, head=head, data_dir=data_dir)
    except ValueError as e:
        raise click.UsageError(str(e))
    except OSError as e:
        raise click.ClickException(f"cannot write the configuration: {e}")
    from .sphinx.config import default_hosts
    hosts = hosts or default_hosts(shards)
    click.echo(f"Wrote the configuration of a {shards}-shard Sphinx cluster:")
    for k, (path, (host, port)) in enumerate(zip(paths, hosts)):
        click.echo(f"  {path}  shard {k}: SphinxQL {host}:{port}, agents {host}:{port + 1}")
    click.echo(f"  {paths[-1]}  head: SphinxQL {head[0]}:{head[1]}")
    click.echo("")
    click.echo("Next steps:")
    click.echo("  1. On each shard's machine (copy its file there; paths may be edited):")
    click.echo("       searchd --config shardK.conf")
    click.echo("  2. Then on the head's machine:")
    click.echo("       searchd --config head.conf")
    click.echo(f"  3. Give the engine the head: sphinx://{head[0]}:{head[1]}")


@click.command("cluster-local")
@click.option("--shards", type=click.IntRange(min=1), required=True, help="Number of shards.")
@click.option("--dir", "dir_", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the configuration and the cluster's data (reused next time).")
def cluster_local(shards, dir_):
    """Run a Sphinx cluster on this machine until Ctrl-C or SIGTERM.

    Starts one searchd per shard and a head on free loopback ports, then prints the
    engine's URL (sphinx://127.0.0.1:PORT) as the first line.
    """
    from .sphinx.local import run_local_cluster
    sys.exit(run_local_cluster(shards, dir_))
