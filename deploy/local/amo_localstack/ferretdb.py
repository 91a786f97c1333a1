"""FerretDB: the Mongo wire protocol on top of the stack's PostgreSQL."""

from __future__ import annotations

from ._common import (
    ensure_dirs,
    log_path,
    start_spawned,
    stop_spawned,
    tail,
)
from .config import StackConfig
from .install import say
from .procs import wait_port, wait_until


def _ferretdb_argv(cfg: StackConfig) -> list[str]:
    return [
        str(cfg.ferretdb_bin),
        "--handler=postgresql",
        f"--postgresql-url={cfg.ferretdb_pg_url}",
        f"--listen-addr={cfg.host}:{cfg.mongo_port}",
        f"--debug-addr={cfg.host}:{cfg.ferretdb_debug_port}",
        f"--state-dir={cfg.ferretdb_dir}",
        "--telemetry=disable",
        # INFO logs every client connection; warnings and errors only
        "--log-level=WARN",
    ]


def _ping_mongo(cfg: StackConfig) -> None:
    from pymongo import MongoClient

    with MongoClient(cfg.mongo_url, serverSelectionTimeoutMS=2000, connectTimeoutMS=2000) as c:
        c.admin.command("ping")


def start_mongo(cfg: StackConfig, *, wait: bool = True) -> int:
    """Start FerretDB (PostgreSQL must be running); returns its pid."""
    ensure_dirs(cfg)
    cfg.ferretdb_dir.mkdir(parents=True, exist_ok=True)
    pid = start_spawned(cfg, "ferretdb", argv=lambda: _ferretdb_argv(cfg), cwd=cfg.ferretdb_dir,
                        ports=[(cfg.mongo_port, "ferretdb"),
                               (cfg.ferretdb_debug_port, "ferretdb (debug)")])
    if wait:
        wait_mongo(cfg, pid)
    return pid


def wait_mongo(cfg: StackConfig, pid: int | None = None) -> None:
    try:
        wait_port(cfg.host, cfg.mongo_port, cfg.start_timeout, pid=pid, what="ferretdb")
        wait_until(lambda: _ping_mongo(cfg), cfg.start_timeout, what="ferretdb", pid=pid)
    except Exception as e:
        raise RuntimeError(f"{e}\n--- ferretdb.log ---\n{tail(log_path(cfg, 'ferretdb'))}") from e
    say(f"ferretdb: ready at {cfg.mongo_url}")


def stop_mongo(cfg: StackConfig, *, hard: bool = False) -> None:
    stop_spawned(cfg, "ferretdb", hard=hard, timeout=15)


def restart_mongo(cfg: StackConfig) -> None:
    stop_mongo(cfg)
    start_mongo(cfg)
