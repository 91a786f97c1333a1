"""Helpers shared by the servers of one local stack: pid and log files, ports, stopping."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from .config import StackConfig
from .install import say
from .procs import port_open, running_pid, spawn, stop_pid

T = TypeVar("T")


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


def pid_path(cfg: StackConfig, name: str) -> Path:
    return cfg.run_dir / f"{name}.pid"


def log_path(cfg: StackConfig, name: str) -> Path:
    return cfg.log_dir / f"{name}.log"


def stack_marker(cfg: StackConfig) -> str:
    """Appears in the command line of every server of this stack (a path in its data dir)."""
    return str(cfg.data_dir) + "/"


def ensure_dirs(cfg: StackConfig) -> None:
    for d in (cfg.data_dir, cfg.run_dir, cfg.log_dir):
        d.mkdir(parents=True, exist_ok=True)


def check_port_free(cfg: StackConfig, port: int, what: str) -> None:
    if port_open(cfg.host, port):
        raise RuntimeError(
            f"{what}: port {cfg.host}:{port} is already taken by a process that is not this "
            f"stack's (data dir {cfg.data_dir}); stop it or choose other ports (AMO_*_PORT)"
        )


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start_spawned(cfg: StackConfig, name: str, *, ports: list[tuple[int, str]],
                  argv: Callable[[], list[str]], cwd: Path, log: str | None = None) -> int:
    """Start server `name` unless this stack's process already runs; returns its pid.
    `argv` is called only when a start is needed (it may prepare files first)."""
    pid = running_pid(pid_path(cfg, name), stack_marker(cfg))
    if pid is None:
        for port, what in ports:
            check_port_free(cfg, port, what)
        pid = spawn(argv(), pid_file=pid_path(cfg, name), log_file=log_path(cfg, log or name), cwd=cwd)
        say(f"{name}: started (pid {pid})")
    return pid


def stop_spawned(cfg: StackConfig, name: str, *, hard: bool, timeout: float) -> None:
    pid_file = pid_path(cfg, name)
    pid = running_pid(pid_file, stack_marker(cfg))
    if pid is not None:
        t0 = time.monotonic()
        stop_pid(pid, timeout=timeout, hard=hard)
        say(f"{name}: {'killed' if hard else 'stopped'} (pid {pid}, {time.monotonic() - t0:.1f}s)")
    pid_file.unlink(missing_ok=True)
