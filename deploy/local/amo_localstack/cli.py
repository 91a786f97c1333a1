"""`python -m amo_localstack COMMAND` (also `amo-localstack COMMAND`): the local stack from a shell.

`make run` = `up`, `make stop` = `down`. Every command reads its `StackConfig` from the
environment (`AMO_LOCAL_DIR`, `AMO_KAFKA_PORT`, ... see config.ENV_VARS).

`up` runs its steps in order: install, infra, services, setup. The services step calls
`amo_localstack.services.start_services(cfg, ServicePorts.from_env())` when that module exists
(and `down` calls its `stop_services(cfg)` first).
"""

from __future__ import annotations

import importlib
import signal
import time
from types import ModuleType

import typer

from .config import ENV_VARS, StackConfig
from .harden import harden_mongo
from .infra import ensure_topics, kafka_topics, stack_rss_mb, start_infra, status as stack_status, stop_infra
from .install import install as install_stack

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="The local stack (Kafka, FerretDB on PostgreSQL, SeaweedFS) on 127.0.0.1, no Docker.",
)


def _cfg() -> StackConfig:
    return StackConfig.from_env()


def _services_module() -> ModuleType | None:
    """amo_localstack.services if it exists (the service launcher), else None."""
    name = f"{__package__}.services"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name == name:
            return None
        raise


def print_endpoints(cfg: StackConfig) -> None:
    typer.echo("")
    typer.echo(f"  kafka       {cfg.kafka_bootstrap}")
    typer.echo(f"  mongo       {cfg.mongo_url}   (FerretDB on PostgreSQL {cfg.pg_dsn})")
    typer.echo(f"  s3          {cfg.s3_url}   access key {cfg.s3_access_key}, buckets: "
               f"{', '.join(cfg.buckets)}")
    typer.echo(f"  data        {cfg.data_dir}")
    typer.echo(f"  logs        {cfg.log_dir}")


# --------------------------------------------------------------------------- up: the steps
def step_install(cfg: StackConfig) -> None:
    install_stack(cfg)


def step_infra(cfg: StackConfig) -> None:
    start_infra(cfg)


def step_services(cfg: StackConfig) -> bool:
    """Start the services (if a launcher exists); True when some were started."""
    mod = _services_module()
    if mod is None or not hasattr(mod, "start_services"):
        return False
    ports_cls = getattr(mod, "ServicePorts", None)
    if ports_cls is not None:
        mod.start_services(cfg, ports_cls.from_env())
    else:
        mod.start_services(cfg)
    return True


def step_setup(cfg: StackConfig) -> None:
    harden_mongo(cfg)


@app.command()
def up(
    services: bool = typer.Option(True, "--services/--infra-only",
                                  help="Also start the platform's services (when a launcher exists)."),
    foreground: bool = typer.Option(False, "--foreground",
                                    help="Stay attached; Ctrl-C (or `make stop`) stops everything."),
) -> None:
    """Install what is missing, start the infrastructure (and the services), then set up."""
    cfg = _cfg()
    t0 = time.monotonic()
    step_install(cfg)
    step_infra(cfg)
    started = services and step_services(cfg)
    if started:
        # The services created their collections: add the indexes and version guards.
        step_setup(cfg)
    print_endpoints(cfg)
    if started:
        ports = _services_module().ServicePorts.from_env()
        typer.echo(f"  gateway     {ports.url('gateway')}   (OpenAPI: {ports.url('gateway')}/docs)")
    typer.echo(f"\nup in {time.monotonic() - t0:.1f}s")
    if not foreground:
        typer.echo("stop with `make stop` (python -m amo_localstack down)")
        return
    typer.echo("Ctrl-C stops everything (data is kept)")
    _watch(cfg)


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def _watch(cfg: StackConfig) -> None:
    """Stay attached until Ctrl-C or SIGTERM, saying when a service process ends, then stop all."""
    # Explicit, as a background job of a non-interactive shell starts with SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    mod = _services_module()
    known = set(mod.service_pids(cfg)) if mod else set()
    try:
        while True:
            time.sleep(2)
            alive = set(mod.service_pids(cfg)) if mod else set()
            for name in sorted(known - alive):
                typer.echo(f"! {name} stopped; see {cfg.log_dir / (name + '.log')}", err=True)
            known = alive
            if not alive and not any(s.running for s in stack_status(cfg)):
                return  # stopped from elsewhere (`make stop`)
    except KeyboardInterrupt:
        # Ctrl-C reaches this process twice (from the terminal and forwarded by `uv run`):
        # a second interrupt must not cut the clean stop short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        typer.echo("\nstopping…")
        down()


@app.command()
def replay(service: str = typer.Argument(..., help="registration, documents, eligibility, cards or claims")) -> None:
    """Have SERVICE replay its own dead letters (after the cause is fixed); prints what happened."""
    import httpx

    ports = _services_module().ServicePorts.from_env()
    response = httpx.post(ports.url(service) + "/operations/dead-letters/replay", timeout=300)
    response.raise_for_status()
    for r in response.json():
        typer.echo(f"  {r['topic']}.dlt ({r['group']}): {r['replayed']} replayed, "
                   f"{r['processed']} processed, {r['parked_again']} parked again")


@app.command(name="create-topics")
def create_topics(
    bootstrap: str = typer.Option(..., help="host:port of a broker, e.g. kafka:9092"),
) -> None:
    """Create every topic and its .dlt on an existing broker (docker-compose's setup step)."""
    host, _, port = bootstrap.rpartition(":")
    ensure_topics(_cfg().replace(host=host, kafka_port=int(port)))


@app.command()
def down() -> None:
    """Stop the services (if any) and the infrastructure; the data stays."""
    cfg = _cfg()
    mod = _services_module()
    if mod is not None and hasattr(mod, "stop_services"):
        mod.stop_services(cfg)
    stop_infra(cfg)


@app.command()
def install() -> None:
    """Fetch/build Kafka's jars, FerretDB and check PostgreSQL and SeaweedFS (idempotent)."""
    install_stack(_cfg())


@app.command()
def setup() -> None:
    """GIN lookup indexes and `_v` version guards on every FerretDB collection (idempotent)."""
    harden_mongo(_cfg())


@app.command()
def status() -> None:
    """What runs, where, and its resident memory."""
    cfg = _cfg()
    rows = stack_status(cfg)
    for s in rows:
        state = "up" if s.running and s.answering else ("starting?" if s.running else "down")
        typer.echo(f"  {s.name:<10} {state:<9} pid {str(s.pid or '-'):<8} "
                   f"rss {s.rss_mb:>7.1f} MiB  {s.endpoint}")
    typer.echo(f"  total rss {stack_rss_mb(cfg):.1f} MiB; data {cfg.data_dir}")
    if not all(s.running for s in rows):
        raise typer.Exit(code=3)


@app.command()
def topics() -> None:
    """List the broker's topics."""
    for t in kafka_topics(_cfg()):
        typer.echo(t)


@app.command()
def env() -> None:
    """Print this stack's settings as shell exports (`eval "$(python -m amo_localstack env)"`)."""
    for k, v in _cfg().env().items():
        typer.echo(f"export {k}={v}")


@app.command(name="env-vars", hidden=True)
def env_vars() -> None:
    for k in ENV_VARS:
        typer.echo(k)
