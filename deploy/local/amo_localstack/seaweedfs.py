"""SeaweedFS: master, volume, filer and S3 gateway in one `weed server`, and the buckets."""

from __future__ import annotations

import json
from pathlib import Path

from ._common import Command
from .config import StackConfig
from .install import say, weed_binary
from .procs import port_open, wait_until


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


def seaweedfs_command(cfg: StackConfig) -> Command:
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
        f"-s3.config={sw / 's3-identities.json'}",
    ]
    # Unix sockets next to the data (default /tmp/seaweedfs-*-<port>.sock) when the path fits.
    for opt, name in (("-filer.localSocket", "filer"), ("-s3.localSocket", "s3")):
        sock = cfg.run_dir / f"seaweedfs-{name}.sock"
        if len(str(sock)) < 100:
            argv.append(f"{opt}={sock}")
    return Command(argv=argv, cwd=sw)


def minio_client(cfg: StackConfig, *, quick: bool = False):
    """An S3 client of this stack; `quick`: no retries and short timeouts (readiness probes)."""
    from minio import Minio

    http = None
    if quick:
        import urllib3

        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=2, read=5), retries=urllib3.Retry(total=0)
        )
    return Minio(
        cfg.s3_endpoint,
        access_key=cfg.s3_access_key,
        secret_key=cfg.s3_secret_key,
        secure=False,
        http_client=http,
    )


def prepare_seaweedfs(cfg: StackConfig) -> None:
    for d in ("volume", "master"):
        (cfg.seaweed_dir / d).mkdir(parents=True, exist_ok=True)
    _seaweed_identities(cfg)


def probe_seaweedfs(cfg: StackConfig) -> None:
    """Ready when the S3 gateway answers a signed request."""
    if not port_open(cfg.host, cfg.s3_port):
        raise ConnectionError(f"nothing listens on {cfg.s3_url}")
    minio_client(cfg, quick=True).bucket_exists(cfg.buckets[0] if cfg.buckets else "amo-probe")


def ensure_buckets(cfg: StackConfig) -> list[str]:
    client = minio_client(cfg)
    created = []
    for b in cfg.buckets:
        if not client.bucket_exists(b):
            # The filer may still be settling right after start: retry briefly.
            wait_until(
                lambda b=b: client.make_bucket(b) if not client.bucket_exists(b) else None,
                30,
                what=f"bucket {b}",
            )
            created.append(b)
    say(f"seaweedfs: buckets {', '.join(cfg.buckets)} ({len(created)} created)")
    return created
