"""A throwaway PostgreSQL server from Debian's `postgresql` package (`make test` installs it):
what the tests and the PostgreSQL benchmarks run on when no server is named."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from synth.errors import ConfigError


def _run(cmd: list[str], as_postgres: bool) -> None:
    if as_postgres:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, check=True, capture_output=True, text=True)


@contextmanager
def throwaway(*settings: str) -> Iterator[str]:
    """Start a server in a temporary folder, yield its SQLAlchemy URL, then stop it and delete
    everything. `settings`: extra server settings, such as "shared_buffers=512MB"."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        raise ConfigError("No PostgreSQL server found: run `make test` (it installs Debian's postgresql), "
                          "or name a server with SYNTH_TEST_PG_URL.")
    bindir = os.path.dirname(bins[-1])
    as_postgres = os.geteuid() == 0  # PostgreSQL refuses to run as root
    folder = tempfile.mkdtemp(prefix="synth-pg-")
    if as_postgres:
        shutil.chown(folder, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = os.path.join(folder, "data")
    options = " ".join(f"-c {x}" for x in ("listen_addresses=127.0.0.1", "fsync=off", *settings))
    _run([f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "synth"], as_postgres)
    _run([f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(folder, "log"), "-w", "-o",
          f"-p {port} -k {folder} {options}", "start"], as_postgres)
    try:
        yield f"postgresql+psycopg://synth@127.0.0.1:{port}/postgres"
    finally:
        _run([f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], as_postgres)
        shutil.rmtree(folder, ignore_errors=True)
