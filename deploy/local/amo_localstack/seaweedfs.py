"""SeaweedFS: master, volume, filer and S3 gateway in one `weed server`, and the buckets."""

from __future__ import annotations

import json
from pathlib import Path

from ._common import (
    ensure_dirs,
    log_path,
    start_spawned,
    stop_spawned,
    tail,
)
from .config import StackConfig
from .install import say, weed_binary
from .procs import wait_port, wait_until


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
    ensure_dirs(cfg)
    for d in ("volume", "master"):
        (cfg.seaweed_dir / d).mkdir(parents=True, exist_ok=True)
    pid = start_spawned(cfg, "seaweedfs", argv=lambda: _seaweed_argv(cfg), cwd=cfg.seaweed_dir,
                        ports=[(cfg.s3_port, "seaweedfs (s3)"),
                               (cfg.s3_grpc_port, "seaweedfs (s3 grpc)"),
                               (cfg.seaweed_master_port, "seaweedfs (master)"),
                               (cfg.seaweed_master_grpc_port, "seaweedfs (master grpc)"),
                               (cfg.seaweed_volume_port, "seaweedfs (volume)"),
                               (cfg.seaweed_volume_grpc_port, "seaweedfs (volume grpc)"),
                               (cfg.seaweed_filer_port, "seaweedfs (filer)"),
                               (cfg.seaweed_filer_grpc_port, "seaweedfs (filer grpc)")])
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
        raise RuntimeError(f"{e}\n--- seaweedfs.log ---\n{tail(log_path(cfg, 'seaweedfs'))}") from e
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
    stop_spawned(cfg, "seaweedfs", hard=hard, timeout=grace)
