"""Start, check and stop the servers of one local stack (one `StackConfig`).

Every server runs in the background in its own session (process group), with a pid file under
`<data dir>/run` and its log under `<data dir>/logs`. Starting again while a server of the same
data dir is alive reuses it; stopping sends SIGTERM, waits, then SIGKILL (PostgreSQL: `pg_ctl
stop -m fast`). Data stays in the data dir, so the next start finds it again.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .config import StackConfig, resource
from .install import install, say, weed_binary
from .procs import (
    pid_alive,
    port_open,
    rss_bytes,
    running_pid,
    spawn,
    stop_pid,
    wait_port,
    wait_until,
)

T = TypeVar("T")

COMPONENTS = ("postgres", "ferretdb", "kafka", "seaweedfs")


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync code, even when called inside a running loop
    (an async test fixture): then it runs on its own loop in a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(fn())
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(fn())
        except BaseException as e:  # noqa: BLE001 - handed back to the caller
            box["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def _pid_file(cfg: StackConfig, name: str) -> Path:
    return cfg.run_dir / f"{name}.pid"


def _log_file(cfg: StackConfig, name: str) -> Path:
    return cfg.log_dir / f"{name}.log"


def _marker(cfg: StackConfig) -> str:
    """Appears in the command line of every server of this stack (a path in its data dir)."""
    return str(cfg.data_dir) + "/"


def _ensure_dirs(cfg: StackConfig) -> None:
    for d in (cfg.data_dir, cfg.run_dir, cfg.log_dir):
        d.mkdir(parents=True, exist_ok=True)


def _check_port_free(cfg: StackConfig, port: int, what: str) -> None:
    if port_open(cfg.host, port):
        raise RuntimeError(
            f"{what}: port {cfg.host}:{port} is already taken by a process that is not this "
            f"stack's (data dir {cfg.data_dir}); stop it or choose other ports (AMO_*_PORT)"
        )


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# =========================================================================== PostgreSQL
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
    log = _log_file(cfg, "postgres")
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


def _pg_postmaster_pid(cfg: StackConfig) -> int | None:
    try:
        pid = int((cfg.pg_data_dir / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if pid_alive(pid, str(cfg.pg_data_dir)) else None


def pg_running(cfg: StackConfig) -> bool:
    return _pg_postmaster_pid(cfg) is not None


def start_postgres(cfg: StackConfig) -> None:
    _ensure_dirs(cfg)
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
        _check_port_free(cfg, cfg.pg_port, "postgres")
        _pg_write_conf(cfg)
        if _is_root():
            _chown_pg(cfg.pg_data_dir / "postgresql.conf")
        # A session of its own, so Ctrl-C in the terminal that ran `make run` does not reach it.
        r = subprocess.run(
            _as_pg_user([str(bin_dir / "pg_ctl"), "-D", str(cfg.pg_data_dir), "-l",
                         str(_log_file(cfg, "postgres")), "-w", "-t", "60", "start"]),
            capture_output=True, text=True, cwd=cfg.pg_dir, start_new_session=True,
            stdin=subprocess.DEVNULL,
        )
        if r.returncode != 0:
            raise RuntimeError(
                f"pg_ctl start failed:\n{r.stdout}\n{r.stderr}\n{_tail(_log_file(cfg, 'postgres'))}"
            )
        say(f"postgres: started on {cfg.host}:{cfg.pg_port}")
    pid = _pg_postmaster_pid(cfg)
    if pid is not None:
        _pid_file(cfg, "postgres").write_text(f"{pid}\n")
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
        _pid_file(cfg, "postgres").unlink(missing_ok=True)
        return
    r = subprocess.run(
        _as_pg_user([str(cfg.pg_bin_dir / "pg_ctl"), "-D", str(cfg.pg_data_dir), "-m", "fast",
                     "-w", "-t", "60", "stop"]),
        capture_output=True, text=True, cwd=cfg.pg_dir,
    )
    if r.returncode != 0:
        pid = _pg_postmaster_pid(cfg)
        if pid:
            stop_pid(pid, timeout=10)
    _pid_file(cfg, "postgres").unlink(missing_ok=True)
    say("postgres: stopped")


# =========================================================================== FerretDB
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
    _ensure_dirs(cfg)
    cfg.ferretdb_dir.mkdir(parents=True, exist_ok=True)
    pid_file = _pid_file(cfg, "ferretdb")
    pid = running_pid(pid_file, _marker(cfg))
    if pid is None:
        _check_port_free(cfg, cfg.mongo_port, "ferretdb")
        _check_port_free(cfg, cfg.ferretdb_debug_port, "ferretdb (debug)")
        pid = spawn(_ferretdb_argv(cfg), pid_file=pid_file, log_file=_log_file(cfg, "ferretdb"),
                    cwd=cfg.ferretdb_dir)
        say(f"ferretdb: started (pid {pid})")
    if wait:
        wait_mongo(cfg, pid)
    return pid


def wait_mongo(cfg: StackConfig, pid: int | None = None) -> None:
    try:
        wait_port(cfg.host, cfg.mongo_port, cfg.start_timeout, pid=pid, what="ferretdb")
        wait_until(lambda: _ping_mongo(cfg), cfg.start_timeout, what="ferretdb", pid=pid)
    except Exception as e:
        raise RuntimeError(f"{e}\n--- ferretdb.log ---\n{_tail(_log_file(cfg, 'ferretdb'))}") from e
    say(f"ferretdb: ready at {cfg.mongo_url}")


def stop_mongo(cfg: StackConfig, *, hard: bool = False) -> None:
    _stop_spawned(cfg, "ferretdb", hard=hard, timeout=15)


def restart_mongo(cfg: StackConfig) -> None:
    stop_mongo(cfg)
    start_mongo(cfg)


# =========================================================================== Kafka
def _kafka_cluster_id(cfg: StackConfig) -> str:
    f = cfg.kafka_dir / "cluster.id"
    if f.is_file():
        return f.read_text().strip()
    cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    f.write_text(cid + "\n")
    return cid


def _kafka_properties(cfg: StackConfig) -> str:
    p, c, h = cfg.kafka_port, cfg.kafka_controller_port, cfg.host
    props = {
        "node.id": "1",
        "process.roles": "broker,controller",
        "listeners": f"PLAINTEXT://{h}:{p},CONTROLLER://{h}:{c}",
        "advertised.listeners": f"PLAINTEXT://{h}:{p}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "controller.quorum.voters": f"1@{h}:{c}",
        "log.dirs": str(cfg.kafka_dir / "data"),
        "num.partitions": "3",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # Topics come only from the setup step (amo_shared.topics), never from a typo.
        "auto.create.topics.enable": "false",
        "group.initial.rebalance.delay.ms": "0",
        "log.retention.hours": "168",
        "log.segment.bytes": str(64 * 1024 * 1024),
    }
    lines = ["# Generated by amo_localstack at each start; edits are overwritten."]
    lines += [f"{k}={v}" for k, v in props.items()]
    return "\n".join(lines) + "\n"


def _java() -> str:
    java = shutil.which("java")
    if not java:
        raise RuntimeError("java not found (Debian: apt-get install openjdk-17-jre-headless)")
    return java


def _kafka_format(cfg: StackConfig, server_props: Path) -> None:
    data = cfg.kafka_dir / "data"
    if (data / "meta.properties").is_file():
        return
    t0 = time.monotonic()
    r = subprocess.run(
        [_java(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
         f"-Dlog4j2.configurationFile={resource('log4j2.properties')}",
         f"-Damo.kafka.logdir={cfg.log_dir}", "-cp", f"{cfg.kafka_libs_dir}/*",
         "kafka.tools.StorageTool", "format", "-t", _kafka_cluster_id(cfg), "-c", str(server_props)],
        capture_output=True, text=True, cwd=cfg.kafka_dir,
    )
    if r.returncode != 0:
        raise RuntimeError(f"kafka storage format failed:\n{r.stdout}\n{r.stderr}")
    say(f"kafka: formatted {data} ({time.monotonic() - t0:.1f}s)")


def start_kafka(cfg: StackConfig, *, wait: bool = True) -> int:
    """Start the broker (formatting its storage the first time); returns its pid."""
    _ensure_dirs(cfg)
    cfg.kafka_dir.mkdir(parents=True, exist_ok=True)
    pid_file = _pid_file(cfg, "kafka")
    pid = running_pid(pid_file, _marker(cfg))
    if pid is None:
        _check_port_free(cfg, cfg.kafka_port, "kafka")
        _check_port_free(cfg, cfg.kafka_controller_port, "kafka (controller)")
        server_props = cfg.kafka_dir / "server.properties"
        server_props.write_text(_kafka_properties(cfg))
        _kafka_format(cfg, server_props)
        argv = [
            _java(),
            f"-Xmx{cfg.kafka_heap}",
            "-Xms128m",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            *cfg.kafka_jvm_opts,
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={resource('log4j2.properties')}",
            f"-Damo.kafka.logdir={cfg.log_dir}",
            "-cp", f"{cfg.kafka_libs_dir}/*",
            "kafka.Kafka",
            str(server_props),
        ]
        pid = spawn(argv, pid_file=pid_file, log_file=_log_file(cfg, "kafka.out"), cwd=cfg.kafka_dir)
        say(f"kafka: started (pid {pid})")
    if wait:
        wait_kafka(cfg, pid)
    return pid


async def _kafka_list_topics(cfg: StackConfig) -> list[str]:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=cfg.kafka_bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        return sorted(await admin.list_topics())
    finally:
        await admin.close()


def wait_kafka(cfg: StackConfig, pid: int | None = None) -> None:
    try:
        wait_port(cfg.host, cfg.kafka_port, cfg.start_timeout, pid=pid, what="kafka")
        wait_until(lambda: run_async(lambda: _kafka_list_topics(cfg)), cfg.start_timeout,
                   what="kafka", pid=pid, interval=0.5)
    except Exception as e:
        raise RuntimeError(f"{e}\n--- kafka.log ---\n{_tail(cfg.log_dir / 'kafka.log')}") from e
    say(f"kafka: ready at {cfg.kafka_bootstrap}")


def stop_kafka(cfg: StackConfig, *, hard: bool = False) -> None:
    """Stop the broker: controlled shutdown (SIGTERM), or a crash (SIGKILL) when `hard`."""
    _stop_spawned(cfg, "kafka", hard=hard, timeout=60)


def restart_kafka(cfg: StackConfig, *, hard: bool = False) -> None:
    stop_kafka(cfg, hard=hard)
    start_kafka(cfg)
    ensure_topics(cfg)


def kafka_topics(cfg: StackConfig) -> list[str]:
    return run_async(lambda: _kafka_list_topics(cfg))


def _wanted_topics(cfg: StackConfig) -> tuple[list[str], int]:
    if cfg.topics is not None:
        topics = list(cfg.topics)
        partitions = cfg.topic_partitions or 3
    else:
        from amo_shared.topics import ALL_TOPICS, DEFAULT_PARTITIONS

        topics = list(ALL_TOPICS)
        partitions = cfg.topic_partitions or DEFAULT_PARTITIONS
    return topics, partitions


async def _ensure_topics(cfg: StackConfig) -> list[str]:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    topics, partitions = _wanted_topics(cfg)
    admin = AIOKafkaAdminClient(bootstrap_servers=cfg.kafka_bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            try:
                resp = await admin.create_topics(
                    [NewTopic(name=t, num_partitions=partitions, replication_factor=1) for t in missing]
                )
            except TopicAlreadyExistsError:
                resp = None
            for err in getattr(resp, "topic_errors", None) or []:
                name, code = err[0], err[1]
                if code not in (0, TopicAlreadyExistsError.errno):
                    raise RuntimeError(f"creating topic {name} failed: error code {code} {err[2:]}")
        return missing
    finally:
        await admin.close()


def ensure_topics(cfg: StackConfig) -> list[str]:
    """Create every topic of amo_shared.topics.ALL_TOPICS that is missing; returns the new ones."""
    created = run_async(lambda: _ensure_topics(cfg))
    topics, partitions = _wanted_topics(cfg)
    say(f"kafka: {len(topics)} topics ({len(created)} created, {partitions} partitions each)")
    return created


# =========================================================================== SeaweedFS
def _seaweed_identities(cfg: StackConfig) -> Path:
    path = cfg.seaweed_dir / "s3-identities.json"
    doc = {
        "identities": [
            {
                "name": "amo-local",
                "credentials": [{"accessKey": cfg.s3_access_key, "secretKey": cfg.s3_secret_key}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")
    path.chmod(0o600)
    return path


def _seaweed_argv(cfg: StackConfig) -> list[str]:
    sw = cfg.seaweed_dir
    argv = [
        str(weed_binary()),
        "-logtostderr",
        "server",
        f"-dir={sw / 'volume'}",
        f"-master.dir={sw / 'master'}",
        f"-ip={cfg.host}",
        f"-ip.bind={cfg.host}",
        f"-master.port={cfg.seaweed_master_port}",
        f"-master.port.grpc={cfg.seaweed_master_grpc_port}",
        "-master.volumeSizeLimitMB=512",
        # A lone master waits one election timeout (10 s by default) before leading again.
        "-master.electionTimeout=1s",
        f"-volume.port={cfg.seaweed_volume_port}",
        f"-volume.port.grpc={cfg.seaweed_volume_grpc_port}",
        "-volume.max=100",
        "-volume.preStopSeconds=0",
        "-filer",
        f"-filer.port={cfg.seaweed_filer_port}",
        f"-filer.port.grpc={cfg.seaweed_filer_grpc_port}",
        "-s3",
        f"-s3.port={cfg.s3_port}",
        f"-s3.port.grpc={cfg.s3_grpc_port}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={_seaweed_identities(cfg)}",
    ]
    # Unix sockets next to the data (default /tmp/seaweedfs-*-<port>.sock) when the path fits.
    for opt, name in (("-filer.localSocket", "filer"), ("-s3.localSocket", "s3")):
        sock = cfg.run_dir / f"seaweedfs-{name}.sock"
        if len(str(sock)) < 100:
            argv.append(f"{opt}={sock}")
    return argv


def minio_client(cfg: StackConfig):
    from minio import Minio

    return Minio(cfg.s3_endpoint, access_key=cfg.s3_access_key, secret_key=cfg.s3_secret_key,
                 secure=False)


def start_seaweedfs(cfg: StackConfig, *, wait: bool = True) -> int:
    _ensure_dirs(cfg)
    for d in ("volume", "master"):
        (cfg.seaweed_dir / d).mkdir(parents=True, exist_ok=True)
    pid_file = _pid_file(cfg, "seaweedfs")
    pid = running_pid(pid_file, _marker(cfg))
    if pid is None:
        for port, what in (
            (cfg.s3_port, "seaweedfs (s3)"),
            (cfg.s3_grpc_port, "seaweedfs (s3 grpc)"),
            (cfg.seaweed_master_port, "seaweedfs (master)"),
            (cfg.seaweed_master_grpc_port, "seaweedfs (master grpc)"),
            (cfg.seaweed_volume_port, "seaweedfs (volume)"),
            (cfg.seaweed_volume_grpc_port, "seaweedfs (volume grpc)"),
            (cfg.seaweed_filer_port, "seaweedfs (filer)"),
            (cfg.seaweed_filer_grpc_port, "seaweedfs (filer grpc)"),
        ):
            _check_port_free(cfg, port, what)
        pid = spawn(_seaweed_argv(cfg), pid_file=pid_file, log_file=_log_file(cfg, "seaweedfs"),
                    cwd=cfg.seaweed_dir)
        say(f"seaweedfs: started (pid {pid})")
    if wait:
        wait_seaweedfs(cfg, pid)
    return pid


def wait_seaweedfs(cfg: StackConfig, pid: int | None = None) -> None:
    client = minio_client(cfg)
    try:
        wait_port(cfg.host, cfg.s3_port, cfg.start_timeout, pid=pid, what="seaweedfs")
        wait_until(lambda: client.bucket_exists(cfg.buckets[0] if cfg.buckets else "amo-probe"),
                   cfg.start_timeout, what="seaweedfs s3", pid=pid, interval=0.5)
    except Exception as e:
        raise RuntimeError(f"{e}\n--- seaweedfs.log ---\n{_tail(_log_file(cfg, 'seaweedfs'))}") from e
    say(f"seaweedfs: S3 ready at {cfg.s3_url}")


def ensure_buckets(cfg: StackConfig) -> list[str]:
    client = minio_client(cfg)
    created = []
    for b in cfg.buckets:
        if not client.bucket_exists(b):
            # The filer may still be settling right after start: retry briefly.
            wait_until(lambda b=b: client.make_bucket(b) if not client.bucket_exists(b) else None,
                       30, what=f"bucket {b}")
            created.append(b)
    say(f"seaweedfs: buckets {', '.join(cfg.buckets)} ({len(created)} created)")
    return created


def stop_seaweedfs(cfg: StackConfig, *, hard: bool = False, grace: float = 1.5) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds. weed's filer always waits a fixed 15 s for
    its own metadata subscriptions before it stops; killing it loses nothing acknowledged
    (volumes and the filer's leveldb are written through to the kernel and checked at start)."""
    _stop_spawned(cfg, "seaweedfs", hard=hard, timeout=grace)


