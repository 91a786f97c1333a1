"""Keycloak, the identity provider: its Quarkus distribution from Maven Central, unzipped into
the cache and built once for PostgreSQL; each stack runs `kc.sh start` from a home of its own in
the data dir (Keycloak keeps `data/` beside its `lib/`), on its own database of the stack's
PostgreSQL, with realm `amo` imported from deploy/local/keycloak/amo-realm.json at first start.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
import zipfile
from pathlib import Path

from ._common import Command
from .config import StackConfig, resource
from .install import _need_tool, _run, say, timed

KEYCLOAK_VERSION = "26.5.6"
KEYCLOAK_ARTIFACT = f"org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:zip"
# Build-time options (`kc.sh build`); the build is redone when they change.
BUILD_OPTIONS = ("--db=postgres", "--health-enabled=true")
REALM = "amo"
DATABASE = ROLE = "keycloak"  # its own database and role on the stack's PostgreSQL
ADMIN_USERNAME = "amo-admin"
REALM_FILE = "keycloak/amo-realm.json"


# --------------------------------------------------------------------------- install
def dist_dir(cfg: StackConfig) -> Path:
    return cfg.cache_dir / f"keycloak-{KEYCLOAK_VERSION}"


def _build_key() -> str:
    return hashlib.sha256(" ".join(BUILD_OPTIONS).encode()).hexdigest()[:16]


def _unpacked(cfg: StackConfig) -> Path:
    return dist_dir(cfg) / ".complete"


def _built(cfg: StackConfig) -> Path:
    return dist_dir(cfg) / "lib" / "quarkus" / ".amo-build"


def _has(marker: Path, value: str) -> bool:
    return marker.is_file() and marker.read_text().strip() == value


def keycloak_ready(cfg: StackConfig) -> bool:
    return _has(_unpacked(cfg), KEYCLOAK_VERSION) and _has(_built(cfg), _build_key())


def _unzip(archive: Path, into: Path) -> None:
    """Unzip keeping the files' modes (zipfile alone drops the scripts' execute bits)."""
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            path = Path(z.extract(info, into))
            mode = info.external_attr >> 16 & 0o777
            if mode and not info.is_dir():
                path.chmod(mode)


def _fetch(cfg: StackConfig) -> None:
    mvn = _need_tool("mvn", "maven")
    scratch = cfg.cache_dir / "keycloak.download"
    shutil.rmtree(scratch, ignore_errors=True)
    with timed(f"keycloak: mvn dependency:copy {KEYCLOAK_ARTIFACT}"):
        _run(
            [
                mvn,
                "-q",
                "-B",
                "dependency:copy",
                f"-Dartifact={KEYCLOAK_ARTIFACT}",
                f"-DoutputDirectory={scratch}",
            ],
            cwd=cfg.cache_dir,
        )
    with timed("keycloak: unzip"):
        _unzip(scratch / f"keycloak-quarkus-dist-{KEYCLOAK_VERSION}.zip", scratch)
    shutil.rmtree(dist_dir(cfg), ignore_errors=True)
    # Moved in whole: a half-unpacked distribution is never used.
    (scratch / f"keycloak-{KEYCLOAK_VERSION}").rename(dist_dir(cfg))
    shutil.rmtree(scratch)
    _unpacked(cfg).write_text(KEYCLOAK_VERSION + "\n")


def install_keycloak(cfg: StackConfig) -> Path:
    """Fetch and unzip the distribution (165 MB), then `kc.sh build`, each unless done."""
    if keycloak_ready(cfg):
        say(f"keycloak: {KEYCLOAK_VERSION} already built in {dist_dir(cfg)}")
        return dist_dir(cfg)
    _need_tool("java", "openjdk-17-jre-headless")
    cfg.cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cfg.cache_dir / ".keycloak.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _has(_unpacked(cfg), KEYCLOAK_VERSION):
            _fetch(cfg)
        if not _has(_built(cfg), _build_key()):
            _built(cfg).unlink(missing_ok=True)
            with timed(f"keycloak: kc.sh build {' '.join(BUILD_OPTIONS)}"):
                _run(["sh", str(dist_dir(cfg) / "bin" / "kc.sh"), "build", *BUILD_OPTIONS])
            _built(cfg).write_text(_build_key() + "\n")
    return dist_dir(cfg)


# --------------------------------------------------------------------------- one stack's server
def home(cfg: StackConfig) -> Path:
    """This stack's Keycloak home: its own kc.sh, conf/ and data/, the cache's lib/ and themes."""
    return cfg.data_dir / "keycloak"


def url(cfg: StackConfig) -> str:
    return f"http://{cfg.host}:{cfg.keycloak_http_port}"


def issuer(cfg: StackConfig, realm: str = REALM) -> str:
    return f"{url(cfg)}/realms/{realm}"


def admin_credentials_file(cfg: StackConfig) -> Path:
    return cfg.data_dir / "keycloak-admin.json"


def admin_credentials(cfg: StackConfig) -> tuple[str, str]:
    """The bootstrap admin of the master realm (username, password), from the data dir's 0600
    file; FileNotFoundError before this data dir's first start."""
    creds = json.loads(admin_credentials_file(cfg).read_text())
    return creds["username"], creds["password"]


