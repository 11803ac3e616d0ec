"""The throwaway PostgreSQL database of a bench script (loopback, user postgres)."""

import subprocess
import sys

PSQL_ARGS = ["-h", "127.0.0.1", "-U", "postgres"]


def recreate(name: str) -> None:
    """Drop ``name`` if it is there and create it empty."""
    drop(name)
    subprocess.run(["createdb", *PSQL_ARGS, name], check=True)


def drop(name: str) -> None:
    """Drop ``name`` if it is there, closing this process's own connections to it first."""
    if "django" in sys.modules:  # a connection of this process would block dropdb
        from django.db import connections

        connections.close_all()
    subprocess.run(["dropdb", "--if-exists", *PSQL_ARGS, name], check=True)