# =========================================================================== the whole stack
def _stop_spawned(cfg: StackConfig, name: str, *, hard: bool, timeout: float) -> None:
    pid_file = _pid_file(cfg, name)
    pid = running_pid(pid_file, _marker(cfg))
    if pid is not None:
        t0 = time.monotonic()
        stop_pid(pid, timeout=timeout, hard=hard)
        say(f"{name}: {'killed' if hard else 'stopped'} (pid {pid}, {time.monotonic() - t0:.1f}s)")
    pid_file.unlink(missing_ok=True)


def start_infra(cfg: StackConfig, *, install_first: bool = False) -> None:
    """Start PostgreSQL, FerretDB, Kafka and SeaweedFS (reusing those already running for this
    data dir), wait until each answers, then create the topics and buckets."""
    t0 = time.monotonic()
    if install_first:
        install(cfg)
    _ensure_dirs(cfg)
    # Slow starters first, in the background; PostgreSQL and FerretDB meanwhile.
    kafka_pid = start_kafka(cfg, wait=False)
    seaweed_pid = start_seaweedfs(cfg, wait=False)
    try:
        start_postgres(cfg)
        start_mongo(cfg)
        wait_kafka(cfg, kafka_pid)
        wait_seaweedfs(cfg, seaweed_pid)
        ensure_topics(cfg)
        ensure_buckets(cfg)
    except BaseException:
        say("start failed: logs in " + str(cfg.log_dir))
        raise
    say(f"infra up in {time.monotonic() - t0:.1f}s")


