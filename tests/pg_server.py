"""A PostgreSQL server of the test's own, on a free port in a temporary directory, that a test
may stop and start again. Never the machine's shared server."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.tasks.helpers import free_port


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    def __init__(self):
        self.bin = _binaries()
        if self.bin is None:
            pytest.skip("Keine PostgreSQL-Programme unter /usr/lib/postgresql/*/bin (initdb, pg_ctl)")
        self.as_root = os.geteuid() == 0
        if self.as_root and shutil.which("runuser") is None:
            pytest.skip("Als root wird runuser gebraucht, um PostgreSQL als Benutzer postgres zu starten")
        self.dir = Path(tempfile.mkdtemp(prefix="amtsweg-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)

    def start(self) -> None:
        options = (f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-o", options, "-w", "-t", "30", "start")

    def stop(self) -> None:
        """Stops at once, as a restart does: every connection is cut."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def create_database(self) -> str:
        name = f"amtsweg_{uuid.uuid4().hex[:8]}"
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_until(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@pytest.fixture(scope="module")
def pg_server():
    """A server of the module's own; tests may stop and start it."""
    server = PostgresServer()
    yield server
    server.remove()


@pytest.fixture
def pg_installation(pg_server):
    """An installation with the testing system on a fresh database of ``pg_server``, on the system clock."""
    from processes.bootstrap import bootstrap
    from processes.settings import Settings
    from tests.conftest import TEST_PLUGINS, upgrade

    installation = bootstrap(Settings(database_url=pg_server.create_database()), plugins=TEST_PLUGINS)
    upgrade(installation.engine.ctx.db)
    yield installation
    installation.close()
