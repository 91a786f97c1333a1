"""Starts the platform's services, each as its own process, against one local stack.

`make run` and the test session use the same code, so tests run the services as production
does: separate processes talking over Kafka, each with its own database.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

from amo_localstack._common import tail
from amo_localstack.config import StackConfig, free_port
from amo_localstack.procs import running_pid, spawn, stop_pid, wait_http

# Start order: the consumers before the producers is not required (groups read from the
# earliest offset), but the gateway last, so its first answer finds its upstreams.
SERVICES = ("registration", "documents", "eligibility", "cards", "claims", "gateway")
DEFAULT_PORTS = {"registration": 8101, "documents": 8102, "eligibility": 8103, "cards": 8104,
                 "claims": 8105, "gateway": 8000}


@dataclass(frozen=True)
class ServicePorts:
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))

    @classmethod
    def from_env(cls) -> ServicePorts:
        return cls({name: int(os.environ.get(f"AMO_{name.upper()}_HTTP_PORT", port))
                    for name, port in DEFAULT_PORTS.items()})

    @classmethod
    def free(cls) -> ServicePorts:
        return cls({name: free_port() for name in SERVICES})

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"


def service_env(name: str, cfg: StackConfig, ports: ServicePorts) -> dict[str, str]:
    """The environment of one service process: its own prefix, pointed at this stack."""
    p = f"AMO_{name.upper()}_"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMO_")}
    env.update({
        p + "HTTP_HOST": "127.0.0.1",
        p + "HTTP_PORT": str(ports.ports[name]),
        p + "KAFKA_BOOTSTRAP_SERVERS": cfg.kafka_bootstrap,
        p + "MONGO_URL": cfg.mongo_url,
        p + "LOG_LEVEL": os.environ.get("AMO_LOG_LEVEL", "INFO"),
    })
    if name == "documents":
        env.update({p + "S3_ENDPOINT": cfg.s3_endpoint, p + "S3_ACCESS_KEY": cfg.s3_access_key,
                    p + "S3_SECRET_KEY": cfg.s3_secret_key, p + "S3_BUCKET": cfg.buckets[0]})
    if name == "gateway":
        env.update({p + "REGISTRATION_URL": ports.url("registration"),
                    p + "DOCUMENTS_URL": ports.url("documents")})
    return env


def _pid_file(cfg: StackConfig, name: str):
    return cfg.run_dir / f"svc-{name}.pid"


def start_service(name: str, cfg: StackConfig, ports: ServicePorts) -> int:
    pid = running_pid(_pid_file(cfg, name), marker=f"amo_{name}")
    if pid is None:
        pid = spawn([sys.executable, "-m", f"amo_{name}"], pid_file=_pid_file(cfg, name),
                    log_file=cfg.log_dir / f"{name}.log", cwd=cfg.data_dir,
                    env=service_env(name, cfg, ports))
    return pid


def wait_healthy(name: str, cfg: StackConfig, ports: ServicePorts, timeout: float = 90.0) -> None:
    """Until `/health` answers 200; a process that exited, or never gets healthy, is reported
    with the end of its log, so a failed start explains itself (in CI too)."""
    deadline = time.monotonic() + timeout
    while True:
        if running_pid(_pid_file(cfg, name), marker=f"amo_{name}") is None:
            raise RuntimeError(f"{name} exited during start-up; its log ends:\n{_log_tail(cfg, name)}")
        try:
            wait_http(ports.url(name) + "/health", timeout=min(5.0, timeout), expect_status=200)
            return
        except TimeoutError as exc:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{exc}; {name}'s log ends:\n{_log_tail(cfg, name)}") from None


def _log_tail(cfg: StackConfig, name: str) -> str:
    return tail(cfg.log_dir / f"{name}.log", 40)


def start_services(cfg: StackConfig, ports: ServicePorts, names=SERVICES) -> None:
    """Start `names` (all by default) and wait until every `/health` answers 200."""
    for name in names:
        start_service(name, cfg, ports)
    for name in names:
        wait_healthy(name, cfg, ports)


def stop_service(name: str, cfg: StackConfig, *, hard: bool = False) -> bool:
    pid = running_pid(_pid_file(cfg, name), marker=f"amo_{name}")
    return stop_pid(pid, hard=hard, timeout=20) if pid else False


def stop_services(cfg: StackConfig, names=SERVICES) -> None:
    for name in reversed(names):
        stop_service(name, cfg)


def service_pids(cfg: StackConfig) -> dict[str, int]:
    pids = {}
    for name in SERVICES:
        pid = running_pid(_pid_file(cfg, name), marker=f"amo_{name}")
        if pid:
            pids[name] = pid
    return pids
