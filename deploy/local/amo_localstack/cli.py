"""`python -m amo_localstack COMMAND` (also `amo-localstack COMMAND`): the local stack from a shell.

`make run` = `up --foreground`, `make stop` = `down`, `make status` = `status`. Every command
reads its `StackConfig` from the environment (`AMO_LOCAL_DIR`, `AMO_KAFKA_PORT`, ... see
`env-vars`).
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from typing import TypeVar

import httpx
import typer

from . import identity, keycloak
from ._common import StartError
from .config import ENV_VARS, StackConfig
from .harden import harden_mongo
from .install import install as install_stack
from .kafka import ensure_topics, kafka_topics
from .orchestrator import bring_up, stop_all
from .status import status as stack_status
from .supervision import Supervisor

T = TypeVar("T")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="The local stack (Kafka, FerretDB on PostgreSQL, SeaweedFS) and the services on "
    "127.0.0.1 under supervisord, no Docker.",
)


def _cfg(traces: bool = False) -> StackConfig:
    cfg = StackConfig.from_env()
    return cfg.replace(traces=True) if traces else cfg


def print_endpoints(cfg: StackConfig, services: bool) -> None:
    typer.echo("")
    typer.echo(
        f"  kafka       {cfg.kafka_bootstrap}   (SASL SCRAM-SHA-512; logins in "
        f"{cfg.kafka_credentials_file}, tools' in {cfg.kafka_dir / 'admin.properties'})"
    )
    typer.echo(
        f"  kafka tls   {cfg.kafka_tls_bootstrap}   (for clients from outside the host; "
        f"CA {cfg.kafka_tls_dir / 'ca.crt'})"
    )
    typer.echo(f"  mongo       {cfg.mongo_url}   (FerretDB on PostgreSQL {cfg.pg_dsn})")
    typer.echo(
        f"  s3          {cfg.s3_url}   access key {cfg.s3_access_key}, buckets: "
        f"{', '.join(cfg.buckets)}"
    )
    typer.echo(
        f"  mail        {cfg.mailpit_url}   (Mailpit; SMTP {cfg.host}:{cfg.mailpit_smtp_port})"
    )
    typer.echo(f"  sms         {cfg.sms_outbox}")
    typer.echo(
        f"  identity    {keycloak.issuer(cfg)}   (Keycloak; admin console {keycloak.url(cfg)}/admin, "
        f"credentials in {keycloak.admin_credentials_file(cfg)})"
    )
    if cfg.traces:
        typer.echo(f"  traces      http://{cfg.host}:{cfg.jaeger_ui_port}   (Jaeger)")
    typer.echo(f"  data        {cfg.data_dir}")
    typer.echo(f"  logs        {cfg.log_dir}")
    if services:
        typer.echo(
            f"  gateway     {cfg.service_url('gateway')}   (OpenAPI: "
            f"{cfg.service_url('gateway')}/docs)"
        )
        # Facilities bill directly as hospital clients of the identity provider.
        typer.echo(
            "  facility    make hospital NAME='<name>' FACILITY=FAC-000201   (a client whose "
            "tokens bill as that approved facility)"
        )


@app.command()
def up(
    services: bool = typer.Option(True, "--services/--infra-only", help="Also start the services."),
    foreground: bool = typer.Option(
        False, "--foreground", help="Stay attached; Ctrl-C (or `make stop`) stops everything."
    ),
    traces: bool = typer.Option(False, "--traces", help="Also run Jaeger and send it every trace."),
) -> None:
    """Install what is missing, then start servers, setup steps and services, in order."""
    cfg = _cfg(traces)
    t0 = time.monotonic()
    install_stack(cfg)
    try:
        sup = bring_up(cfg, services=services)
    except StartError as e:
        typer.echo(f"\nstart failed: {e}", err=True)
        raise typer.Exit(code=1) from None
    print_endpoints(cfg, services)
    typer.echo(
        f"\nready in {time.monotonic() - t0:.1f}s"
        + (f": {cfg.service_url('gateway')}" if services else "")
    )
    if not foreground:
        typer.echo("stop with `make stop` (python -m amo_localstack down)")
        return
    typer.echo("Ctrl-C stops everything (data is kept); `make status` shows what runs")
    _attend(cfg, sup)


def _interrupt(*_args: object) -> None:
    raise KeyboardInterrupt


def _attend(cfg: StackConfig, sup: Supervisor) -> None:
    """Stay attached until Ctrl-C or SIGTERM (then stop everything), or until the stack is
    stopped from elsewhere; say when supervisord sees a program change state."""
    # Explicit, as a background job of a non-interactive shell starts with SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    last: dict[str, str] = {}
    try:
        while True:
            try:
                infos = sup.all_info()
            except Exception:  # supervisord is gone: stopped from elsewhere
                typer.echo("stopped (`make stop`)")
                return
            for name, info in infos.items():
                state = info["statename"]
                if name in last and last[name] != state:
                    typer.echo(
                        f"  {name}: {last[name]} -> {state}"
                        f"{' (supervisord restarts it)' if state == 'STARTING' else ''}"
                    )
                last[name] = state
            time.sleep(1)
    except KeyboardInterrupt:
        # Ctrl-C reaches this process twice (from the terminal and forwarded by `uv run`):
        # a second interrupt must not cut the clean stop short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        typer.echo("\nstopping…")
        stop_all(cfg)


@app.command()
def down() -> None:
    """Stop the services, then the servers (PostgreSQL last), then supervisord; data stays."""
    if not stop_all(_cfg()):
        typer.echo("nothing runs for " + str(_cfg().data_dir))


@app.command()
def status(fmt: str = typer.Option("text", "--format", help="text or json")) -> None:
    """Every server and service: pid, where it answers, state, readiness, memory."""
    cfg = _cfg()
    rows = stack_status(cfg)
    if fmt == "json":
        typer.echo(json.dumps([r.as_dict() for r in rows], indent=2))
    else:
        typer.echo(f"  {'name':<15}{'pid':<9}{'state':<10}{'ready':<7}{'rss MiB':>8}  where")
        for r in rows:
            typer.echo(
                f"  {r.name:<15}{r.pid or '-'!s:<9}{r.state:<10}"
                f"{'yes' if r.ready else 'no':<7}{r.rss_mb:>8.1f}  {r.url or r.endpoint}"
            )
        typer.echo(f"  total rss {sum(r.rss_mb for r in rows):.1f} MiB; data {cfg.data_dir}")
    if not all(r.running for r in rows):
        raise typer.Exit(code=3)


@app.command()
def replay(
    service: str = typer.Argument(
        ..., help="registration, documents, eligibility, cards or claims"
    ),
) -> None:
    """Have SERVICE replay its own dead letters (after the cause is fixed); prints what happened."""
    import httpx

    response = httpx.post(
        _cfg().service_url(service) + "/operations/dead-letters/replay", timeout=300
    )
    response.raise_for_status()
    for r in response.json():
        typer.echo(
            f"  {r['topic']}.dlt ({r['group']}): {r['replayed']} replayed, "
            f"{r['processed']} processed, {r['parked_again']} parked again"
        )


@app.command(name="create-topics")
def create_topics(
    bootstrap: str = typer.Option(..., help="host:port of a broker, e.g. kafka:9092"),
) -> None:
    """Create every topic and its .dlt on an existing broker (docker-compose's setup step)."""
    host, _, port = bootstrap.rpartition(":")
    ensure_topics(_cfg().replace(host=host, kafka_port=int(port)))


@app.command()
def install(traces: bool = typer.Option(False, "--traces", help="Also build Jaeger.")) -> None:
    """Fetch/build Kafka's jars, FerretDB (and Jaeger), check PostgreSQL and SeaweedFS."""
    install_stack(_cfg(traces))


@app.command()
def setup() -> None:
    """GIN lookup indexes and `_v` version guards on every FerretDB collection (idempotent)."""
    harden_mongo(_cfg())


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


@app.command()
def trace(
    trace_id: str = typer.Argument(..., help="the 32-hex trace id (from a traceparent)"),
) -> None:
    """Print one trace as a tree of spans, from the running trace viewer (`make run TRACES=1`)."""
    from .traces import show_trace

    try:
        show_trace(_cfg(traces=True), trace_id)
    except LookupError as exc:
        raise SystemExit(str(exc)) from None


def _identity_call(cfg: StackConfig, call: Callable[[], T]) -> T:
    """Refusals of bad input exit 2 with their reason; an absent Keycloak says so."""
    try:
        return call()
    except ValueError as e:
        typer.echo(f"refused: {e}", err=True)
        raise typer.Exit(code=2) from None
    except (httpx.ConnectError, FileNotFoundError):
        typer.echo(
            f"Keycloak does not answer at {keycloak.url(cfg)} (or this data dir has no admin "
            "credentials yet): start the platform with `make run`",
            err=True,
        )
        raise typer.Exit(code=1) from None


@app.command()
def operator(
    user: str = typer.Option(..., "--user", help="the operator's email address (their username)"),
    role: str = typer.Option(..., "--role", help=" | ".join(identity.OPERATOR_ROLES)),
    reset_password: bool = typer.Option(
        False, "--reset-password", help="An existing operator gets a new temporary password."
    ),
) -> None:
    """Create an operator of realm amo with a one-time password, or change their role."""
    cfg = _cfg()
    made = _identity_call(
        cfg, lambda: identity.ensure_operator(cfg, user, role, reset_password=reset_password)
    )
    typer.echo(f"operator  {made.username}   ({'created' if made.created else 'updated'})")
    typer.echo(f"role      {made.role}")
    if made.password:
        typer.echo(f"password  {made.password}")
        typer.echo("          temporary: changed at first sign-in; shown only now")
    else:
        typer.echo("password  unchanged (--reset-password, RESET=1, draws a new temporary one)")


@app.command()
def hospital(
    name: str = typer.Option(..., "--name", help="the hospital's name, e.g. 'CHU Ibn Sina'"),
    rotate_secret: bool = typer.Option(
        False, "--rotate-secret", help="An existing hospital client gets a new secret."
    ),
    facility: str | None = typer.Option(
        None, "--facility", help="the approved facility it bills as, e.g. FAC-000201"
    ),
) -> None:
    """Create a hospital's confidential client (client credentials, role `hospital`)."""
    cfg = _cfg()
    made = _identity_call(
        cfg,
        lambda: identity.ensure_hospital(cfg, name, facility=facility, rotate_secret=rotate_secret),
    )
    typer.echo(f"client id      {made.client_id}   ({'created' if made.created else 'exists'})")
    if made.secret:
        typer.echo(f"client secret  {made.secret}")
        typer.echo("               shown only now: hand it to the hospital over a safe channel")
    else:
        typer.echo("client secret  unchanged (--rotate-secret, ROTATE=1, draws a new one)")
    typer.echo(f"token          POST {keycloak.issuer(cfg)}/protocol/openid-connect/token")
    typer.echo("               grant_type=client_credentials with that id and secret")


@app.command(name="env-vars", hidden=True)
def env_vars() -> None:
    for k in ENV_VARS:
        typer.echo(k)
