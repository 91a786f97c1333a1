"""Helpers shared by the programs of one local stack: how a program is launched, its log file,
its ports, the data dir's layout, and running a coroutine from sync code."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .config import StackConfig
from .procs import port_open

T = TypeVar("T")


@dataclass(frozen=True)
class Command:
    """How supervisord runs one program: in the foreground, output to its log file."""

    argv: list[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None  # None: the user running the stack


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
        except BaseException as e:  # handed back to the caller
            box["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def log_path(cfg: StackConfig, name: str) -> Path:
    return cfg.log_dir / f"{name}.log"


def ensure_dirs(cfg: StackConfig) -> None:
    """The data dir and its run/ and logs/; logs readable by their owner only, old files too."""
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    for d in (cfg.run_dir, cfg.log_dir):
        d.mkdir(parents=True, exist_ok=True)
        d.chmod(0o700)
    for f in cfg.log_dir.iterdir():
        if f.is_file() and f.stat().st_mode & 0o077:
            f.chmod(0o600)


def open_private(path: Path, mode: str = "ab"):
    """Open a log file that only its owner can read (created 0600, tightened if it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, mode)


def port_taken(cfg: StackConfig, port: int) -> bool:
    return port_open(cfg.host, port, timeout=0.3)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class StartError(RuntimeError):
    """A program that did not come up: which one, why, and the end of its log."""

    def __init__(self, program: str, reason: str, log: Path | None = None, log_tail: str = ""):
        self.program, self.reason, self.log = program, reason, log
        text = f"{program} did not start: {reason}"
        if log is not None:
            text += f"\n--- end of {log} ---\n{log_tail or '(empty)'}"
        super().__init__(text)
