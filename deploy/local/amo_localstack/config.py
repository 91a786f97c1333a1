"""One object describes one local stack: where its data lives and which ports it listens on.

`make run` uses `StackConfig.from_env()`: the default ports below, data in `<repo>/.local/data`
(`AMO_LOCAL_DIR`), downloads and builds in `<repo>/.local/cache` (`AMO_CACHE_DIR`). The test
suite builds a second one with `StackConfig.for_tests(tmp_dir)` (free ports, temporary data dir,
same binary cache), so both can run at the same time.
"""

from __future__ import annotations

import dataclasses
import os
import random
import socket
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

KAFKA_VERSION = "4.4.0"
FERRETDB_VERSION = "v1.24.2"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
PG_MAJOR = "15"

DEFAULT_BUCKETS: tuple[str, ...] = ("amo-documents",)


def find_repo_root() -> Path:
    """The uv workspace root: the nearest pyproject.toml declaring `[tool.uv.workspace]`.

    Looked up from this package (an editable workspace install) and then from the current
    directory; the current directory if neither finds one.
    """
    for start in (PACKAGE_DIR, Path.cwd().resolve()):
        for d in (start, *start.parents):
            pp = d / "pyproject.toml"
            try:
                if pp.is_file() and "[tool.uv.workspace]" in pp.read_text(encoding="utf-8"):
                    return d
            except OSError:
                continue
    return Path.cwd().resolve()


def resource(name: str) -> Path:
    """A file shipped beside the package (pom.xml, log4j2.properties)."""
    for d in (PACKAGE_DIR, PACKAGE_DIR.parent):
        p = d / name
        if p.is_file():
            return p
    raise FileNotFoundError(f"{name} not found next to {PACKAGE_DIR}")


