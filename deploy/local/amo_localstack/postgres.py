"""PostgreSQL, the store under FerretDB: where its cluster lives, initdb, its settings, and how
supervisord runs it (`postgres -D ...` in the foreground, as user `postgres` when we are root).

Where the cluster lives: `<data dir>/pg` when the `postgres` user can reach it. As root in a
private clone (a 0700 home or `mktemp -d` directory) it cannot, and the user's directories are
not loosened for it: the cluster goes to `~postgres/amo-localstack/<hash of the data dir>`
instead, owned by `postgres`, mode 0700, tied to this data dir by its `stack.id` (a wiped data
dir gets a fresh cluster, and the stale one is removed). `AMO_PG_DIR` chooses the place.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pwd
import shutil
import subprocess
import time
import uuid
from pathlib import Path

from ._common import Command
from .config import StackConfig
from .install import say

PG_OS_USER = "postgres"


def _is_root() -> bool:
    return os.geteuid() == 0


def _as_pg_user(argv: list[str]) -> list[str]:
    """initdb refuses root: run it as `postgres` then."""
    return ["runuser", "-u", PG_OS_USER, "--", *argv] if _is_root() else argv


def _chown_pg(*paths: Path) -> None:
    if _is_root():
        pw = pwd.getpwnam(PG_OS_USER)
        for p in paths:
            os.lchown(p, pw.pw_uid, pw.pw_gid)


def stack_id(cfg: StackConfig) -> str:
    """A random id written once into the data dir: tells a new data dir from a wiped one."""
    f = cfg.data_dir / "stack.id"
    if not f.is_file():
        cfg.data_dir.mkdir(parents=True, exist_ok=True)
        f.write_text(uuid.uuid4().hex + "\n")
    return f.read_text().strip()


def _reachable_by_postgres(path: Path) -> bool:
    r = subprocess.run(
        ["runuser", "-u", PG_OS_USER, "--", "test", "-x", str(path)], capture_output=True
    )
    return r.returncode == 0


def outside_home(cfg: StackConfig) -> Path:
    base = Path(pwd.getpwnam(PG_OS_USER).pw_dir) / "amo-localstack"
    return base / hashlib.sha256(str(cfg.data_dir).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=32)
def pg_home(cfg: StackConfig) -> Path:
    """The directory holding the cluster (`data/`) and its socket (`socket/`)."""
    if cfg.pg_home is not None:
        return cfg.pg_home
    inside = cfg.data_dir / "pg"
    if not _is_root() or (inside / "data" / "PG_VERSION").exists():
        return inside
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    return inside if _reachable_by_postgres(cfg.data_dir) else outside_home(cfg)


def pg_data_dir(cfg: StackConfig) -> Path:
    return pg_home(cfg) / "data"


def pg_socket_dir(cfg: StackConfig) -> Path:
    return pg_home(cfg) / "socket"


def is_outside(cfg: StackConfig) -> bool:
    return cfg.pg_home is None and pg_home(cfg) == outside_home(cfg)


def _prune_orphans(base: Path) -> None:
    """Remove outside clusters whose data dir is gone (or was wiped and started afresh), unless
    a postmaster still runs from one."""
    for home in base.iterdir() if base.is_dir() else ():
        try:
            data_dir = Path((home / "data-dir").read_text().strip())
            owner = (home / "stack.id").read_text().strip()
            current = (data_dir / "stack.id").read_text().strip() if data_dir.is_dir() else None
        except OSError:
            continue
        if current == owner:
            continue
        try:
            pid = int((home / "data" / "postmaster.pid").read_text().split()[0])
            os.kill(pid, 0)
            continue
        except (OSError, ValueError, IndexError):
            pass
        say(f"postgres: removing the cluster of a former data dir {data_dir}")
        shutil.rmtree(home, ignore_errors=True)


def _claim_outside_home(cfg: StackConfig) -> None:
    """The outside cluster belongs to this data dir's stack id; a stale one is replaced."""
    home, sid = pg_home(cfg), stack_id(cfg)
    _prune_orphans(home.parent)
    owner = home / "stack.id"
    if home.exists() and (not owner.is_file() or owner.read_text().strip() != sid):
        say(f"postgres: removing the cluster of a former data dir at {home}")
        shutil.rmtree(home)
    home.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    home.parent.chmod(0o700)
    _chown_pg(home.parent)
    home.mkdir(exist_ok=True, mode=0o700)
    owner.write_text(sid + "\n")
    (home / "data-dir").write_text(f"{cfg.data_dir}\n")


