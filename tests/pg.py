"""A real PostgreSQL server for the store tests: $VIGIE_TEST_PG, else a throwaway cluster, else a skip.

Imported by the test modules (``from pg import ...``; conftest.py stays backend-free). Each test gets a fresh
database, dropped afterwards. With $VIGIE_TEST_PG_REQUIRED set (CI), a missing server fails instead of skipping.

- ``VIGIE_TEST_PG=postgresql://user:pass@host/db``: a server where that user may CREATE DATABASE.
- otherwise Debian's ``/usr/lib/postgresql/*/bin/initdb`` (the ``postgresql`` package) makes a cluster in a
  temporary folder, started on a free local port with trust authentication (as the ``postgres`` user when run as
  root, since PostgreSQL refuses to run as root), and stopped when the tests end.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

from vigie.store import ArticleStore, open_store

BACKENDS = ["sqlite", "postgres"]

_server: str | None = None  # admin URL of the server in use
_failure: str | None = None  # why no server could be had


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_cluster() -> str:
    """initdb + pg_ctl start in a temporary folder; returns the admin URL. Raises RuntimeError with the reason."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("no $VIGIE_TEST_PG and no initdb/pg_ctl (apt-get install postgresql)")
    # Under /tmp when root: the postgres user must be able to reach the folder ($TMPDIR may be root's own).
    root = tempfile.mkdtemp(prefix="vigie-pg-", dir="/tmp" if os.geteuid() == 0 and os.path.isdir("/tmp") else None)
    data, port = os.path.join(root, "data"), _free_port()
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise RuntimeError("running as root without runuser: cannot start PostgreSQL as another user")
        shutil.chown(root, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]

    def run(*args: str) -> None:
        proc = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120, check=False)
        if proc.returncode:
            raise RuntimeError(f"{os.path.basename(args[0])} failed: {(proc.stderr or proc.stdout).strip()[-500:]}")

    run(initdb, "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")
    opts = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} -c fsync=off"
    run(pg_ctl, "-D", data, "-l", os.path.join(root, "log"), "-o", opts, "-w", "start")

    def stop() -> None:
        subprocess.run([*prefix, pg_ctl, "-D", data, "-m", "immediate", "stop"], capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def server() -> str:
    """The admin URL of a running server (started once per test run); skips (or fails when required) without."""
    global _server, _failure
    if _server is None and _failure is None:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            _failure = "psycopg is not installed (pip install -e '.[postgres]')"
    if _server is None and _failure is None:
        try:
            _server = os.environ.get("VIGIE_TEST_PG") or _start_cluster()
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            _failure = str(e)
    if _server is None:
        if os.environ.get("VIGIE_TEST_PG_REQUIRED"):
            pytest.fail(f"PostgreSQL required ($VIGIE_TEST_PG_REQUIRED) but unavailable: {_failure}")
        pytest.skip(f"PostgreSQL unavailable: {_failure}")
    return _server


def _with_db(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database on the test server; dropped on exit."""
    import psycopg

    admin = server()
    name = f"vigie_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield _with_db(admin, name)
    finally:
        for _ in range(3):
            try:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                break
            except psycopg.Error:
                time.sleep(0.5)


@contextmanager
def backend_store(backend: str) -> Iterator[ArticleStore]:
    """A fresh, empty store of the named back end ("sqlite": in memory; "postgres": a new database)."""
    if backend == "sqlite":
        with open_store(":memory:") as store:
            yield store
        return
    with fresh_database() as url, open_store(url) as store:
        yield store
