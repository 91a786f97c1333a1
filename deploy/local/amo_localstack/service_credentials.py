"""The stack's service clients and their credentials: the gateway's (`svc-gateway`, its calls to
the services) and the operators' (`svc-operations`: scripts such as `make replay`, and tests).

Keycloak draws each client's secret; it is read back through the admin API and written, with
the client id and the token endpoint, to a 0600 file of the data dir that only the stack's
callers read: `<data_dir>/service-credentials/<client_id>.json`. No secret is in the repository.
`amo_shared.service_auth.ServiceTokens.from_file(path)` turns one into Authorization headers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .config import StackConfig
from .identity import ensure_service_client
from .keycloak import issuer

GATEWAY_CLIENT = "svc-gateway"
OPERATIONS_CLIENT = "svc-operations"
SERVICE_CLIENTS = (GATEWAY_CLIENT, OPERATIONS_CLIENT)


def credentials_dir(cfg: StackConfig) -> Path:
    return cfg.data_dir / "service-credentials"


def credentials_file(cfg: StackConfig, client_id: str) -> Path:
    return credentials_dir(cfg) / f"{client_id}.json"


def token_url(cfg: StackConfig) -> str:
    return f"{issuer(cfg)}/protocol/openid-connect/token"


def _write_private(path: Path, text: str) -> None:
    """Written whole (a reader never sees half a file), 0600 in a 0700 directory."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    if path.is_file() and path.read_text() == text and not path.stat().st_mode & 0o077:
        return  # unchanged: left as it is
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a stale .tmp keeps its mode through O_CREAT
    with os.fdopen(fd, "w") as out:
        out.write(text)
    tmp.replace(path)


def write_service_credentials(cfg: StackConfig, client_id: str) -> Path:
    """Ensure service client `client_id` in Keycloak and write its credentials file."""
    secret = ensure_service_client(cfg, client_id)
    creds = {"client_id": client_id, "client_secret": secret, "token_url": token_url(cfg)}
    path = credentials_file(cfg, client_id)
    _write_private(path, json.dumps(creds, indent=2) + "\n")
    return path


def service_credentials(cfg: StackConfig) -> dict[str, Path]:
    """Both service clients, each ensured in Keycloak (needs it running) with its credentials
    file written: client id -> file."""
    return {client_id: write_service_credentials(cfg, client_id) for client_id in SERVICE_CLIENTS}


def read_service_credentials(cfg: StackConfig, client_id: str) -> dict[str, str]:
    """`{"client_id", "client_secret", "token_url"}` of a written credentials file."""
    creds: dict[str, str] = json.loads(credentials_file(cfg, client_id).read_text())
    return creds
