"""A whole Sphinx cluster on this machine: N shard searchds and a head, on free loopback
ports, for development and tests (`timtin cluster-local`).

    run_local_cluster(2, Path("cluster"))

writes cluster/shard0.conf, shard1.conf, head.conf (config.py), starts one
`searchd --config FILE --nodetach` per file, waits until each answers SphinxQL, prints
`sphinx://127.0.0.1:HEAD_PORT` as the first line on stdout, and runs until SIGTERM or
SIGINT, when it stops them all. The tables under DIR are the cluster's data: a second run
over the same DIR serves them again (the ports change, the data does not).
"""
from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .config import cluster_config

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 15.0  # seconds for every searchd to answer SphinxQL
STOP_TIMEOUT = 10.0   # seconds after SIGTERM before SIGKILL
CONSOLE_LOG = "searchd.console.log"  # searchd's stdout and stderr, in its data folder
ATTEMPTS = 3          # fresh ports again if a port was taken between choosing and binding

NOT_FOUND = ("searchd not found: install sphinxsearch (Debian: apt-get install sphinxsearch) "
             "or Manticore Search")


def sql_answers(host: str, port: int, timeout: float = 2.0) -> bool:
    """Whether a searchd answers SphinxQL (connect, SHOW STATUS) at HOST:PORT now."""
    import pymysql
    try:
        conn = pymysql.connect(host=host, port=port, user="", connect_timeout=timeout,
                               read_timeout=timeout, write_timeout=timeout, autocommit=True)
    except Exception:
        return False
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW STATUS")
            cur.fetchall()
        return True
    except Exception:
        return False
    finally:
        try:
            conn.close()
        except Exception:
            pass


def wait_for_sql(host: str, port: int, timeout: float = START_TIMEOUT, *,
                 proc: subprocess.Popen | None = None, cancel=None) -> bool:
    """Wait until HOST:PORT answers SphinxQL; False after TIMEOUT seconds, as soon as
    PROC (the searchd meant to answer) has exited, or when CANCEL() becomes true."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            return False
        if cancel is not None and cancel():
            return False
        left = deadline - time.monotonic()
        if sql_answers(host, port, timeout=max(0.2, min(2.0, left))):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def _bind(port: int) -> socket.socket | None:
    s = socket.socket()
    try:
        s.bind((LOOPBACK, port))
        return s
    except OSError:
        s.close()
        return None


def free_ports(shards: int) -> tuple[list[int], int]:
    """For each shard a port P with P + 1 also free, and one port for the head, all
    distinct (held open while choosing, so none is picked twice)."""
    held: list[socket.socket] = []
    try:
        pairs = []
        while len(pairs) < shards:
            first = _bind(0)
            if first is None:
                raise OSError("no free loopback port")
            held.append(first)
            port = first.getsockname()[1]
            if port >= 65535:
                continue
            second = _bind(port + 1)
            if second is None:
                continue  # keep the first held so it is not offered again
            held.append(second)
            pairs.append(port)
        head = _bind(0)
        if head is None:
            raise OSError("no free loopback port")
        held.append(head)
        return pairs, head.getsockname()[1]
    finally:
        for s in held:
            s.close()


def _no_orphans() -> None:
    """In the child before exec: get SIGTERM if this process dies (Linux), so a killed
    `timtin cluster-local` leaves no searchd behind."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class _Searchd:
    def __init__(self, name: str, conf: Path, folder: Path, port: int, searchd: str):
        self.name, self.conf, self.folder, self.port = name, conf, folder, port
        self.console = folder / CONSOLE_LOG
        self.log = folder / "searchd.log"  # searchd appends to it: read this run's part
        try:
            self.log_start = self.log.stat().st_size
        except OSError:
            self.log_start = 0
        with open(self.console, "wb") as out:
            self.proc = subprocess.Popen(
                [searchd, "--config", str(conf), "--nodetach"], stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT, cwd=folder, start_new_session=True,
                preexec_fn=_no_orphans if sys.platform.startswith("linux") else None)
        self.reported = False

    def _read(self, path: Path, start: int = 0) -> str:
        try:
            with open(path, "rb") as f:
                f.seek(start)
                return f.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def output(self) -> list[tuple[Path, str]]:
        """What this searchd wrote in this run: its console, its log."""
        return [(self.console, self._read(self.console)),
                (self.log, self._read(self.log, self.log_start))]

    def tail(self, lines: int = 8) -> str:
        out = []
        for path, text in self.output():
            text = text.splitlines()
            if text:
                out.append(f"  --- {path} (last lines) ---")
                out += ["  " + line for line in text[-lines:]]
        return "\n".join(out)

    def bind_failed(self) -> bool:
        return any("bind() failed" in text for _, text in self.output())


