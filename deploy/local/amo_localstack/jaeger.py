"""Jaeger v2, the local trace viewer: built once from the Go module proxy, run in the foreground.

`install_jaeger(cfg)` builds the pinned version into the stack's cache (like FerretDB), and
`jaeger_program(cfg)` gives the argv and environment to run it with a generated config file:
only 127.0.0.1, an OTLP/HTTP receiver, in-memory storage and the query service. Run with no
config Jaeger also opens 8888 (SeaweedFS's filer), 9411, 5778, 13133, 14250 and 14268, so every
port it opens is named in that file.

A build from the module proxy has no UI bundle (Jaeger's release process embeds it from a
separate JavaScript project): its web page is a placeholder, and traces are read through the
query API, e.g. `GET <ui_url>/api/traces/<trace id>` (`trace_url`) or `/api/services`.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

from .config import StackConfig
from .install import _need_tool, _run, say, timed

JAEGER_VERSION = "v1.76.0"
JAEGER_PACKAGE = "github.com/jaegertracing/jaeger/cmd/jaeger"
# Traces kept in memory; enough for a day of local work, bounded so memory stays flat.
MAX_TRACES = 50_000


def jaeger_bin(cfg: StackConfig) -> Path:
    return cfg.bin_dir / "jaeger"


def _marker(cfg: StackConfig) -> Path:
    return cfg.bin_dir / "jaeger.version"


def jaeger_ready(cfg: StackConfig) -> bool:
    marker = _marker(cfg)
    return (
        jaeger_bin(cfg).is_file()
        and marker.is_file()
        and marker.read_text().strip() == JAEGER_VERSION
    )


def install_jaeger(cfg: StackConfig) -> Path:
    """Build Jaeger into the cache unless this version is already there; returns the binary."""
    if jaeger_ready(cfg):
        return jaeger_bin(cfg)
    cfg.cache_dir.mkdir(parents=True, exist_ok=True)
    # Its own lock: the build takes minutes and must not hold up the other installers.
    with open(cfg.cache_dir / ".jaeger.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if jaeger_ready(cfg):
            return jaeger_bin(cfg)
        go = _need_tool("go")
        env = {**os.environ, "GOFLAGS": "-buildvcs=false", "CGO_ENABLED": "0"}
        # `go install pkg@version` is refused (the module has replace directives): build it
        # as a tool dependency of a scratch module instead, which honours them.
        src = cfg.cache_dir / "src" / f"jaeger-{JAEGER_VERSION}"
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        _run([go, "mod", "init", "amo.local/jaeger-build"], env=env, cwd=src)
        with timed(f"jaeger: go get -tool {JAEGER_PACKAGE}@{JAEGER_VERSION}"):
            _run([go, "get", "-tool", f"{JAEGER_PACKAGE}@{JAEGER_VERSION}"], env=env, cwd=src)
        cfg.bin_dir.mkdir(parents=True, exist_ok=True)
        tmp = jaeger_bin(cfg).with_name("jaeger.tmp")
        with timed("jaeger: go build (about 4 minutes)"):
            _run([go, "build", "-o", str(tmp), JAEGER_PACKAGE], env=env, cwd=src)
        tmp.rename(jaeger_bin(cfg))
        _marker(cfg).write_text(JAEGER_VERSION + "\n")
        shutil.rmtree(src, ignore_errors=True)
        say(f"jaeger: built {jaeger_bin(cfg)}")
    return jaeger_bin(cfg)


def ui_port(cfg: StackConfig) -> int:
    return cfg.jaeger_ui_port


def otlp_port(cfg: StackConfig) -> int:
    return cfg.jaeger_otlp_port


def ui_url(cfg: StackConfig) -> str:
    return f"http://{cfg.host}:{ui_port(cfg)}"


def trace_url(cfg: StackConfig, trace_id: str) -> str:
    """Where the query API answers with one trace's spans (JSON)."""
    return f"{ui_url(cfg)}/api/traces/{trace_id}"


def otlp_endpoint(cfg: StackConfig) -> str:
    """The value for OTEL_EXPORTER_OTLP_ENDPOINT (the SDK appends /v1/traces)."""
    return f"http://{cfg.host}:{otlp_port(cfg)}"


def jaeger_config(cfg: StackConfig) -> str:
    """The collector configuration: OTLP/HTTP in, memory store, query/UI; Jaeger's telemetry
    about itself kept off the network (its metrics endpoint would take 8888, its own traces
    would go to 4317)."""
    host = cfg.host
    return f"""\
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    traces:
      level: none
    logs:
      level: warn

extensions:
  jaeger_query:
    enable_tracing: false
    storage:
      traces: amo_store
    http:
      endpoint: {host}:{ui_port(cfg)}
    grpc:
      endpoint: {host}:0
  jaeger_storage:
    backends:
      amo_store:
        memory:
          max_traces: {MAX_TRACES}

receivers:
  otlp:
    protocols:
      http:
        endpoint: {host}:{otlp_port(cfg)}

processors:
  batch:

exporters:
  jaeger_storage_exporter:
    trace_storage: amo_store
"""


def config_path(cfg: StackConfig) -> Path:
    return cfg.data_dir / "jaeger" / "config.yaml"


def jaeger_program(cfg: StackConfig) -> tuple[list[str], dict[str, str]]:
    """argv and environment to run Jaeger in the foreground (the binary must be installed);
    writes its config file under the stack's data dir."""
    path = config_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(jaeger_config(cfg))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(path.parent)}
    return [str(jaeger_bin(cfg)), "--config", f"file:{path}"], env
