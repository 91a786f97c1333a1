"""How a client reaches the bus: where the brokers are and whose credentials it presents.

The bus is closed (docs/architecture.md#security): every client authenticates with SASL
SCRAM-SHA-512, as the principal its ACLs are written for; over TLS (the local CA's certificate,
`ca_file`) when it connects from outside the host. Without a username the client speaks
plaintext with no authentication, which only the in-memory test broker accepts.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faststream.security import BaseSecurity, SASLScram512

MECHANISM = "SCRAM-SHA-512"


@dataclass(frozen=True)
class KafkaAccess:
    bootstrap: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None

    def __post_init__(self) -> None:
        if self.username and not self.password:
            raise ValueError(f"Kafka user {self.username!r} has no password")

    def ssl_context(self) -> ssl.SSLContext | None:
        """A context trusting only the CA file (host names checked), or None for no TLS."""
        if self.ca_file is None:
            return None
        return ssl.create_default_context(cafile=str(self.ca_file))

    def security_protocol(self) -> str:
        tls = self.ca_file is not None
        if self.username:
            return "SASL_SSL" if tls else "SASL_PLAINTEXT"
        return "SSL" if tls else "PLAINTEXT"

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's consumers, producers and admin client."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": self.security_protocol(),
        }
        if self.ca_file is not None:
            options["ssl_context"] = self.ssl_context()
        if self.username:
            options |= {
                "sasl_mechanism": MECHANISM,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        return options

    def security(self) -> BaseSecurity | None:
        """The same, for FastStream's `KafkaBroker(security=...)`."""
        if not self.username:
            return None if self.ca_file is None else BaseSecurity(self.ssl_context())
        return SASLScram512(
            self.username,
            self.password or "",
            ssl_context=self.ssl_context(),
            use_ssl=self.ca_file is not None,
        )
