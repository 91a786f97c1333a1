"""What runs in one stack: every server and service with its pid, where it answers, its state
under supervisord, whether its readiness probe passes now, and its resident memory."""

from __future__ import annotations

import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

from .config import StackConfig
from .procs import rss_bytes
from .programs import BY_NAME, PROGRAMS, programs_for
from .supervision import Supervisor


@dataclass
class ComponentStatus:
    name: str
    kind: str
    pid: int | None
    state: str  # supervisord's: RUNNING, STARTING, BACKOFF, STOPPED, ... (STOPPED if it is down)
    ready: bool
    url: str | None  # HTTP base URL (a service's `url + "/metrics"` is its metrics), else None
    endpoint: str
    ports: list[int]
    rss_mb: float
    log: str

    @property
    def running(self) -> bool:
        return self.pid is not None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _probe(cfg: StackConfig, name: str) -> bool:
    try:
        BY_NAME[name].probe(cfg)
        return True
    except Exception:  # a probe that fails means "not ready"
        return False


def status(cfg: StackConfig) -> list[ComponentStatus]:
    """Every program of this stack, in start order (those supervisord runs, and those this
    configuration would run)."""
    sup = Supervisor(cfg)
    try:
        infos = sup.all_info() if sup.running() else {}
    except (OSError, xmlrpc.client.Error):
        infos = {}
    wanted = {p.name for p in programs_for(cfg)} | set(infos)
    programs = [p for p in PROGRAMS if p.name in wanted]
    pids = {
        p.name: (infos.get(p.name, {}).get("pid") or None)
        if infos.get(p.name, {}).get("statename") in ("RUNNING", "STARTING")
        else None
        for p in programs
    }
    with ThreadPoolExecutor(max_workers=len(programs)) as pool:
        ready = dict(
            zip(
                [p.name for p in programs],
                pool.map(lambda p: pids[p.name] is not None and _probe(cfg, p.name), programs),
                strict=True,
            )
        )
    return [
        ComponentStatus(
            name=p.name,
            kind=p.kind,
            pid=pids[p.name],
            state=infos.get(p.name, {}).get("statename", "STOPPED"),
            ready=ready[p.name],
            url=p.url(cfg),
            endpoint=p.endpoint(cfg),
            ports=sorted(p.ports(cfg).values()),
            rss_mb=round(rss_bytes(pids[p.name]) / 2**20, 1) if pids[p.name] else 0.0,
            log=str(p.log_file(cfg)),
        )
        for p in programs
    ]


def stack_rss_mb(cfg: StackConfig, kind: str = "server") -> float:
    """Resident memory of the stack's servers (or `kind="service"`, or None: everything), MiB."""
    return round(sum(s.rss_mb for s in status(cfg) if kind in (None, s.kind)), 1)
