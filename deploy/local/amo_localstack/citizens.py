"""Citizens' accounts of realm `amo` for scripts that file applications (tests, the demo, the
chaos drill, benchmarks): each application belongs to the account that filed it, so each filing
signs in as a citizen of its own.

Accounts are made as self-registration leaves them (email verified, the realm's default roles,
`citizen` among them), a batch per admin sign-in, and sign in by amo-cli's password grant
(development realms only). An access token lives five minutes: `Citizen.header()` draws a new
one when the last has less than a minute left.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from .config import StackConfig
from .identity import admin, password_grant

BATCH = 20
DOMAIN = "citizens.amo.test"


@dataclass
class Citizen:
    username: str
    password: str = field(repr=False)
    subject: str
    cfg: StackConfig = field(repr=False)
    _token: str = field(default="", repr=False)
    _until: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def token(self) -> str:
        """A valid access token (drawn again near its expiry)."""
        with self._lock:
            if self._until - time.time() < 60:
                granted = password_grant(self.cfg, self.username, self.password)
                self._token = granted["access_token"]
                self._until = time.time() + float(granted["expires_in"])
            return self._token

    def header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class CitizenAccounts:
    """A source of new citizens: `new()` hands out an account nobody else was given."""

    def __init__(self, cfg: StackConfig, *, batch: int = BATCH) -> None:
        self.cfg, self.batch = cfg, batch
        self._stock: list[Citizen] = []
        self._lock = threading.Lock()

    def new(self) -> Citizen:
        with self._lock:
            if not self._stock:
                self._stock = self._make(self.batch)
            return self._stock.pop()

    def stock(self, n: int, *, signed_in: bool = False) -> None:
        """Make `n` accounts now (and sign each in), for a run that must not wait on them."""
        made = self._make(n)
        if signed_in:
            for citizen in made:
                citizen.header()
        with self._lock:
            self._stock.extend(made)

    def _make(self, n: int) -> list[Citizen]:
        made = []
        with admin(self.cfg) as api:
            for _ in range(n):
                username = f"citizen-{secrets.token_hex(6)}@{DOMAIN}"
                password = secrets.token_urlsafe(18)
                rep = {
                    "username": username,
                    "email": username,
                    "emailVerified": True,
                    "enabled": True,
                    "firstName": "Citizen",
                    "lastName": "Test",
                    "credentials": [{"type": "password", "value": password, "temporary": False}],
                }
                location = api.post("/users", json=rep).headers["Location"]
                subject = location.rstrip("/").rsplit("/", 1)[-1]
                made.append(Citizen(username, password, subject, self.cfg))
        return made
