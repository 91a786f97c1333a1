"""What the local stack asks of the operating system: is a process alive, how much memory does it
and its children hold, does a port answer, and waiting until something is ready."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

T = TypeVar("T")


def _read_proc(pid: int, name: str) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return None


def pid_alive(pid: int) -> bool:
    """Alive and not a zombie."""
    stat = _read_proc(pid, "stat")
    if stat is None:
        return False
    # the state is the field after the parenthesised command name
    return stat.rsplit(b")", 1)[-1].split()[0] not in (b"Z", b"X")


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        stat = _read_proc(int(entry.name), "stat")
        if not stat:
            continue
        fields = stat.rsplit(b")", 1)[-1].split()
        try:
            ppid = int(fields[1])
        except (IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_bytes(pid: int) -> int:
    """Resident memory of `pid` and its descendants (VmRSS summed)."""
    total = 0
    for p in process_tree(pid):
        status = _read_proc(p, "status")
        if not status:
            continue
        for line in status.splitlines():
            if line.startswith(b"VmRSS:"):
                total += int(line.split()[1]) * 1024
                break
    return total


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_port(host: str, port: int, timeout: float, *, what: str = "") -> None:
    """Wait until something accepts TCP connections on host:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(host, port):
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what or 'server'} did not open {host}:{port} within {timeout:.0f}s")


def wait_http(
    url: str, timeout: float = 30.0, *, expect_status: int | None = None
) -> httpx.Response:
    """Poll `url` until it answers (any status below 500, or exactly `expect_status`)."""
    deadline = time.monotonic() + timeout
    last: Exception | str = "no answer"
    while time.monotonic() < deadline:
        try:
            r = httpx.get(url, timeout=2.0)
            if (expect_status is None and r.status_code < 500) or r.status_code == expect_status:
                return r
            last = f"status {r.status_code}"
        except httpx.HTTPError as e:
            last = e
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s (last: {last})")


def wait_until(check: Callable[[], T], timeout: float, *, what: str, interval: float = 0.25) -> T:
    """Call `check()` until it returns without raising; re-raise its last error on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except Exception as e:  # any failure means "not yet"
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{what} not ready within {timeout:.0f}s: {e!r}") from e
        time.sleep(interval)
