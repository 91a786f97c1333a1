"""The session's platform under its supervisord: a killed service comes back by itself, `status`
lists every program with where it answers, and every log file is its owner's only."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from amo_localstack import Supervisor, service_pids, start_services, stop_service
from amo_localstack.config import SERVICES

pytestmark = pytest.mark.stack


def _ready(url: str) -> bool:
    try:
        return httpx.get(url + "/readyz", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.parametrize("name", ["cards", "gateway"])
def test_a_sigkilled_service_is_ready_again_within_30_s_with_nobody_acting(platform, name):
    cfg = platform.stack.cfg
    before = service_pids(cfg)[name]
    os.kill(before, signal.SIGKILL)
    t0 = time.monotonic()
    while not _ready(platform.url(name)):
        assert time.monotonic() - t0 < 30, f"{name} not ready 30 s after a SIGKILL"
        time.sleep(0.2)
    back = time.monotonic() - t0
    print(f"{name}: SIGKILL -> /readyz 200 in {back:.1f} s")
    after = service_pids(cfg)[name]
    assert after != before, "a new process serves, started by supervisord"


def test_a_crashed_service_stays_down_until_started_again(platform):
    cfg = platform.stack.cfg
    assert stop_service("claims", cfg, hard=True)
    time.sleep(4)  # longer than supervisord's restart of a process that crashed on its own
    assert Supervisor(cfg).state("claims") == "STOPPED" and "claims" not in service_pids(cfg)
    start_services(cfg, platform.ports, names=("claims",))
    assert _ready(platform.url("claims"))


def test_status_json_lists_every_program_with_its_url_readiness_and_memory(platform):
    cfg = platform.stack.cfg
    out = subprocess.run(
        [sys.executable, "-m", "amo_localstack", "status", "--format", "json"],
        env={**os.environ, **cfg.env()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert {"postgres", "ferretdb", "kafka", "seaweedfs", *SERVICES} <= set(rows)
    for name in ("postgres", "ferretdb", "kafka"):
        assert rows[name]["url"] is None and rows[name]["ready"] is True, rows[name]
    for name in SERVICES:
        row = rows[name]
        assert row["ready"] is True and row["state"] == "RUNNING" and row["pid"] > 0, row
        assert row["rss_mb"] > 10, row
        metrics = httpx.get(row["url"] + "/metrics", timeout=5.0)
        assert metrics.status_code == 200, name
        assert metrics.headers["content-type"].startswith("text/plain"), name
        assert "# TYPE " in metrics.text, name


def test_every_log_file_is_readable_by_its_owner_only(platform):
    log_dir = platform.stack.cfg.log_dir
    assert log_dir.stat().st_mode & 0o077 == 0
    files = [f for f in log_dir.iterdir() if f.is_file()]
    assert {
        f"{name}.log" for name in ("postgres", "ferretdb", "kafka", "seaweedfs", *SERVICES)
    } <= {f.name for f in files}
    loose = {f.name: oct(f.stat().st_mode & 0o777) for f in files if f.stat().st_mode & 0o077}
    assert not loose, loose