_handed_out: set[int] = set()
# Below Linux's ephemeral range (32768-60999), so an outgoing connection's local port never
# takes a port we picked before its server binds it.
FREE_PORT_RANGE = (20000, 32000)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, never the same twice in this process, and outside both
    the kernel's ephemeral range and the stack's default ports."""
    reserved = {9092, 9093, 54329, 27017, 28017, 8333, 18333, 9333, 19333, 9334, 19334, 8888, 18888}
    for _ in range(1000):
        port = random.randrange(*FREE_PORT_RANGE)
        if port in _handed_out or port in reserved:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free TCP port found on 127.0.0.1")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _env_str(name: str, default: str) -> str:
    raw = os.environ.get(name)
    return raw if raw not in (None, "") else default


@dataclass(frozen=True)
class StackConfig:
    """Everything that tells one local stack from another. All servers bind 127.0.0.1 only."""

    data_dir: Path
    cache_dir: Path
    host: str = "127.0.0.1"
    # Kafka (KRaft: broker and controller in one JVM)
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    kafka_heap: str = "512m"
    # C1 only: the broker answers in about half the time after a (re)start, which the fault tests
    # do often; a local broker's peak throughput is not what limits anything here.
    kafka_jvm_opts: tuple[str, ...] = ("-XX:TieredStopAtLevel=1",)
    # PostgreSQL (FerretDB's storage)
    pg_port: int = 54329
    pg_bin_dir: Path = Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin")
    pg_user: str = "postgres"
    pg_database: str = "ferretdb"
    # FerretDB (Mongo wire protocol)
    mongo_port: int = 27017
    ferretdb_debug_port: int = 28017
    # SeaweedFS (S3); each gRPC port is given explicitly so two stacks never collide
    s3_port: int = 8333
    s3_grpc_port: int = 18333
    seaweed_master_port: int = 9333
    seaweed_master_grpc_port: int = 19333
    seaweed_volume_port: int = 9334
    seaweed_volume_grpc_port: int = 19334
    seaweed_filer_port: int = 8888
    seaweed_filer_grpc_port: int = 18888
    s3_access_key: str = "amo-local"
    s3_secret_key: str = "amo-local-secret"
    buckets: tuple[str, ...] = DEFAULT_BUCKETS
    # Kafka topics are taken from amo_shared.topics unless given here
    topics: tuple[str, ...] | None = None
    topic_partitions: int | None = None
    # Seconds to wait for a server to answer after its start
    start_timeout: float = 90.0

    # ----------------------------------------------------------------- constructors
    @classmethod
    def default(cls) -> StackConfig:
        root = find_repo_root()
        return cls(data_dir=root / ".local" / "data", cache_dir=root / ".local" / "cache")

    @classmethod
    def from_env(cls) -> StackConfig:
        """The defaults, overridden by `AMO_*` environment variables (see `ENV_VARS`)."""
        root = find_repo_root()
        data_dir = Path(_env_str("AMO_LOCAL_DIR", str(root / ".local" / "data"))).expanduser().resolve()
        cache_default = root / ".local" / "cache"
        cache_dir = Path(_env_str("AMO_CACHE_DIR", str(cache_default))).expanduser().resolve()
        d = cls(data_dir=data_dir, cache_dir=cache_dir)
        buckets_raw = os.environ.get("AMO_S3_BUCKETS")
        buckets = (
            tuple(b.strip() for b in buckets_raw.split(",") if b.strip())
            if buckets_raw
            else d.buckets
        )
        return dataclasses.replace(
            d,
            kafka_port=_env_int("AMO_KAFKA_PORT", d.kafka_port),
            kafka_controller_port=_env_int("AMO_KAFKA_CONTROLLER_PORT", d.kafka_controller_port),
            kafka_heap=_env_str("AMO_KAFKA_HEAP", d.kafka_heap),
            kafka_jvm_opts=tuple(os.environ["AMO_KAFKA_JVM_OPTS"].split())
            if "AMO_KAFKA_JVM_OPTS" in os.environ
            else d.kafka_jvm_opts,
            pg_port=_env_int("AMO_PG_PORT", d.pg_port),
            pg_bin_dir=Path(_env_str("AMO_PG_BIN", str(d.pg_bin_dir))),
            mongo_port=_env_int("AMO_MONGO_PORT", d.mongo_port),
            ferretdb_debug_port=_env_int("AMO_FERRETDB_DEBUG_PORT", d.ferretdb_debug_port),
            s3_port=_env_int("AMO_S3_PORT", d.s3_port),
            s3_grpc_port=_env_int("AMO_S3_GRPC_PORT", d.s3_grpc_port),
            seaweed_master_port=_env_int("AMO_SEAWEED_MASTER_PORT", d.seaweed_master_port),
            seaweed_master_grpc_port=_env_int(
                "AMO_SEAWEED_MASTER_GRPC_PORT", d.seaweed_master_grpc_port
            ),
            seaweed_volume_port=_env_int("AMO_SEAWEED_VOLUME_PORT", d.seaweed_volume_port),
            seaweed_volume_grpc_port=_env_int(
                "AMO_SEAWEED_VOLUME_GRPC_PORT", d.seaweed_volume_grpc_port
            ),
            seaweed_filer_port=_env_int("AMO_SEAWEED_FILER_PORT", d.seaweed_filer_port),
            seaweed_filer_grpc_port=_env_int(
                "AMO_SEAWEED_FILER_GRPC_PORT", d.seaweed_filer_grpc_port
            ),
            s3_access_key=_env_str("AMO_S3_ACCESS_KEY", d.s3_access_key),
            s3_secret_key=_env_str("AMO_S3_SECRET_KEY", d.s3_secret_key),
            buckets=buckets,
        )

    @classmethod
    def for_tests(cls, data_dir: Path | str, *, cache_dir: Path | str | None = None) -> StackConfig:
        """A second stack: its own data dir, every port picked free, the shared binary cache."""
        base = cls.from_env()
        ports = {name: free_port() for name in PORT_FIELDS}
        return dataclasses.replace(
            base,
            data_dir=Path(data_dir).resolve(),
            cache_dir=Path(cache_dir).resolve() if cache_dir else base.cache_dir,
            **ports,
        )

    def replace(self, **changes: object) -> StackConfig:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    # ----------------------------------------------------------------- endpoints
    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://{self.host}:{self.mongo_port}/"

    @property
    def s3_endpoint(self) -> str:
        """host:port, as the minio SDK wants it (plain HTTP)."""
        return f"{self.host}:{self.s3_port}"

    @property
    def s3_url(self) -> str:
        return f"http://{self.host}:{self.s3_port}"

    @property
    def pg_dsn(self) -> str:
        """libpq DSN of the FerretDB database (trust authentication, loopback only)."""
        return f"postgresql://{self.pg_user}@{self.host}:{self.pg_port}/{self.pg_database}"

    @property
    def ferretdb_pg_url(self) -> str:
        return f"postgres://{self.pg_user}@{self.host}:{self.pg_port}/{self.pg_database}"

    # ----------------------------------------------------------------- layout
    @property
    def run_dir(self) -> Path:
        return self.data_dir / "run"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def kafka_dir(self) -> Path:
        return self.data_dir / "kafka"

    @property
    def pg_dir(self) -> Path:
        return self.data_dir / "pg"

    @property
    def pg_data_dir(self) -> Path:
        return self.pg_dir / "data"

    @property
    def pg_socket_dir(self) -> Path:
        return self.pg_dir / "socket"

    @property
    def ferretdb_dir(self) -> Path:
        return self.data_dir / "ferretdb"

    @property
    def seaweed_dir(self) -> Path:
        return self.data_dir / "seaweedfs"

    @property
    def kafka_libs_dir(self) -> Path:
        return self.cache_dir / "kafka-libs"

    @property
    def bin_dir(self) -> Path:
        return self.cache_dir / "bin"

    @property
    def ferretdb_bin(self) -> Path:
        return self.bin_dir / "ferretdb"

    def all_ports(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in PORT_FIELDS}

    def env(self) -> dict[str, str]:
        """Environment variables that describe this stack, for subprocesses (the services)
        and for `StackConfig.from_env()` in another process."""
        return {
            "AMO_LOCAL_DIR": str(self.data_dir),
            "AMO_CACHE_DIR": str(self.cache_dir),
            "AMO_KAFKA_PORT": str(self.kafka_port),
            "AMO_KAFKA_CONTROLLER_PORT": str(self.kafka_controller_port),
            "AMO_PG_PORT": str(self.pg_port),
            "AMO_MONGO_PORT": str(self.mongo_port),
            "AMO_FERRETDB_DEBUG_PORT": str(self.ferretdb_debug_port),
            "AMO_S3_PORT": str(self.s3_port),
            "AMO_S3_GRPC_PORT": str(self.s3_grpc_port),
            "AMO_SEAWEED_MASTER_PORT": str(self.seaweed_master_port),
            "AMO_SEAWEED_MASTER_GRPC_PORT": str(self.seaweed_master_grpc_port),
            "AMO_SEAWEED_VOLUME_PORT": str(self.seaweed_volume_port),
            "AMO_SEAWEED_VOLUME_GRPC_PORT": str(self.seaweed_volume_grpc_port),
            "AMO_SEAWEED_FILER_PORT": str(self.seaweed_filer_port),
            "AMO_SEAWEED_FILER_GRPC_PORT": str(self.seaweed_filer_grpc_port),
            "AMO_S3_ACCESS_KEY": self.s3_access_key,
            "AMO_S3_SECRET_KEY": self.s3_secret_key,
            "AMO_S3_BUCKETS": ",".join(self.buckets),
            # Ready-made endpoints for clients
            "AMO_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "AMO_MONGO_URL": self.mongo_url,
            "AMO_S3_ENDPOINT": self.s3_endpoint,
        }


PORT_FIELDS: tuple[str, ...] = (
    "kafka_port",
    "kafka_controller_port",
    "pg_port",
    "mongo_port",
    "ferretdb_debug_port",
    "s3_port",
    "s3_grpc_port",
    "seaweed_master_port",
    "seaweed_master_grpc_port",
    "seaweed_volume_port",
    "seaweed_volume_grpc_port",
    "seaweed_filer_port",
    "seaweed_filer_grpc_port",
)

# Every variable `StackConfig.from_env()` reads.
ENV_VARS: tuple[str, ...] = (
    "AMO_LOCAL_DIR",
    "AMO_CACHE_DIR",
    "AMO_KAFKA_PORT",
    "AMO_KAFKA_CONTROLLER_PORT",
    "AMO_KAFKA_HEAP",
    "AMO_KAFKA_JVM_OPTS",
    "AMO_PG_PORT",
    "AMO_PG_BIN",
    "AMO_MONGO_PORT",
    "AMO_FERRETDB_DEBUG_PORT",
    "AMO_S3_PORT",
    "AMO_S3_GRPC_PORT",
    "AMO_SEAWEED_MASTER_PORT",
    "AMO_SEAWEED_MASTER_GRPC_PORT",
    "AMO_SEAWEED_VOLUME_PORT",
    "AMO_SEAWEED_VOLUME_GRPC_PORT",
    "AMO_SEAWEED_FILER_PORT",
    "AMO_SEAWEED_FILER_GRPC_PORT",
    "AMO_S3_ACCESS_KEY",
    "AMO_S3_SECRET_KEY",
    "AMO_S3_BUCKETS",
)
