"""`timtin cluster-config` and `timtin cluster-local` against a real searchd (Sphinx 2.2.11 or
Manticore): the generated files are accepted, a local cluster answers through its head's
distributed table, stops cleanly, and serves the same data on a second run."""
from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

if shutil.which("searchd") is None:
    pytest.skip("searchd not installed (apt-get install sphinxsearch)", allow_module_level=True)

import pymysql  # noqa: E402

from search.sphinx.local import free_ports, sql_answers, wait_for_sql  # noqa: E402
from search.sphinx.schema import DISTRIBUTED_TABLE, META_TABLE, SHARD_TABLE  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# The `timtin` command as a user runs it (as conftest.run_timtin: python -m, no install).
TIMTIN = [sys.executable, "-m", "search.cli"]


def timtin(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*TIMTIN, *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          timeout=kwargs.pop("timeout", 60), **kwargs)


def sql(port: int):
    return pymysql.connect(host="127.0.0.1", port=port, user="", autocommit=True,
                           connect_timeout=5, read_timeout=10)


def query(port: int, statement: str, args=None) -> list[list[tuple]]:
    """Every result set of a statement (a FACET query returns several)."""
    conn = sql(port)
    try:
        with conn.cursor() as cur:
            cur.execute(statement, args)
            sets = [list(cur.fetchall())]
            while cur.nextset():
                sets.append(list(cur.fetchall()))
            return sets
    finally:
        conn.close()


def replace_row(port: int, doc_id: int, text: str, source_id: int, aid: str) -> None:
    query(port, f"REPLACE INTO {SHARD_TABLE} (id, title_f, body_f, aid, title, year, "
                "source_id, agency_ids) VALUES (%s, %s, %s, %s, %s, %s, %s, (%s, %s))",
          (doc_id, text, text, aid, text, 2024, source_id, source_id * 10, source_id * 10 + 1))


