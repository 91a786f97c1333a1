"""How each of the platform's services runs against one local stack: its environment, its
command, its readiness probe (`GET /readyz` == 200), and its one-shot `prepare` step."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from amo_shared.sealed import Keyring
from amo_shared.topics import BUS_SERVICES

from . import bus, keycloak
from ._common import Command, StartError, log_path, open_private, tail
from .config import SERVICES, StackConfig
from .install import say

READY_PATH = "/readyz"
# The gateway has no database: nothing to prepare.
WITH_DATABASE = tuple(s for s in SERVICES if s != "gateway")
# Registration seals bank details, claims opens them: both get the data dir's keys.
DATA_KEYS_FOR = ("registration", "claims")


def base_env() -> dict[str, str]:
    """What every program inherits: this environment without the stack's own `AMO_*` settings
    (each service gets exactly its own below)."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AMO_", "SUPERVISOR_")) and "\n" not in v
    }


def service_env(name: str, cfg: StackConfig) -> dict[str, str]:
    """The variables one service process gets on top of `base_env()`: its own prefix, pointed
    at this stack; the user's own `AMO_<SERVICE>_*` settings pass through."""
    p = f"AMO_{name.upper()}_"
    env = {k: v for k, v in os.environ.items() if k.startswith(p)}
    env.update(
        {
            p + "HTTP_HOST": cfg.host,
            p + "HTTP_PORT": str(cfg.http_port(name)),
            p + "KAFKA_BOOTSTRAP_SERVERS": cfg.kafka_bootstrap,
            # Its own principal on the closed bus (the gateway has none: it never touches Kafka).
            **_kafka_credentials(name, cfg, p),
            p + "MONGO_URL": cfg.mongo_url,
            p + "LOG_LEVEL": cfg.log_level,
            # Log lines reach the file as they are written, even just before a crash.
            "PYTHONUNBUFFERED": "1",
        }
    )
    # A local stack is a development one: API docs served (production serves none).
    env.setdefault(p + "ENVIRONMENT", "development")
    if name == "documents":
        env.update(
            {
                p + "S3_ENDPOINT": cfg.s3_endpoint,
                p + "S3_ACCESS_KEY": cfg.s3_access_key,
                p + "S3_SECRET_KEY": cfg.s3_secret_key,
                p + "S3_BUCKET": cfg.buckets[0],
            }
        )
    if name in DATA_KEYS_FOR:
        # One keyring for the data dir: what registration seals, claims must open.
        env.setdefault(p + "DATA_KEYS", data_keys(cfg))
    if name == "notifications":
        env.update(
            {
                p + "SMTP_HOST": cfg.host,
                p + "SMTP_PORT": str(cfg.mailpit_smtp_port),
                p + "SMS_OUTBOX": str(cfg.sms_outbox),
            }
        )
    if name == "gateway":
        # Every local caller is 127.0.0.1 and the test suite, the demo and the chaos run poll and
        # file hundreds of applications: the abuse limits would refuse them. They are tested on
        # their own; `AMO_GATEWAY_RATE_LIMITS_ENABLED=true make run` turns them on here.
        env.setdefault(p + "RATE_LIMITS_ENABLED", "false")
        env.update(
            {
                p + "REGISTRATION_URL": cfg.service_url("registration"),
                p + "DOCUMENTS_URL": cfg.service_url("documents"),
                p + "CARDS_URL": cfg.service_url("cards"),
                p + "CLAIMS_URL": cfg.service_url("claims"),
                # Operators' and facilities' tokens come from the stack's identity provider.
                p + "IDENTITY_ISSUER": keycloak.issuer(cfg),
                # Who opened what, when and why: one JSON line per operator call (0600).
                p + "AUDIT_LOG": str(cfg.log_dir / "audit.jsonl"),
            }
        )
    if cfg.traces:
        env.update(
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://{cfg.host}:{cfg.jaeger_otlp_port}",
                "OTEL_SERVICE_NAME": name,
            }
        )
    return env


def _kafka_credentials(name: str, cfg: StackConfig, prefix: str) -> dict[str, str]:
    if name not in BUS_SERVICES:
        return {}
    return {
        prefix + "KAFKA_USERNAME": name,
        prefix + "KAFKA_PASSWORD": bus.credentials(cfg)[name],
    }


def data_keys(cfg: StackConfig) -> str:
    """The data dir's keyring spec (`amo_shared.sealed`), generated the first time into a 0600
    file; the same spec every start after, so what was sealed still opens."""
    return _made_once(cfg.data_keys_file, Keyring.generate_spec)


def _made_once(path: Path, make: Callable[[], str]) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another start wrote it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(value + "\n")
    return value


def service_command(name: str, cfg: StackConfig) -> Command:
    return Command(
        argv=[sys.executable, "-m", f"amo_{name}"], cwd=cfg.data_dir, env=service_env(name, cfg)
    )


def probe_service(name: str, cfg: StackConfig) -> None:
    """Ready when `/readyz` answers 200 (its database, Kafka, S3 or upstreams all answer)."""
    r = httpx.get(cfg.service_url(name) + READY_PATH, timeout=3.0)
    if r.status_code != 200:
        raise ConnectionError(f"{READY_PATH} answered {r.status_code}: {r.text[:200]}")


def prepare_service(name: str, cfg: StackConfig, timeout: float = 120.0) -> None:
    """`python -m amo_<name> prepare`: its collections and indexes, before anyone writes."""
    log = log_path(cfg, f"{name}-prepare")
    with open_private(log) as out:
        out.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} prepare\n".encode())
        out.flush()
        try:
            r = subprocess.run(
                [sys.executable, "-m", f"amo_{name}", "prepare"],
                cwd=cfg.data_dir,
                env=base_env() | service_env(name, cfg),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise StartError(
                f"{name} prepare", f"did not finish within {timeout:.0f}s", log, tail(log)
            ) from None
    if r.returncode != 0:
        raise StartError(f"{name} prepare", f"exited with status {r.returncode}", log, tail(log))


def prepare_services(cfg: StackConfig, names: tuple[str, ...] = WITH_DATABASE) -> None:
    """Every service's `prepare`, all at once (each is mostly its interpreter starting)."""
    t0 = time.monotonic()
    names = tuple(n for n in names if n in WITH_DATABASE)
    with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
        for f in [pool.submit(prepare_service, n, cfg) for n in names]:
            f.result()
    say(f"services: collections and indexes prepared ({time.monotonic() - t0:.1f}s)")