def stop_infra(cfg: StackConfig) -> None:
    """Stop every server of this data dir (PostgreSQL last); the data stays."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        for f in [pool.submit(fn, cfg) for fn in (stop_kafka, stop_seaweedfs, stop_mongo)]:
            f.result()
    stop_postgres(cfg)


@dataclass
class ComponentStatus:
    name: str
    pid: int | None
    running: bool
    endpoint: str
    answering: bool
    rss_mb: float


def status(cfg: StackConfig) -> list[ComponentStatus]:
    out = []
    for name, port, endpoint in (
        ("postgres", cfg.pg_port, cfg.pg_dsn),
        ("ferretdb", cfg.mongo_port, cfg.mongo_url),
        ("kafka", cfg.kafka_port, cfg.kafka_bootstrap),
        ("seaweedfs", cfg.s3_port, cfg.s3_url),
    ):
        if name == "postgres":
            pid = _pg_postmaster_pid(cfg)
        else:
            pid = running_pid(_pid_file(cfg, name), _marker(cfg))
        out.append(
            ComponentStatus(
                name=name,
                pid=pid,
                running=pid is not None,
                endpoint=endpoint,
                answering=port_open(cfg.host, port),
                rss_mb=round(rss_bytes(pid) / 2**20, 1) if pid else 0.0,
            )
        )
    return out


def stack_rss_mb(cfg: StackConfig) -> float:
    """Resident memory of all the stack's servers (and their children), in MiB."""
    return round(sum(s.rss_mb for s in status(cfg)), 1)


@contextmanager
def temporary_stack(prefix: str = "amo-stack-") -> Iterator[StackConfig]:
    """A whole stack on free ports in a fresh data dir, stopped and removed on exit (tests and
    benchmarks). Not a tmp_path-style private dir: PostgreSQL runs as `postgres`."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    data_dir.chmod(0o755)
    cfg = StackConfig.for_tests(data_dir)
    install(cfg)
    try:
        start_infra(cfg)  # inside the try: a failed start must not leave servers behind
        yield cfg
    finally:
        from amo_localstack.services import stop_services  # the launcher builds on this module

        stop_services(cfg)
        stop_infra(cfg)
        shutil.rmtree(data_dir, ignore_errors=True)