class LocalCluster:
    """A `timtin cluster-local` child: its URL line, its searchd children, its stderr."""

    def __init__(self, shards: int, dir: Path):
        self.proc = subprocess.Popen([*TIMTIN, "cluster-local", "--shards", str(shards),
                                      "--dir", str(dir)], cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines.put),
                         daemon=True).start()
        self.stderr_done = threading.Thread(target=self._read,
                                            args=(self.proc.stderr, self.stderr.append),
                                            daemon=True)
        self.stderr_done.start()
        try:
            self.first_line = self.lines.get(timeout=30)
        except queue.Empty:
            self.stop()
            raise AssertionError("no URL line within 30 s: " + "".join(self.stderr))
        self.children = self._children()

    @staticmethod
    def _read(stream, put):
        for line in stream:
            put(line)

    def _children(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()]

    @property
    def head_port(self) -> int:
        return int(self.first_line.strip().rsplit(":", 1)[1])

    def agent_ports(self) -> list[int]:
        rows = query(self.head_port, "SHOW AGENT STATUS")[0]
        return [int(value.rsplit(":", 1)[1]) for key, value in rows
                if key.startswith("ag_") and key.endswith("_hostname")]

    def stop(self, sig=signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.stderr_done.join(5)
        return code


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _kill_leftovers(pids):
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_cluster_config_files_are_accepted_by_searchd(tmp_path):
    (shard_port,), head_port = free_ports(1)
    result = timtin("cluster-config", "--shards", 1, "--hosts", f"127.0.0.1:{shard_port}",
                    "--head", f"127.0.0.1:{head_port}", "--dir", tmp_path / "conf",
                    "--data-dir", tmp_path / "data")
    assert result.returncode == 0, result.stderr
    shard_conf, head_conf = tmp_path / "conf" / "shard0.conf", tmp_path / "conf" / "head.conf"
    assert str(shard_conf) in result.stdout and str(head_conf) in result.stdout
    assert f"sphinx://127.0.0.1:{head_port}" in result.stdout
    text = shard_conf.read_text()
    assert text.startswith("#") and f"listen = 127.0.0.1:{shard_port}:mysql41" in text
    assert f"listen = 127.0.0.1:{shard_port + 1}\n" in text
    assert str(tmp_path / "data" / "shard0" / "shard") in text
    assert f"agent = 127.0.0.1:{shard_port + 1}:{SHARD_TABLE}" in head_conf.read_text()

    procs = []
    try:
        for conf, port in ((shard_conf, shard_port), (head_conf, head_port)):
            log = open(tmp_path / f"{conf.stem}.out", "wb")
            procs.append(subprocess.Popen(["searchd", "--config", str(conf), "--nodetach"],
                                          stdout=log, stderr=subprocess.STDOUT))
            log.close()
            assert wait_for_sql("127.0.0.1", port, 15, proc=procs[-1]), \
                (tmp_path / f"{conf.stem}.out").read_text()
        replace_row(shard_port, 7, "xin chao ha noi", 3, "a7")
        assert query(shard_port, f"SELECT id, aid FROM {SHARD_TABLE} WHERE MATCH('chao')")[0] \
            == [(7, "a7")]
        rows = query(head_port, f"SELECT id, aid, source_id FROM {DISTRIBUTED_TABLE} "
                                "WHERE MATCH('\"ha noi\"')")[0]
        assert rows == [(7, "a7", 3)]
        assert query(head_port, f"SELECT COUNT(*) FROM {META_TABLE}")[0] == [(0,)]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_cluster_local_two_shards(tmp_path):
    cluster = LocalCluster(2, tmp_path / "cluster")
    try:
        assert cluster.first_line.startswith("sphinx://127.0.0.1:")
        assert len(cluster.children) == 3
        head = cluster.head_port
        tables = dict(query(head, "SHOW TABLES")[0])
        assert tables == {DISTRIBUTED_TABLE: "distributed", META_TABLE: "rt"}

        api_ports = cluster.agent_ports()
        assert len(api_ports) == 2 and len(set(api_ports)) == 2
        for k, api in enumerate(api_ports):
            assert dict(query(api - 1, "SHOW TABLES")[0]) == {SHARD_TABLE: "rt"}
            replace_row(api - 1, 100 + k, f"tin so {k} bao moi", source_id=k + 1, aid=f"a{k}")

        sets = query(head, f"SELECT id, aid FROM {DISTRIBUTED_TABLE} WHERE MATCH('bao') "
                           "ORDER BY id ASC FACET source_id ORDER BY source_id ASC")
        assert sets[0] == [(100, "a0"), (101, "a1")]
        assert sets[1] == [(1, 1), (2, 1)]
        # 2.2.11 cannot ORDER a FACET by a multi-valued attribute ("order by MVA is
        # undefined"): its default order (by count) it is.
        sets = query(head, f"SELECT id FROM {DISTRIBUTED_TABLE} FACET agency_ids")
        assert sorted(sets[1]) == [(10, 1), (11, 1), (20, 1), (21, 1)]

        ports = [head, *api_ports, *(p - 1 for p in api_ports)]
    finally:
        code = cluster.stop()
    try:
        assert code == 0, "".join(cluster.stderr)
        assert not [pid for pid in cluster.children if _alive(pid)]
        assert not [p for p in ports if sql_answers("127.0.0.1", p, timeout=0.5)]
    finally:
        _kill_leftovers(cluster.children)

    # A second run over the same folder serves the same data (on new ports).
    again = LocalCluster(2, tmp_path / "cluster")
    try:
        rows = query(again.head_port, f"SELECT id, aid FROM {DISTRIBUTED_TABLE} "
                                      "WHERE MATCH('moi') ORDER BY id ASC")[0]
        assert rows == [(100, "a0"), (101, "a1")]
    finally:
        assert again.stop(signal.SIGINT) == 0, "".join(again.stderr)
        assert not [pid for pid in again.children if _alive(pid)]
        _kill_leftovers(again.children)


def test_cluster_local_survives_a_dead_shard(tmp_path):
    cluster = LocalCluster(2, tmp_path / "cluster")
    try:
        pid = int((tmp_path / "cluster" / "shard1" / "searchd.pid").read_text())
        assert pid in cluster.children
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while "warning" not in "".join(cluster.stderr) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "shard 1" in "".join(cluster.stderr) and cluster.proc.poll() is None
        assert sql_answers("127.0.0.1", cluster.head_port)
    finally:
        code = cluster.stop()
        _kill_leftovers(cluster.children)
    assert code == 0
    assert not [pid for pid in cluster.children if _alive(pid)]


def test_cluster_local_reports_a_searchd_that_cannot_start(tmp_path):
    result = timtin("cluster-config", "--shards", 1, "--dir", tmp_path)
    assert result.returncode == 0, result.stderr
    (tmp_path / "shard0" / "shard.meta").write_text("not a meta file")
    result = timtin("cluster-local", "--shards", 1, "--dir", tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert str(tmp_path / "shard0" / "searchd.console.log") in result.stderr
    assert "Traceback" not in result.stderr


def test_cluster_local_without_searchd(tmp_path):
    result = timtin("cluster-local", "--shards", 1, "--dir", tmp_path,
                    env={**os.environ, "PATH": str(tmp_path)})
    assert result.returncode == 2
    assert "searchd not found" in result.stderr and "sphinxsearch" in result.stderr


@pytest.mark.parametrize("hosts", ["nonsense", "127.0.0.1", "127.0.0.1:abc", "127.0.0.1:0",
                                   "127.0.0.1:70000", "127.0.0.1:9312",
                                   "127.0.0.1:9312,127.0.0.1:9314,127.0.0.1:9316", ","])
def test_cluster_config_bad_hosts_is_a_usage_error(tmp_path, hosts):
    result = timtin("cluster-config", "--shards", 2, "--hosts", hosts, "--dir", tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Usage:" in result.stderr and "--hosts" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "head.conf").exists()


def test_cluster_config_overlapping_ports_is_a_usage_error(tmp_path):
    result = timtin("cluster-config", "--shards", 2, "--hosts", "127.0.0.1:9312,127.0.0.1:9313",
                    "--dir", tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "9313" in result.stderr