_CONF_BEGIN = "# --- amo local stack (managed by amo_localstack; rewritten at each start) ---"
_CONF_END = "# --- end amo local stack ---"


def _write_conf(cfg: StackConfig) -> None:
    conf = pg_data_dir(cfg) / "postgresql.conf"
    text = conf.read_text()
    if _CONF_BEGIN in text:
        text = text.split(_CONF_BEGIN)[0].rstrip("\n") + "\n"
    block = "\n".join(
        [
            _CONF_BEGIN,
            f"listen_addresses = '{cfg.host}'",
            f"port = {cfg.pg_port}",
            f"unix_socket_directories = '{pg_socket_dir(cfg)}'",
            # FerretDB sends `_jsonb->$1 @> $2` with parameters: a generic plan cannot use the
            # GIN expression indexes harden_mongo adds; a custom plan per statement can.
            "plan_cache_mode = force_custom_plan",
            "max_connections = 200",
            "shared_buffers = 128MB",
            # stderr, which supervisord writes to logs/postgres.log
            "logging_collector = off",
            "log_min_messages = warning",
            # `stale write` refusals are routine (optimistic locking): no statement text with them
            "log_min_error_statement = fatal",
            _CONF_END,
            "",
        ]
    )
    conf.write_text(text + "\n" + block)


def prepare_postgres(cfg: StackConfig) -> None:
    """Before each start: the cluster's directories, initdb the first time, our settings."""
    home = pg_home(cfg)
    if is_outside(cfg):
        _claim_outside_home(cfg)
    home.mkdir(parents=True, exist_ok=True)
    pg_socket_dir(cfg).mkdir(exist_ok=True)
    _chown_pg(home, pg_socket_dir(cfg))
    data = pg_data_dir(cfg)
    if not (data / "PG_VERSION").exists():
        t0 = time.monotonic()
        r = subprocess.run(
            _as_pg_user(
                [
                    str(cfg.pg_bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    cfg.pg_user,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]
            ),
            capture_output=True,
            text=True,
            cwd=home,
        )
        if r.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{r.stdout}\n{r.stderr}")
        say(f"postgres: initdb {data} ({time.monotonic() - t0:.1f}s)")
    _write_conf(cfg)


def postgres_command(cfg: StackConfig) -> Command:
    return Command(
        argv=[str(cfg.pg_bin_dir / "postgres"), "-D", str(pg_data_dir(cfg))],
        cwd=pg_home(cfg),
        user=PG_OS_USER if _is_root() else None,
    )


def connect(cfg: StackConfig, dbname: str = "postgres", *, timeout: int = 3):
    """A connection to the stack's cluster as its superuser (loopback is trusted), autocommit:
    every caller runs idempotent DDL or a probe."""
    import psycopg

    return psycopg.connect(
        host=cfg.host,
        port=cfg.pg_port,
        user=cfg.pg_user,
        dbname=dbname,
        autocommit=True,
        connect_timeout=timeout,
    )


def probe_postgres(cfg: StackConfig) -> None:
    """Ready when it accepts a connection; creates FerretDB's database the first time."""
    from psycopg import sql

    with connect(cfg) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (cfg.pg_database,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg.pg_database)))
            say(f"postgres: created database {cfg.pg_database}")


def remove_cluster(cfg: StackConfig) -> None:
    """Delete a cluster kept outside the data dir (the data dir's own is deleted with it)."""
    if is_outside(cfg):
        shutil.rmtree(pg_home(cfg), ignore_errors=True)
