"""The on-disk layout of an index folder, and the swap that makes a new index live.

    index/CURRENT          name of the live generation (replaced atomically)
    index/gen-<stamp>/     one complete Whoosh index each; never modified once live
    index/reindex.lock     held (flock) by a running reindex; released by the kernel on kill -9

A reindex builds a new generation (an incremental one starts from hard links to the
live one's files, which Whoosh never rewrites) and publishes it by replacing CURRENT.
Readers holding the previous generation keep reading it: it is deleted only one
generation later.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import time
from pathlib import Path

POINTER = "CURRENT"
LOCK = "reindex.lock"
META = "timtin.json"
PREFIX = "gen-"


class IndexNotFound(FileNotFoundError):
    pass


class ReindexRunning(RuntimeError):
    pass


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (Path(index_dir) / POINTER).read_text().strip()
    except FileNotFoundError:
        return None
    gen = Path(index_dir) / name
    return gen if name.startswith(PREFIX) and gen.is_dir() else None


def pointer_stamp(index_dir: Path):
    """Cheap token that changes whenever a new generation is published."""
    try:
        st = os.stat(Path(index_dir) / POINTER)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def new_generation(index_dir: Path, link_from: Path | None = None) -> Path:
    gen = Path(index_dir) / f"{PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    gen.mkdir(parents=True)
    if link_from is not None:
        for f in link_from.iterdir():
            if f.is_file() and not f.name.endswith("LOCK") and f.name != META:
                os.link(f, gen / f.name)
    return gen


def publish(index_dir: Path, gen: Path) -> None:
    tmp = Path(index_dir) / f"{POINTER}.tmp"
    with open(tmp, "w") as f:
        f.write(gen.name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, Path(index_dir) / POINTER)
    dir_fd = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def remove_stale_generations(index_dir: Path, keep: set[str]) -> None:
    """Delete generations that are neither live nor the previous one (readers may hold it)."""
    for gen in Path(index_dir).glob(PREFIX + "*"):
        if gen.name not in keep:
            shutil.rmtree(gen, ignore_errors=True)


def write_meta(gen: Path, meta: dict) -> None:
    tmp = gen / (META + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1))
    os.replace(tmp, gen / META)


def read_meta(gen: Path) -> dict:
    try:
        return json.loads((gen / META).read_text())
    except (FileNotFoundError, ValueError):
        return {}


class ReindexLock:
    """An exclusive, non-blocking lock on the index folder for the length of a reindex."""

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / LOCK
        self.fd = None

    def __enter__(self):
        Path(self.path.parent).mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(self.fd)
            if e.errno in (errno.EAGAIN, errno.EACCES):
                raise ReindexRunning(
                    f"another reindex is already running on {self.path.parent}; "
                    "wait for it to finish") from None
            raise
        os.ftruncate(self.fd, 0)
        os.write(self.fd, f"{os.getpid()}\n".encode())
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
