"""Starts and stops one stack's programs under its supervisord, in dependency order.

Start order: servers (each once the ones in its `after` are ready) -> topics and buckets ->
each service's `prepare` (collections and indexes) -> hardening (GIN indexes, version guard) ->
services -> gateway. A program counts as started only when its readiness probe passes. A start
that fails stops everything that start started (supervisord too, if it started it) and raises
`StartError` naming the program, the reason and the end of its log.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

from ._common import StartError, ensure_dirs, port_taken, tail
from .config import ENV_VARS, StackConfig
from .harden import harden_mongo
from .install import say
from .kafka import ensure_topics
from .programs import BY_NAME, SERVER, SERVICE, Program, names, programs_for
from .seaweedfs import ensure_buckets
from .service_programs import prepare_services
from .supervision import DOWN_STATES, Supervisor

_ENV_OF = {v.removeprefix("AMO_").lower(): v for v in ENV_VARS}


class _Run:
    """One start: what it started, so that a failure stops exactly that."""

    def __init__(self, cfg: StackConfig, sup: Supervisor):
        self.cfg, self.sup = cfg, sup
        self.started: list[str] = []
        self.lock = threading.Lock()
        self.failed = threading.Event()
        self.culprit: BaseException | None = None

    def bring(self, programs: list[Program]) -> None:
        """Start `programs`, each once its `after` are ready; all at once where they can."""
        ready = {p.name: threading.Event() for p in programs}

        def one(p: Program) -> None:
            for dep in p.after:
                while dep in ready and not ready[dep].wait(0.1):
                    if self.failed.is_set():
                        return
            if self.failed.is_set():
                return
            try:
                self._start(p)
                ready[p.name].set()
            except BaseException as e:
                with self.lock:
                    if not self.failed.is_set():
                        self.culprit = e  # the first failure, not the starts it abandoned
                    self.failed.set()
                raise

        pool = ThreadPoolExecutor(max_workers=max(1, len(programs)))
        try:
            futures = [pool.submit(one, p) for p in programs]
            wait(futures, return_when=FIRST_EXCEPTION)
        except BaseException:  # Ctrl-C: the other starts give up at their next look
            self.failed.set()
            raise
        finally:
            pool.shutdown(wait=True)
        if self.culprit is not None:
            raise self.culprit

    def _start(self, p: Program) -> None:
        cfg, sup = self.cfg, self.sup
        t0 = time.monotonic()
        state = sup.state(p.name)
        ours = state in DOWN_STATES - {"BACKOFF"}  # BACKOFF: supervisord is already retrying
        if ours:
            for field_name, port in p.ports(cfg).items():
                if port_taken(cfg, port):
                    raise StartError(
                        p.name,
                        f"port {cfg.host}:{port} is already taken by another "
                        f"process; stop it or choose another port ({_ENV_OF[field_name]})",
                    )
            if p.prepare:
                p.prepare(cfg)
            sup.start(p.name)
            with self.lock:
                self.started.append(p.name)
        wait_ready(cfg, sup, p, timeout=p.start_timeout, patient=not ours, abort=self.failed)
        say(f"{p.name}: ready in {time.monotonic() - t0:.1f}s ({p.endpoint(cfg)})")

    def undo(self) -> None:
        stop_programs(self.cfg, self.sup, self.started)


def wait_ready(
    cfg: StackConfig,
    sup: Supervisor,
    p: Program,
    *,
    timeout: float | None = None,
    patient: bool = False,
    abort: threading.Event | None = None,
) -> None:
    """Until `p`'s probe passes. A process that exits meanwhile fails at once, with its log;
    `patient`: one supervisord is restarting (after a crash) may exit and come back first;
    `abort`: set when another start of the same run failed."""
    deadline = time.monotonic() + (timeout or cfg.start_timeout)
    last: Exception | None = None
    while True:
        if abort is not None and abort.is_set():
            raise StartError(p.name, "start abandoned: another program failed")
        info = sup.info(p.name)
        down = DOWN_STATES - {"BACKOFF", "EXITED"} if patient else DOWN_STATES
        if info["statename"] in down:
            raise StartError(
                p.name,
                f"exited during start-up ({info['statename'].lower()}: "
                f"{info['description'] or info['spawnerr']})",
                p.log_file(cfg),
                tail(p.log_file(cfg)),
            )
        if info["statename"] in ("RUNNING", "STARTING"):
            try:
                p.probe(cfg)
                return
            except Exception as e:  # any failure means "not yet"
                last = e
        if time.monotonic() > deadline:
            raise StartError(
                p.name,
                f"not ready within {timeout or cfg.start_timeout:.0f}s (last: {last!r})",
                p.log_file(cfg),
                tail(p.log_file(cfg)),
            )
        time.sleep(0.2)


def bring_up(cfg: StackConfig, *, services: bool = True) -> Supervisor:
    """Start what is not running yet: servers, setup, and (`services`) the services."""
    t0 = time.monotonic()
    ensure_dirs(cfg)
    sup = Supervisor(cfg)
    launched = sup.ensure_running(programs_for(cfg))
    run = _Run(cfg, sup)
    try:
        run.bring([BY_NAME[n] for n in names(cfg, SERVER)])
        ensure_topics(cfg)
        ensure_buckets(cfg)
        say(f"servers ready in {time.monotonic() - t0:.1f}s")
        if services:
            prepare_services(cfg)
            harden_mongo(cfg)
            run.bring([BY_NAME[n] for n in names(cfg, SERVICE)])
            say(f"platform ready in {time.monotonic() - t0:.1f}s")
    except BaseException:
        say(
            f"start failed: stopping what this start started ({', '.join(run.started) or 'nothing'})"
        )
        run.undo()
        if launched:
            sup.shutdown()
        raise
    return sup


def start_programs(cfg: StackConfig, program_names: Iterable[str]) -> None:
    """Start these programs (already declared to a running supervisord) and wait until ready;
    on failure, stop those this call started."""
    sup = Supervisor(cfg)
    run = _Run(cfg, sup)
    try:
        run.bring([BY_NAME[n] for n in program_names])
    except BaseException:
        run.undo()
        raise


def stop_programs(cfg: StackConfig, sup: Supervisor, program_names: Iterable[str]) -> None:
    """Stop these programs, dependants before what they depend on, independent ones at once."""
    todo = {n for n in program_names}
    while todo:
        # those no other remaining program depends on
        wave = [
            n
            for n in todo
            if not any(n in BY_NAME[m].after for m in todo if m != n and m in BY_NAME)
        ]
        wave = wave or list(todo)
        with ThreadPoolExecutor(max_workers=len(wave)) as pool:
            for f in [pool.submit(sup.stop, n) for n in wave]:
                f.result()
        todo -= set(wave)


def stop_all(cfg: StackConfig) -> bool:
    """Stop every program of this stack in order, then supervisord; False if nothing ran."""
    sup = Supervisor(cfg)
    if not sup.running():
        return False
    t0 = time.monotonic()
    stop_programs(cfg, sup, sup.all_info())
    sup.shutdown()
    say(f"stopped in {time.monotonic() - t0:.1f}s (data kept in {cfg.data_dir})")
    return True
