"""Background processes with pid files: start in their own session, tell if alive, stop.

A pid file holds the pid; a process counts as ours only while it is alive (not a zombie) and its
command line still mentions the marker we started it with (the data dir), so a recycled pid is
never mistaken for a server of this stack.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx


def _read_proc(pid: int, name: str) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return None


def _reap(pid: int) -> None:
    """Collect the exit status of a child of this process, if it is one (no zombie left)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    except OSError:
        pass


def pid_alive(pid: int, marker: str | None = None) -> bool:
    _reap(pid)
    stat = _read_proc(pid, "stat")
    if stat is None:
        return False
    # state is the field after the parenthesised command name
    state = stat.rsplit(b")", 1)[-1].split()[0]
    if state in (b"Z", b"X"):
        return False
    if marker is not None:
        cmdline = _read_proc(pid, "cmdline") or b""
        if marker.encode() not in cmdline:
            return False
    return True


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def running_pid(pid_file: Path, marker: str | None = None) -> int | None:
    """The pid recorded in `pid_file` if that process is still ours and alive."""
    pid = read_pid(pid_file)
    if pid is not None and pid_alive(pid, marker):
        return pid
    return None


def spawn(
    argv: Sequence[str],
    *,
    pid_file: Path,
    log_file: Path,
    cwd: Path,
    env: Mapping[str, str] | None = None,
) -> int:
    """Start `argv` in the background in its own session (own process group, no terminal),
    output appended to `log_file`; record its pid."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} start: {' '.join(argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    pid_file.write_text(f"{proc.pid}\n")
    # The Popen object is dropped on purpose: `pid_alive` reaps the child when it ends.
    proc.returncode = 0  # keep Popen.__del__ from warning about a still-running child
    return proc.pid


def stop_pid(pid: int, *, timeout: float = 30.0, hard: bool = False, marker: str | None = None) -> bool:
    """SIGTERM (or SIGKILL when `hard`) the process group of `pid`, wait, then SIGKILL.

    Returns True if the process was running."""
    if not pid_alive(pid, marker):
        return False
    sig = signal.SIGKILL if hard else signal.SIGTERM
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return False
    target_group = pgid == pid  # started by `spawn`: leader of its own group
    try:
        if target_group:
            os.killpg(pgid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    try:
        if target_group:
            os.killpg(pgid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.05)
    return True


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


def wait_port(host: str, port: int, timeout: float, *, pid: int | None = None, what: str = "") -> None:
    """Wait until something accepts TCP connections on host:port (fails early if `pid` dies)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(host, port):
            return
        if pid is not None and not pid_alive(pid):
            raise RuntimeError(f"{what or 'process'} (pid {pid}) exited before opening {host}:{port}")
        time.sleep(0.1)
    raise TimeoutError(f"{what or 'server'} did not open {host}:{port} within {timeout:.0f}s")


def wait_http(url: str, timeout: float = 30.0, *, expect_status: int | None = None) -> httpx.Response:
    """Poll `url` until it answers (any status below 500, or exactly `expect_status`).

    For the service launcher: wait until a freshly started service's health endpoint answers."""
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


def wait_until(check, timeout: float, *, what: str, interval: float = 0.25, pid: int | None = None):
    """Call `check()` until it returns without raising; re-raise its last error on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except Exception as e:  # noqa: BLE001 - any failure means "not yet"
            if pid is not None and not pid_alive(pid):
                raise RuntimeError(f"{what} (pid {pid}) exited; see its log") from e
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{what} not ready within {timeout:.0f}s: {e!r}") from e
        time.sleep(interval)
