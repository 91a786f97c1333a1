"""The platform's services, each its own process under the stack's supervisord: start them (the
first time after their `prepare` and the hardening step), stop or crash one, their pids.

`make run` and the test session use the same code, so tests run the services as production
does: separate processes talking over Kafka, each with its own database, restarted by the
supervisor when they crash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .config import SERVICES, StackConfig, free_port
from .harden import harden_mongo
from .orchestrator import start_programs, stop_programs
from .programs import programs_for
from .service_programs import WITH_DATABASE, prepare_services, service_env
from .supervision import Supervisor

__all__ = [
    "SERVICES",
    "ServicePorts",
    "service_env",
    "service_pids",
    "start_service",
    "start_services",
    "stop_service",
    "stop_services",
]

DEFAULT_PORTS = {name: StackConfig.model_fields[f"{name}_http_port"].default for name in SERVICES}


@dataclass(frozen=True)
class ServicePorts:
    """Each service's HTTP port (a view of a `StackConfig`'s `<service>_http_port` fields)."""

    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))

    @classmethod
    def of(cls, cfg: StackConfig) -> ServicePorts:
        return cls({name: cfg.http_port(name) for name in SERVICES})

    @classmethod
    def from_env(cls) -> ServicePorts:
        return cls.of(StackConfig.from_env())

    @classmethod
    def free(cls) -> ServicePorts:
        return cls({name: free_port() for name in SERVICES})

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def applied_to(self, cfg: StackConfig) -> StackConfig:
        return cfg.replace(**{f"{name}_http_port": port for name, port in self.ports.items()})


def start_services(
    cfg: StackConfig, ports: ServicePorts | None = None, names: Iterable[str] = SERVICES
) -> None:
    """Start `names` (all by default) and wait until each `/readyz` answers 200. A service's
    first start on this stack runs its `prepare` and the hardening step before it."""
    names = tuple(names)
    if ports is not None and ports != ServicePorts.of(cfg):
        cfg = ports.applied_to(cfg)  # the running supervisord takes the services' new ports
        Supervisor(cfg).ensure_running(programs_for(cfg))
    sup = Supervisor(cfg)
    infos = sup.all_info()
    first = tuple(n for n in names if n in WITH_DATABASE and not infos[n]["start"])
    if first:
        prepare_services(cfg, first)
        harden_mongo(cfg, verbose=False)
    start_programs(cfg, names)


def start_service(name: str, cfg: StackConfig, ports: ServicePorts | None = None) -> int:
    start_services(cfg, ports, names=(name,))
    return service_pids(cfg)[name]


def stop_service(name: str, cfg: StackConfig, *, hard: bool = False) -> bool:
    """Stop `name` cleanly, or as a crash would (`hard`: SIGKILL); it stays down until
    `start_services`. True if it was running."""
    sup = Supervisor(cfg)
    was_running = sup.process_pid(name) is not None
    if hard:
        sup.crash(name)
    else:
        sup.stop(name)
    return was_running


def stop_services(cfg: StackConfig, names: Iterable[str] = SERVICES) -> None:
    sup = Supervisor(cfg)
    if sup.running():
        stop_programs(cfg, sup, names)


def service_pids(cfg: StackConfig) -> dict[str, int]:
    """The pid of every running service (supervisord starts each one directly: no wrapper)."""
    sup = Supervisor(cfg)
    infos = sup.all_info() if sup.running() else {}
    return {
        name: infos[name]["pid"]
        for name in SERVICES
        if name in infos and infos[name]["statename"] in ("RUNNING", "STARTING")
    }
