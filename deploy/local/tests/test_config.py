"""The stack's settings, the supervisord configuration generated from the program table, and the
compose file's shape: no server needed."""

from __future__ import annotations

import configparser
from pathlib import Path

import yaml

from amo_localstack import StackConfig
from amo_localstack.config import ENV_VARS, SERVICES
from amo_localstack.programs import PROGRAMS, programs_for
from amo_localstack.service_programs import service_env
from amo_localstack.supervision import render

REPO = Path(__file__).resolve().parents[3]


def test_defaults_and_the_readme_variables(monkeypatch):
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    d = StackConfig.from_env()
    assert d.kafka_bootstrap == "127.0.0.1:9092"
    assert d.mongo_url == "mongodb://127.0.0.1:27017/"
    assert d.s3_endpoint == "127.0.0.1:8333"
    assert d.pg_port == 54329 and d.buckets == ("amo-documents",)
    assert d.data_dir.parts[-2:] == (".local", "data")
    assert d.service_url("gateway") == "http://127.0.0.1:8000"
    assert [d.http_port(s) for s in SERVICES[:-1]] == [8101, 8102, 8103, 8104, 8105, 8106]
    assert (d.mailpit_url, d.mailpit_smtp_port) == ("http://127.0.0.1:8025", 1025)
    assert not d.traces and (d.jaeger_ui_port, d.jaeger_otlp_port) == (16686, 4318)

    monkeypatch.setenv("AMO_LOCAL_DIR", "/tmp/elsewhere")
    monkeypatch.setenv("AMO_KAFKA_PORT", "19092")
    monkeypatch.setenv("AMO_MONGO_PORT", "37017")
    monkeypatch.setenv("AMO_PG_PORT", "")  # empty means unset, as in a shell
    monkeypatch.setenv("AMO_S3_BUCKETS", "a, b")
    monkeypatch.setenv("AMO_CARDS_HTTP_PORT", "9104")
    monkeypatch.setenv("AMO_KAFKA_JVM_OPTS", "-Xss1m -XX:+UseSerialGC")
    e = StackConfig.from_env()
    assert e.data_dir == Path("/tmp/elsewhere") and e.kafka_bootstrap == "127.0.0.1:19092"
    assert e.mongo_url == "mongodb://127.0.0.1:37017/" and e.pg_port == 54329
    assert e.buckets == ("a", "b") and e.service_url("cards") == "http://127.0.0.1:9104"
    assert e.kafka_jvm_opts == ("-Xss1m", "-XX:+UseSerialGC")
    assert e.cache_dir == d.cache_dir  # binaries are shared between stacks
    # what `env()` exports, `from_env()` reads back
    for k, v in e.env().items():
        monkeypatch.setenv(k, v)
    assert StackConfig.from_env() == e


def test_a_test_stack_has_every_port_free_and_distinct():
    t = StackConfig.for_tests("/tmp/x")
    ports = t.all_ports()
    assert len(set(ports.values())) == len(ports) >= 21
    assert {f"{s}_http_port" for s in SERVICES} <= set(ports)


def _conf(cfg: StackConfig) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read_string(render(cfg, programs_for(cfg)))
    return parser


def test_supervisord_runs_every_program_declared_once_and_starts_none_by_itself(tmp_path):
    cfg = StackConfig.for_tests(tmp_path)
    conf = _conf(cfg)
    programs = [s.removeprefix("program:") for s in conf.sections() if s.startswith("program:")]
    assert programs == [
        "postgres",
        "ferretdb",
        "kafka",
        "seaweedfs",
        "mailpit",
        "keycloak",
        *SERVICES,
    ]
    assert conf.get("supervisord", "umask") == "077"
    assert conf.get("unix_http_server", "file").startswith(str(cfg.run_dir))
    for name in programs:
        section = f"program:{name}"
        assert conf.get(section, "autostart") == "false", name
        assert conf.get(section, "autorestart") == "true", name
        assert conf.get(section, "umask") == "077", name
        assert conf.get(section, "stdout_logfile") == str(cfg.log_dir / f"{name}.log"), name
    # PostgreSQL in the foreground under supervisord, never through pg_ctl
    assert conf.get("program:postgres", "command").split()[0].endswith("/postgres")
    assert conf.get("program:postgres", "stopsignal") == "INT"


def test_traces_add_jaeger_and_point_every_service_at_it(tmp_path):
    cfg = StackConfig.for_tests(tmp_path).replace(traces=True)
    assert "program:jaeger" in _conf(cfg).sections()
    assert [p.name for p in programs_for(cfg)] == [p.name for p in PROGRAMS]
    for name in SERVICES:
        env = service_env(name, cfg)
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == f"http://127.0.0.1:{cfg.jaeger_otlp_port}"
        assert env["OTEL_SERVICE_NAME"] == name
    assert "OTEL_SERVICE_NAME" not in service_env("cards", cfg.replace(traces=False))


def test_a_service_gets_its_own_settings_and_the_gateway_its_upstreams(tmp_path):
    cfg = StackConfig.for_tests(tmp_path)
    env = service_env("gateway", cfg)
    assert env["AMO_GATEWAY_REGISTRATION_URL"] == cfg.service_url("registration")
    assert env["AMO_GATEWAY_HTTP_PORT"] == str(cfg.gateway_http_port)
    docs = service_env("documents", cfg)
    assert docs["AMO_DOCUMENTS_S3_ENDPOINT"] == cfg.s3_endpoint
    assert not any(k.startswith("AMO_DOCUMENTS_") for k in service_env("cards", cfg))


def test_compose_file_pins_images_checks_readiness_and_prepares_first():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    for name, svc in services.items():
        image = svc.get("image", "")
        assert ":" in image and not image.endswith(":latest"), (name, image)
    for name in SERVICES:
        svc = services[name]
        assert "/readyz" in " ".join(svc["healthcheck"]["test"]), name
        if name != "gateway":
            assert (
                svc["depends_on"][f"prepare-{name}"]["condition"]
                == "service_completed_successfully"
            )
            prep = services[f"prepare-{name}"]
            assert prep["command"] == ["python", "-m", f"amo_{name}", "prepare"]
    gateway_deps = services["gateway"]["depends_on"]
    assert {n for n in SERVICES[:2]} <= set(gateway_deps)
    assert all(gateway_deps[n]["condition"] == "service_healthy" for n in SERVICES[:2])
