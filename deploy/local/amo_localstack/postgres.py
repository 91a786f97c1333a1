"""PostgreSQL: the cluster FerretDB stores its data in (initdb, pg_ctl, its database)."""

from __future__ import annotations

import os
import pwd
import subprocess
import time
from pathlib import Path

from ._common import check_port_free, ensure_dirs, log_path, pid_path, tail
from .config import StackConfig
from .install import say
from .procs import pid_alive, stop_pid, wait_until


def _is_root() -> bool:
    return os.geteuid() == 0


def _as_pg_user(argv: list[str]) -> list[str]:
    """initdb and pg_ctl refuse root: run them as `postgres` then."""
    return ["runuser", "-u", "postgres", "--", *argv] if _is_root() else argv


def _chown_pg(path: Path) -> None:
    if not _is_root():
        return
    pw = pwd.getpwnam("postgres")
    for p in (path, *path.rglob("*")):
        try:
            os.lchown(p, pw.pw_uid, pw.pw_gid)
        except FileNotFoundError:
            pass


def _pg_prepare_dirs(cfg: StackConfig) -> None:
    cfg.pg_dir.mkdir(parents=True, exist_ok=True)
    cfg.pg_socket_dir.mkdir(parents=True, exist_ok=True)
    log = log_path(cfg, "postgres")
    log.touch(exist_ok=True)
    if _is_root():
        if not (cfg.pg_data_dir / "PG_VERSION").exists():
            _chown_pg(cfg.pg_dir)
        else:
            pw = pwd.getpwnam("postgres")
            for p in (cfg.pg_dir, cfg.pg_socket_dir):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        pw = pwd.getpwnam("postgres")
        os.chown(log, pw.pw_uid, pw.pw_gid)
        r = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", str(cfg.pg_dir)])
        if r.returncode != 0:
            raise RuntimeError(
                f"user postgres cannot reach {cfg.pg_dir}: every parent directory needs o+x "
                f"(choose a data dir outside private directories such as /root or a 0700 tmp dir)"
            )


_CONF_BEGIN = "# --- amo local stack (managed by amo_localstack; rewritten at each start) ---"
_CONF_END = "# --- end amo local stack ---"


def _pg_write_conf(cfg: StackConfig) -> None:
    conf = cfg.pg_data_dir / "postgresql.conf"
    text = conf.read_text()
    if _CONF_BEGIN in text:
        text = text.split(_CONF_BEGIN)[0].rstrip("\n") + "\n"
    block = "\n".join(
        [
            _CONF_BEGIN,
            f"listen_addresses = '{cfg.host}'",
            f"port = {cfg.pg_port}",
            f"unix_socket_directories = '{cfg.pg_socket_dir}'",
            # FerretDB sends `_jsonb->$1 @> $2` with parameters: a generic plan cannot use the
            # GIN expression indexes harden_mongo adds; a custom plan per statement can.
            "plan_cache_mode = force_custom_plan",
            "max_connections = 200",
            "shared_buffers = 128MB",
            "logging_collector = off",
            "log_min_messages = warning",
            # `stale write` refusals are routine (optimistic locking): no statement text with them
            "log_min_error_statement = fatal",
            _CONF_END,
            "",
        ]
    )
    conf.write_text(text + "\n" + block)


def postmaster_pid(cfg: StackConfig) -> int | None:
    try:
        pid = int((cfg.pg_data_dir / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if pid_alive(pid, str(cfg.pg_data_dir)) else None


def pg_running(cfg: StackConfig) -> bool:
    return postmaster_pid(cfg) is not None


def start_postgres(cfg: StackConfig) -> None:
    ensure_dirs(cfg)
    bin_dir = cfg.pg_bin_dir
    _pg_prepare_dirs(cfg)
    if not (cfg.pg_data_dir / "PG_VERSION").exists():
        t0 = time.monotonic()
        r = subprocess.run(
            _as_pg_user([str(bin_dir / "initdb"), "-D", str(cfg.pg_data_dir), "-U", cfg.pg_user,
                         "-A", "trust", "-E", "UTF8", "--no-locale"]),
            capture_output=True, text=True, cwd=cfg.pg_dir,
        )
        if r.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{r.stdout}\n{r.stderr}")
        say(f"postgres: initdb {cfg.pg_data_dir} ({time.monotonic() - t0:.1f}s)")
    if pg_running(cfg):
        say(f"postgres: already running on {cfg.host}:{cfg.pg_port}")
    else:
        check_port_free(cfg, cfg.pg_port, "postgres")
        _pg_write_conf(cfg)
        if _is_root():
            _chown_pg(cfg.pg_data_dir / "postgresql.conf")
        # A session of its own, so Ctrl-C in the terminal that ran `make run` does not reach it.
        r = subprocess.run(
            _as_pg_user([str(bin_dir / "pg_ctl"), "-D", str(cfg.pg_data_dir), "-l",
                         str(log_path(cfg, "postgres")), "-w", "-t", "60", "start"]),
            capture_output=True, text=True, cwd=cfg.pg_dir, start_new_session=True,
            stdin=subprocess.DEVNULL,
        )
        if r.returncode != 0:
            raise RuntimeError(
                f"pg_ctl start failed:\n{r.stdout}\n{r.stderr}\n{tail(log_path(cfg, 'postgres'))}"
            )
        say(f"postgres: started on {cfg.host}:{cfg.pg_port}")
    pid = postmaster_pid(cfg)
    if pid is not None:
        pid_path(cfg, "postgres").write_text(f"{pid}\n")
    _pg_ensure_database(cfg)


def _pg_ensure_database(cfg: StackConfig) -> None:
    import psycopg

    def connect():
        return psycopg.connect(
            host=cfg.host, port=cfg.pg_port, user=cfg.pg_user, dbname="postgres",
            autocommit=True, connect_timeout=3,
        )

    conn = wait_until(connect, 30, what="postgres")
    with conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (cfg.pg_database,)
        ).fetchone()
        if not exists:
            from psycopg import sql

            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg.pg_database)))
            say(f"postgres: created database {cfg.pg_database}")


def stop_postgres(cfg: StackConfig) -> None:
    if not pg_running(cfg):
        pid_path(cfg, "postgres").unlink(missing_ok=True)
        return
    r = subprocess.run(
        _as_pg_user([str(cfg.pg_bin_dir / "pg_ctl"), "-D", str(cfg.pg_data_dir), "-m", "fast",
                     "-w", "-t", "60", "stop"]),
        capture_output=True, text=True, cwd=cfg.pg_dir,
    )
    if r.returncode != 0:
        pid = postmaster_pid(cfg)
        if pid:
            stop_pid(pid, timeout=10)
    pid_path(cfg, "postgres").unlink(missing_ok=True)
    say("postgres: stopped")
