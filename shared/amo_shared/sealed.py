"""Sealing secrets that must travel and rest only encrypted (bank details): AES-256-GCM.

A keyring maps key ids to 32-byte keys; the newest id seals, every id still listed opens, so a
key can rotate without re-sealing old records at once. The key id is also the associated data:
a ciphertext moved under another id does not open. Keys come from settings
(`AMO_DATA_KEYS="k2:<base64>,k1:<base64>"`, the first seals); none is shipped in the code.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from amo_shared.events import SealedValue

KEY_BYTES = 32
NONCE_BYTES = 12


class SealingError(ValueError):
    """A keyring that cannot be used, or a value that does not open (never says the value)."""


@dataclass(frozen=True)
class Keyring:
    sealing_id: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        """`id:base64key[,id:base64key...]`; the first key seals."""
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            key_id, sep, encoded = part.partition(":")
            if not sep or not key_id:
                raise SealingError("each data key is written id:base64")
            try:
                key = base64.b64decode(encoded, validate=True)
            except ValueError:
                raise SealingError(f"data key {key_id!r} is not base64") from None
            if len(key) != KEY_BYTES:
                raise SealingError(f"data key {key_id!r} must be {KEY_BYTES} bytes")
            keys[key_id] = key
            order.append(key_id)
        if not order:
            raise SealingError("no data key configured")
        return cls(order[0], keys)

    @staticmethod
    def generate_spec(key_id: str = "k1") -> str:
        """A fresh keyring spec with one random key (for a new local data directory)."""
        return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


def seal(plaintext: str, keyring: Keyring, *, hint: str) -> SealedValue:
    """`plaintext` encrypted under the sealing key; `hint` is what views may show instead."""
    nonce = os.urandom(NONCE_BYTES)
    key_id = keyring.sealing_id
    sealed = AESGCM(keyring.keys[key_id]).encrypt(nonce, plaintext.encode(), key_id.encode())
    return SealedValue(
        key_id=key_id,
        nonce=base64.b64encode(nonce).decode(),
        ciphertext=base64.b64encode(sealed).decode(),
        hint=hint,
    )


def unseal(value: SealedValue, keyring: Keyring) -> str:
    key = keyring.keys.get(value.key_id)
    if key is None:
        raise SealingError(f"no data key {value.key_id!r} in the keyring")
    try:
        plain = AESGCM(key).decrypt(
            base64.b64decode(value.nonce),
            base64.b64decode(value.ciphertext),
            value.key_id.encode(),
        )
    except (InvalidTag, ValueError):
        raise SealingError("a sealed value does not open with its key") from None
    return plain.decode()
