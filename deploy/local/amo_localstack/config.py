"""One settings object describes one local stack: where its data lives and which ports it uses.

`make run` uses `StackConfig.from_env()`: the defaults below, overridden by `AMO_*` variables
(`AMO_LOCAL_DIR`, `AMO_KAFKA_PORT`, `AMO_CARDS_HTTP_PORT`, ...; `ENV_VARS` lists them all). The
test suite builds a second one with `StackConfig.for_tests(tmp_dir)` (every port picked free, a
temporary data dir, the same binary cache), so both can run at the same time.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent

KAFKA_VERSION = "4.4.0"
FERRETDB_VERSION = "v1.24.2"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
PG_MAJOR = "15"

DEFAULT_BUCKETS: tuple[str, ...] = ("amo-documents",)
SERVICES: tuple[str, ...] = (
    "registration",
    "documents",
    "eligibility",
    "cards",
    "claims",
    "notifications",
    "gateway",
)


def find_repo_root() -> Path:
    """The uv workspace root: the nearest pyproject.toml declaring `[tool.uv.workspace]`, looked
    up from this package (an editable install) and then from the current directory."""
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
    for _ in range(1000):
        port = random.randrange(*FREE_PORT_RANGE)
        if port in _handed_out or port in DEFAULT_PORTS:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free TCP port found on 127.0.0.1")


def _root() -> Path:
    return find_repo_root() / ".local"


def _words(raw: Any, sep: str | None) -> Any:
    if isinstance(raw, str):
        return tuple(w.strip() for w in raw.split(sep) if w.strip())
    return raw


class StackConfig(BaseSettings):
    """Everything that tells one local stack from another. All servers bind 127.0.0.1 only."""

    model_config = SettingsConfigDict(
        env_prefix="AMO_", extra="ignore", frozen=True, env_ignore_empty=True, populate_by_name=True
    )

    data_dir: Path = Field(
        default_factory=lambda: _root() / "data", validation_alias="AMO_LOCAL_DIR"
    )
    cache_dir: Path = Field(default_factory=lambda: _root() / "cache")
    host: str = "127.0.0.1"
    # Kafka (KRaft: broker and controller in one JVM)
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    # The TLS listener (SASL_SSL, the local CA's certificate) for clients from outside the host;
    # `kafka_tls_host` is the address it binds and the name its certificate carries.
    kafka_tls_port: int = 9094
    kafka_tls_host: str = "127.0.0.1"
    kafka_heap: str = "512m"
    # C1 only: the broker answers in about half the time after a (re)start, which the fault tests
    # do often; a local broker's peak throughput is not what limits anything here.
    kafka_jvm_opts: Annotated[tuple[str, ...], NoDecode] = ("-XX:TieredStopAtLevel=1",)
    # PostgreSQL (FerretDB's storage). `pg_home`: where the cluster lives; by default inside the
    # data dir, or under the `postgres` user's home when that user cannot reach the data dir.
    pg_port: int = 54329
    pg_bin_dir: Path = Field(
        Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin"), validation_alias="AMO_PG_BIN"
    )
    pg_home: Path | None = Field(None, validation_alias="AMO_PG_DIR")
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
    buckets: Annotated[tuple[str, ...], NoDecode] = Field(
        DEFAULT_BUCKETS, validation_alias="AMO_S3_BUCKETS"
    )
    # Jaeger, the optional trace viewer (`make run TRACES=1`): UI and OTLP/HTTP receiver
    traces: bool = False
    jaeger_ui_port: int = 16686
    jaeger_otlp_port: int = 4318
    # Mailpit, where the notifications service sends email: SMTP and its web UI + API
    mailpit_smtp_port: int = 1025
    mailpit_ui_port: int = 8025
    # Keycloak, the identity provider (realm `amo`): HTTP, its management interface (health),
    # and its JVM heap (kc.sh's JAVA_OPTS_KC_HEAP). Not 8080: SeaweedFS's volume server's default.
    keycloak_http_port: int = 8180
    keycloak_management_port: int = 9180
    keycloak_heap: str = "-Xms64m -Xmx384m"
    # The services: each one's HTTP port, the same variable the service itself reads
    registration_http_port: int = 8101
    documents_http_port: int = 8102
    eligibility_http_port: int = 8103
    cards_http_port: int = 8104
    claims_http_port: int = 8105
    notifications_http_port: int = 8106
    gateway_http_port: int = 8000
    log_level: str = "INFO"
    # Kafka topics are taken from amo_shared.topics unless given here
    topics: Annotated[tuple[str, ...] | None, NoDecode] = None
    topic_partitions: int | None = None
    # Seconds to wait for a server or service to be ready after its start
    start_timeout: float = 90.0

    @field_validator("buckets", "topics", mode="before")
    @classmethod
    def _comma_list(cls, raw: Any) -> Any:
        return _words(raw, ",")

    @field_validator("kafka_jvm_opts", mode="before")
    @classmethod
    def _space_list(cls, raw: Any) -> Any:
        return _words(raw, None)

    @field_validator("data_dir", "cache_dir", "pg_home", mode="after")
    @classmethod
    def _absolute(cls, p: Path | None) -> Path | None:
        return p.expanduser().resolve() if p is not None else None

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_env(cls) -> StackConfig:
        """The defaults, overridden by `AMO_*` environment variables (see `ENV_VARS`)."""
        return cls()

    @classmethod
    def for_tests(cls, data_dir: Path | str, *, cache_dir: Path | str | None = None) -> StackConfig:
        """A second stack: its own data dir, every port picked free, the shared binary cache."""
        base = cls.from_env()
        changes: dict[str, Any] = {name: free_port() for name in PORT_FIELDS}
        changes["data_dir"] = Path(data_dir).resolve()
        changes["pg_home"] = None
        if cache_dir:
            changes["cache_dir"] = Path(cache_dir).resolve()
        return base.replace(**changes)

    def replace(self, **changes: Any) -> StackConfig:
        return self.model_copy(update=changes)

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

    def http_port(self, service: str) -> int:
        return getattr(self, f"{service}_http_port")

    def service_url(self, service: str) -> str:
        return f"http://{self.host}:{self.http_port(service)}"

    @property
    def mailpit_url(self) -> str:
        """Mailpit's web UI and API."""
        return f"http://{self.host}:{self.mailpit_ui_port}"

    # ----------------------------------------------------------------- layout
    @property
    def run_dir(self) -> Path:
        """supervisord's configuration, socket and own log; the servers' sockets."""
        return self.data_dir / "run"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def kafka_dir(self) -> Path:
        return self.data_dir / "kafka"

    @property
    def ferretdb_dir(self) -> Path:
        return self.data_dir / "ferretdb"

    @property
    def seaweed_dir(self) -> Path:
        return self.data_dir / "seaweedfs"

    @property
    def sms_outbox(self) -> Path:
        """The notifications service's SMS file sink: one JSON line per message (0600)."""
        return self.data_dir / "sms-outbox.jsonl"

    @property
    def data_keys_file(self) -> Path:
        """The data keys (`amo_shared.sealed` spec) of this data dir, made once (0600)."""
        return self.data_dir / "data-keys"

    @property
    def kafka_tls_bootstrap(self) -> str:
        return f"{self.kafka_tls_host}:{self.kafka_tls_port}"

    @property
    def kafka_credentials_file(self) -> Path:
        """Every bus principal's SCRAM password (JSON, made at first run, 0600)."""
        return self.kafka_dir / "credentials.json"

    @property
    def kafka_tls_dir(self) -> Path:
        """The local CA (ca.crt, ca.key) and the broker's key and certificate, made once."""
        return self.kafka_dir / "tls"

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
        """Environment variables that describe this stack, for `StackConfig.from_env()` in
        another process, plus ready-made client endpoints."""
        out = {}
        for name, var in _ENV_OF_FIELD.items():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, tuple):
                value = ("," if name in ("buckets", "topics") else " ").join(value)
            elif isinstance(value, bool):
                value = "1" if value else "0"
            out[var] = str(value)
        out |= {
            "AMO_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "AMO_MONGO_URL": self.mongo_url,
            "AMO_S3_ENDPOINT": self.s3_endpoint,
        }
        return out


PORT_FIELDS: tuple[str, ...] = tuple(
    name for name in StackConfig.model_fields if name.endswith("_port")
)
_ENV_OF_FIELD: dict[str, str] = {
    name: (f.validation_alias if isinstance(f.validation_alias, str) else f"AMO_{name.upper()}")
    for name, f in StackConfig.model_fields.items()
}
# A test stack's ports never take one of `make run`'s.
DEFAULT_PORTS: frozenset[int] = frozenset(
    StackConfig.model_fields[name].default for name in PORT_FIELDS
)
# Every variable `StackConfig.from_env()` reads.
ENV_VARS: tuple[str, ...] = tuple(_ENV_OF_FIELD.values())