def _stop_all(procs: list[_Searchd], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM every searchd still running, wait up to TIMEOUT seconds, then SIGKILL."""
    for s in procs:
        if s.proc.poll() is None:
            try:
                s.proc.send_signal(signal.SIGTERM)
            except OSError:
                pass
    deadline = time.monotonic() + timeout
    for s in procs:
        try:
            s.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for s in procs:
        if s.proc.poll() is None:
            print(f"timtin cluster-local: {s.name} did not stop within {timeout:.0f} s "
                  f"after SIGTERM; killing it", file=sys.stderr, flush=True)
            try:
                s.proc.kill()
            except OSError:
                pass
            s.proc.wait()


def _start(shards: int, dir: Path, searchd: str, stopping, attempt_left: bool):
    """Write the configuration on fresh ports and start every searchd. Returns
    (procs, head port, error): error is None when all answer, "retry" when a port was
    taken meanwhile (and another attempt is allowed), else a message."""
    ports, head = free_ports(shards)
    paths = cluster_config(shards, dir, hosts=[(LOOPBACK, p) for p in ports],
                           head=(LOOPBACK, head))
    names = [f"shard {k}" for k in range(shards)] + ["head"]
    folders = [dir / f"shard{k}" for k in range(shards)] + [dir / "head"]
    procs: list[_Searchd] = []
    try:
        for name, conf, folder, port in zip(names, paths, folders, [*ports, head]):
            procs.append(_Searchd(name, conf, folder, port, searchd))
    except OSError as e:
        _stop_all(procs)
        return [], head, f"cannot start {searchd}: {e}"
    deadline = time.monotonic() + START_TIMEOUT
    for s in procs:
        left = max(0.5, deadline - time.monotonic())
        if wait_for_sql(LOOPBACK, s.port, left, proc=s.proc, cancel=stopping):
            continue
        if stopping():
            return procs, head, None
        # A searchd that cannot bind keeps retrying (every 3 s, for a minute) and ignores
        # SIGTERM meanwhile: no long wait before SIGKILL here, nothing was written yet.
        _stop_all(procs, timeout=3.0)
        if attempt_left and any(p.bind_failed() for p in procs):
            return [], head, "retry"
        code = s.proc.poll()
        what = (f"exited with status {code}" if code is not None
                else f"did not answer SphinxQL on {LOOPBACK}:{s.port} within "
                     f"{START_TIMEOUT:.0f} s")
        return [], head, (f"{s.name} searchd ({s.conf}) {what}; see its log {s.console} "
                          f"(and {s.log})\n{s.tail()}")
    return procs, head, None


def run_local_cluster(shards: int, dir: Path, out=sys.stdout) -> int:
    """Run a SHARDS-shard cluster under DIR until SIGTERM or SIGINT. Prints the engine URL
    (sphinx://127.0.0.1:HEAD_PORT) as the first line on OUT. Returns 0 after a clean stop,
    1 when a searchd fails to start, 2 when searchd is not installed."""
    searchd = shutil.which("searchd")
    if searchd is None:
        print(f"timtin cluster-local: {NOT_FOUND}", file=sys.stderr, flush=True)
        return 2
    if shards < 1:
        print("timtin cluster-local: --shards must be at least 1", file=sys.stderr, flush=True)
        return 1
    dir = Path(dir).absolute()

    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda signum, frame: stop.set())
    procs: list[_Searchd] = []
    try:
        for attempt in range(ATTEMPTS):
            procs, head, error = _start(shards, dir, searchd, stop.is_set,
                                        attempt_left=attempt < ATTEMPTS - 1)
            if error != "retry":
                break
        if error is not None:
            print(f"timtin cluster-local: {error}", file=sys.stderr, flush=True)
            return 1
        if stop.is_set():
            return 0
        print(f"sphinx://{LOOPBACK}:{head}", file=out, flush=True)
        for s in procs:
            api = f", agents {LOOPBACK}:{s.port + 1}" if s.name != "head" else ""
            print(f"  {s.name}: SphinxQL {LOOPBACK}:{s.port}{api}, pid {s.proc.pid}, "
                  f"config {s.conf}, log {s.console}", file=sys.stderr)
        print("  running; stop with Ctrl-C or SIGTERM", file=sys.stderr, flush=True)
        while not stop.wait(0.2):
            for s in procs:
                code = s.proc.poll()
                if code is not None and not s.reported:
                    s.reported = True
                    print(f"timtin cluster-local: warning: {s.name} searchd (pid "
                          f"{s.proc.pid}) exited with status {code}; still running the "
                          f"others. Its log: {s.console}", file=sys.stderr, flush=True)
        return 0
    finally:
        _stop_all(procs)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