def _draw_admin_credentials(cfg: StackConfig) -> tuple[str, str]:
    """Drawn at the first start into the 0600 file; Keycloak creates that admin with the master
    realm, i.e. with its database."""
    path = admin_credentials_file(cfg)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        made = json.dumps({"username": ADMIN_USERNAME, "password": secrets.token_urlsafe(24)})
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(made + "\n")
        except FileExistsError:  # another start wrote it first: theirs holds
            pass
    return admin_credentials(cfg)


# A pooled connection is checked before it is lent: without it, the first requests after a
# PostgreSQL restart are lent connections the restart closed and fail with 500 (measured: two
# token requests, until the pool had discarded each dead one).
POOL_PROPERTIES = {
    "quarkus.datasource.jdbc.validate-on-borrow": "true",
    "quarkus.datasource.jdbc.background-validation-interval": "30S",
}


def _options(cfg: StackConfig) -> dict[str, str]:
    user, password = _draw_admin_credentials(cfg)
    return {
        "http-enabled": "true",
        "http-host": cfg.host,
        "http-port": str(cfg.keycloak_http_port),
        "http-management-port": str(cfg.keycloak_management_port),
        # A fixed public address: the issuer is http://127.0.0.1:<port>/realms/amo whatever
        # the request's Host header says.
        "hostname": url(cfg),
        # One node: no cluster, nothing bound beyond the two ports (the default `ispn` cache
        # would open JGroups' 7800 and look for peers).
        "cache": "local",
        "db-url": f"jdbc:postgresql://{cfg.host}:{cfg.pg_port}/{DATABASE}",
        "db-username": ROLE,
        "db-pool-initial-size": "1",
        "db-pool-min-size": "1",
        "db-pool-max-size": "10",
        "log-console-color": "false",
        # Only when the master realm is created, i.e. at the first start of this database.
        "bootstrap-admin-username": user,
        "bootstrap-admin-password": password,
    }


def prepare_keycloak(cfg: StackConfig) -> None:
    """Before each start: the home (kc.sh, links to the build), keycloak.conf (0600), the realm
    file in data/import, and its database and role on PostgreSQL (the first time)."""
    h = home(cfg)
    for d in (h / "bin", h / "conf", h / "data" / "import"):
        d.mkdir(parents=True, exist_ok=True)
    h.chmod(0o700)
    dist = dist_dir(cfg)
    # A copy, not a link: kc.sh takes its home from its own resolved path.
    shutil.copyfile(dist / "bin" / "kc.sh", h / "bin" / "kc.sh")
    for name in ("lib", "providers", "themes"):
        link = h / name
        if link.is_symlink() and link.resolve() != (dist / name).resolve():
            link.unlink()
        if not link.is_symlink():
            link.symlink_to(dist / name, target_is_directory=True)
    conf = h / "conf" / "keycloak.conf"
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("# Generated by amo_localstack at each start; edits are overwritten.\n")
        out.writelines(f"{k}={v}\n" for k, v in _options(cfg).items())
    # Runtime pool settings Keycloak has no option of its own for (it reads them from here).
    (h / "conf" / "quarkus.properties").write_text(
        "# Generated by amo_localstack at each start; edits are overwritten.\n"
        + "".join(f"{k}={v}\n" for k, v in POOL_PROPERTIES.items())
    )
    shutil.copyfile(resource(REALM_FILE), h / "data" / "import" / f"{REALM}-realm.json")
    ensure_database(cfg)


def ensure_database(cfg: StackConfig) -> None:
    """Role `keycloak` (no password: the local cluster trusts loopback) owning database
    `keycloak`; created once, idempotently."""
    from psycopg import sql

    from .postgres import connect

    with connect(cfg, timeout=5) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone():
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(ROLE)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(DATABASE), sql.Identifier(ROLE)
                )
            )
            say(f"keycloak: created database {DATABASE} on PostgreSQL")


def keycloak_command(cfg: StackConfig) -> Command:
    h = home(cfg)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(h),
        "JAVA_OPTS_KC_HEAP": cfg.keycloak_heap,
        # No `-XX:TieredStopAtLevel=1` as for Kafka: measured, C1 alone saves 45 MB but makes
        # the first start (schema, import) 72 s instead of 52 s, and password hashing slower.
        # The realm file's placeholders (Keycloak resolves `${VAR}` from its environment).
        "AMO_MAILPIT_SMTP_PORT": str(cfg.mailpit_smtp_port),
    }
    argv = [
        "sh",
        str(h / "bin" / "kc.sh"),
        "start",
        "--optimized",  # built by the installer; conf/keycloak.conf holds the rest
        "--import-realm",
    ]
    return Command(argv=argv, cwd=h, env=env)


def probe_keycloak(cfg: StackConfig) -> None:
    """Ready when realm `amo` answers its OIDC discovery with our issuer (imported, serving)."""
    import httpx

    r = httpx.get(issuer(cfg) + "/.well-known/openid-configuration", timeout=3.0)
    r.raise_for_status()
    if r.json().get("issuer") != issuer(cfg):
        raise ConnectionError(f"unexpected issuer {r.json().get('issuer')!r}")
