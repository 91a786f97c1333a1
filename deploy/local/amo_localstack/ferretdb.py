"""FerretDB: the Mongo wire protocol on top of the stack's PostgreSQL."""

from __future__ import annotations

from ._common import Command
from .config import StackConfig


def prepare_ferretdb(cfg: StackConfig) -> None:
    cfg.ferretdb_dir.mkdir(parents=True, exist_ok=True)


def ferretdb_command(cfg: StackConfig) -> Command:
    return Command(
        cwd=cfg.ferretdb_dir,
        argv=[
            str(cfg.ferretdb_bin),
            "--handler=postgresql",
            f"--postgresql-url={cfg.ferretdb_pg_url}",
            f"--listen-addr={cfg.host}:{cfg.mongo_port}",
            f"--debug-addr={cfg.host}:{cfg.ferretdb_debug_port}",
            f"--state-dir={cfg.ferretdb_dir}",
            "--telemetry=disable",
            # INFO logs every client connection; warnings and errors only
            "--log-level=WARN",
        ],
    )


def probe_mongo(cfg: StackConfig) -> None:
    """Ready when a Mongo client's ping is answered (that is, PostgreSQL answers it too)."""
    from pymongo import MongoClient

    with MongoClient(cfg.mongo_url, serverSelectionTimeoutMS=2000, connectTimeoutMS=2000) as c:
        c.admin.command("ping")
