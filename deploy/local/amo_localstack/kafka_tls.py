"""The TLS listener's material: a local CA made at first run (ten years) and the broker's key
and certificate it signs for `kafka_tls_host` (PEM key store, redrawn when that name changes).
Clients from outside the host trust `<data>/kafka/tls/ca.crt` and check the host name."""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from .config import StackConfig


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)


def ca_file(cfg: StackConfig) -> Path:
    return cfg.kafka_tls_dir / "ca.crt"


def broker_keystore(cfg: StackConfig) -> Path:
    """The broker's PEM key store: its private key (PKCS#8) then its certificate and the CA's."""
    return cfg.kafka_tls_dir / "broker.pem"


def ensure_tls(cfg: StackConfig) -> None:
    """The local CA (made once, ten years) and a broker certificate for `kafka_tls_host`,
    redrawn when that name changes."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    d = cfg.kafka_tls_dir
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    now = datetime.datetime.now(datetime.UTC)
    ca_key_file = d / "ca.key"
    if not ca_key_file.is_file() or not ca_file(cfg).is_file():
        ca_key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "AMO local CA")])
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(ca_key, hashes.SHA256())
        )
        _write_private(ca_key_file, _pem_key(ca_key, serialization))
        ca_file(cfg).write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        broker_keystore(cfg).unlink(missing_ok=True)
    host_file = d / "broker.host"
    current = host_file.read_text().strip() if host_file.is_file() else None
    if broker_keystore(cfg).is_file() and current == cfg.kafka_tls_host:
        return
    ca_key = serialization.load_pem_private_key(ca_key_file.read_bytes(), password=None)
    ca_cert = x509.load_pem_x509_certificate(ca_file(cfg).read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cfg.kafka_tls_host)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName(_names(cfg.kafka_tls_host)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    pem = (
        _pem_key(key, serialization)
        + (cert.public_bytes(serialization.Encoding.PEM) + ca_file(cfg).read_bytes()).decode()
    )
    _write_private(broker_keystore(cfg), pem)
    host_file.write_text(cfg.kafka_tls_host + "\n")


def _pem_key(key, serialization) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _names(host: str) -> list:
    from cryptography import x509

    names: list = [x509.DNSName("localhost")]
    try:
        names.append(x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        names.append(x509.DNSName(host))
    if host != "127.0.0.1":
        names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    return names
