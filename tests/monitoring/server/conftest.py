"""Fixtures of the ingest-server tests: a copy of the test database and a server subprocess.

The server runs as a real ``qingshan hj212_server`` subprocess (so kill -9 is
real). It needs a database it can reach from another process and that the
other tests of the session never see, so the session makes one **copy of the
seeded test database** (the small demo city):

* SQLite: the in-memory test database is copied into a file with SQLite's
  backup API;
* PostgreSQL: ``CREATE DATABASE … TEMPLATE <test database>``.

The test process reads the copy through an extra connection alias
(``hj212srv``), outside any test transaction, so it sees exactly what the
server committed. The copy is dropped at the end of the session.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ALIAS = "hj212srv"
ROOT = Path(__file__).resolve().parents[3]


class ServerDB:
    def __init__(self, settings_dict: dict, url: str, data_dir: Path, drop):
        self.settings_dict = settings_dict
        self.url = url
        self.data_dir = data_dir
        self._drop = drop

    def drop(self):
        self._drop()


def _copy_database(tmp: Path) -> ServerDB:
    from django.db import connections

    default = connections["default"]
    sd = dict(default.settings_dict)
    if default.vendor == "sqlite":
        default.ensure_connection()
        target = tmp / "server.sqlite3"
        import sqlite3

        dst = sqlite3.connect(target)
        default.connection.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
        dst.close()
        sd.update(NAME=str(target), TEST={"NAME": str(target)})
        return ServerDB(sd, f"sqlite:///{target}", tmp, lambda: None)
    if default.vendor == "postgresql":
        import psycopg

        name = f"{sd['NAME']}_hj212_{uuid.uuid4().hex[:6]}"
        connections.close_all()
        params = dict(host=sd.get("HOST") or "127.0.0.1", port=sd.get("PORT") or 5432, user=sd.get("USER"),
                      password=sd.get("PASSWORD"), dbname="postgres", autocommit=True)
        for attempt in range(20):
            try:
                with psycopg.connect(**params) as c:
                    c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{sd["NAME"]}"')
                break
            except psycopg.errors.ObjectInUse:  # another connection to the template: wait for it to close
                connections.close_all()
                time.sleep(0.2)
        else:
            pytest.skip("cannot copy the PostgreSQL test database (it stays in use)")

        def drop():
            _forget_alias()
            with psycopg.connect(**params) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        sd.update(NAME=name, TEST={"NAME": name})
        url = f"postgres://{sd['USER']}:{sd['PASSWORD']}@{params['host']}:{params['port']}/{name}"
        return ServerDB(sd, url, tmp, drop)
    pytest.skip(f"no server test support for {default.vendor}")


@pytest.fixture(scope="session")
def server_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """A private copy of the seeded test database, reachable by a subprocess and by the alias ``hj212srv``."""
    from django.db import connections

    from qingshan.monitoring.store import reset_stores

    tmp = tmp_path_factory.mktemp("hj212")
    with django_db_blocker.unblock():
        db = _copy_database(tmp)
        connections.settings[ALIAS] = db.settings_dict
        connections.settings[ALIAS].setdefault("TIME_ZONE", None)
        reset_stores()
        try:
            yield db
        finally:
            _forget_alias()
            db.drop()
            del connections.settings[ALIAS]
            reset_stores()


def _forget_alias():
    """Close and forget this thread's connection object of the alias (before the copy is dropped)."""
    from django.db import connections

    try:
        connections[ALIAS].close()
        del connections[ALIAS]
    except (KeyError, AttributeError):
        pass


@pytest.fixture
def srv(server_db, django_db_blocker):
    """Database access to the server's database (unblocked for the test)."""
    with django_db_blocker.unblock():
        yield server_db


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run these tests first, right after the session seeded the demo city.

    They use no ``db`` fixture (the server is another process), so
    pytest-django would run them last, after the ``transactional_db`` tests
    of other apps have emptied the shared database the copy is taken from.
    """
    here = Path(__file__).resolve().parent
    mine = [item for item in items if here in Path(str(item.fspath)).resolve().parents]
    if mine:
        ids = {id(item) for item in mine}
        items[:] = mine + [item for item in items if id(item) not in ids]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``qingshan hj212_server`` in a subprocess on a given database."""

    def __init__(self, db: ServerDB, port: int | None = None, *args: str):
        self.db = db
        self.port = port or free_port()
        self.args = list(args)
        self.proc: subprocess.Popen | None = None
        self.log = db.data_dir / f"server-{self.port}.log"

    def start(self, timeout: float = 30.0) -> "ServerProcess":
        ready = self.db.data_dir / f"ready-{self.port}.json"
        ready.unlink(missing_ok=True)
        env = dict(os.environ, DATABASE_URL=self.db.url, QINGSHAN_DATA_DIR=str(self.db.data_dir),
                   DJANGO_SETTINGS_MODULE="qingshan.settings", PYTHONPATH=str(ROOT), LOG_LEVEL="INFO")
        cmd = [sys.executable, "-m", "qingshan", "hj212_server", "--addr", f"127.0.0.1:{self.port}",
               "--ready-file", str(ready), "--stats-interval", "0", "--sweep-interval", "0", *self.args]
        self._logf = open(self.log, "ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._logf, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready.exists():
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_text()}")
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not start within {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def terminate(self, timeout: float = 30.0) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture(scope="module")
def server(server_db, django_db_blocker):
    """One server subprocess per module (the protocol tests share it)."""
    proc = ServerProcess(server_db, None, "--batch-wait-ms", "5", "--idle-timeout", "2", "--flush-interval", "0.5").start()
    try:
        yield proc
    finally:
        proc.kill()


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())
