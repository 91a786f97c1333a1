"""Mailpit, the local mail server the notifications service sends to: built once from the Go
module proxy (like FerretDB and Jaeger) into the stack's cache, run in the foreground.

It listens on 127.0.0.1 only: SMTP (`mailpit_smtp_port`, 1025 by default) and its web UI and
API (`mailpit_ui_port`, 8025), e.g. `GET /api/v1/search?query=to:<address>`. Messages live in
a database under the stack's data dir, so they survive a restart like everything else.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from .config import StackConfig
from .install import _need_tool, _run, say, timed

MAILPIT_VERSION = "v1.33.1"
MAILPIT_MODULE = "github.com/axllent/mailpit"
# Messages kept before the oldest are pruned: a `make chaos` run sends four per application.
MAX_MESSAGES = 20_000


def mailpit_bin(cfg: StackConfig) -> Path:
    return cfg.bin_dir / "mailpit"


def _marker(cfg: StackConfig) -> Path:
    return cfg.bin_dir / "mailpit.version"


def mailpit_ready(cfg: StackConfig) -> bool:
    marker = _marker(cfg)
    return (
        mailpit_bin(cfg).is_file()
        and marker.is_file()
        and marker.read_text().strip() == MAILPIT_VERSION
    )


def install_mailpit(cfg: StackConfig) -> Path:
    """`go install` the pinned Mailpit into the cache unless it is there (about 45 s)."""
    if mailpit_ready(cfg):
        say(f"mailpit: {MAILPIT_VERSION} already built at {mailpit_bin(cfg)}")
        return mailpit_bin(cfg)
    cfg.bin_dir.mkdir(parents=True, exist_ok=True)
    with open(cfg.cache_dir / ".mailpit.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if mailpit_ready(cfg):
            return mailpit_bin(cfg)
        go = _need_tool("go")
        # Built into a scratch directory and moved in whole: a half-written binary never runs.
        scratch = cfg.bin_dir / "mailpit.build"
        scratch.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "GOBIN": str(scratch),
            "GOFLAGS": "-buildvcs=false",
            "CGO_ENABLED": "0",
        }
        with timed(f"mailpit: go install {MAILPIT_MODULE}@{MAILPIT_VERSION}"):
            _run([go, "install", f"{MAILPIT_MODULE}@{MAILPIT_VERSION}"], env=env, cwd=cfg.cache_dir)
        (scratch / "mailpit").rename(mailpit_bin(cfg))
        scratch.rmdir()
        _marker(cfg).write_text(MAILPIT_VERSION + "\n")
        say(f"mailpit: built {mailpit_bin(cfg)}")
    return mailpit_bin(cfg)


def mailpit_dir(cfg: StackConfig) -> Path:
    return cfg.data_dir / "mailpit"


def ui_url(cfg: StackConfig) -> str:
    return f"http://{cfg.host}:{cfg.mailpit_ui_port}"


def smtp_endpoint(cfg: StackConfig) -> str:
    return f"{cfg.host}:{cfg.mailpit_smtp_port}"


def mailpit_argv(cfg: StackConfig) -> list[str]:
    return [
        str(mailpit_bin(cfg)),
        "--listen",
        f"{cfg.host}:{cfg.mailpit_ui_port}",
        "--smtp",
        smtp_endpoint(cfg),
        "--database",
        str(mailpit_dir(cfg) / "mailpit.db"),
        "--max",
        str(MAX_MESSAGES),
        # Nothing leaves the machine: no update check, no reverse DNS of SMTP clients.
        "--disable-version-check",
        "--smtp-disable-rdns",
        # Errors only: its info lines name senders and recipients, which no log may hold.
        "--quiet",
    ]


def prepare_mailpit(cfg: StackConfig) -> None:
    d = mailpit_dir(cfg)
    d.mkdir(parents=True, exist_ok=True)
    d.chmod(0o700)  # messages hold names and addresses


def probe_mailpit(cfg: StackConfig) -> None:
    """Ready when its API answers `/readyz` with 200 (SMTP listens by then)."""
    import httpx

    httpx.get(ui_url(cfg) + "/readyz", timeout=3.0).raise_for_status()
