"""TLS material for the sandbox: a private CA and a localhost server certificate signed by it.

Both are generated once under ``<state_dir>/tls`` and reused on every start, so a client that
trusts ``ca.pem`` keeps trusting the sandbox across restarts. The leaf is re-issued when it is
about to expire, no longer matches the CA, or does not cover a host the sandbox now listens on.
Warm starts only parse four small PEM files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import logging
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

log = logging.getLogger(__name__)

CA_VALIDITY = dt.timedelta(days=3650)
LEAF_VALIDITY = dt.timedelta(days=397)  # the longest lifetime browsers accept for a server cert
RENEW_BEFORE = dt.timedelta(days=14)
# Names every sandbox certificate covers, whatever --host says: clients may use any of them.
DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")
_WILDCARD_BINDS = {"", "0.0.0.0", "::"}  # noqa: S104 - names to leave out, not a bind


@dataclass(frozen=True)
class TlsMaterial:
    """Paths of the PEM files the servers load and clients trust."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def ensure_tls_material(tls_dir: Path, hosts: Iterable[str] = ()) -> TlsMaterial:
    """Load the CA and server certificate from ``tls_dir``, (re)generating whatever is missing or stale."""
    tls_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        tls_dir.chmod(0o700)
    names = _required_names(hosts)
    material = TlsMaterial(tls_dir / "ca.pem", tls_dir / "server.pem", tls_dir / "server-key.pem")
    ca_key_file = tls_dir / "ca-key.pem"
    now = dt.datetime.now(dt.UTC)

    ca = _load_ca(material.ca_file, ca_key_file, now)
    if ca is None:
        log.info("Creating a new sandbox CA in %s", tls_dir)
        ca = _create_ca(now)
        _write_private(ca_key_file, _key_pem(ca[1]))
        _write_public(material.ca_file, ca[0].public_bytes(serialization.Encoding.PEM))
        # A new CA invalidates any old leaf.
        material.cert_file.unlink(missing_ok=True)

    if not _leaf_is_usable(material.cert_file, material.key_file, ca[0], names, now):
        log.info("Issuing the sandbox server certificate for %s", ", ".join(names))
        cert, key = _create_leaf(ca, names, now)
        _write_private(material.key_file, _key_pem(key))
        _write_public(material.cert_file, cert.public_bytes(serialization.Encoding.PEM))
    return material


def _required_names(hosts: Iterable[str]) -> list[str]:
    names = list(DEFAULT_HOSTS)
    for host in hosts:
        host = host.strip("[]")
        if host not in _WILDCARD_BINDS and host not in names:
            names.append(host)
    return names


def _load_ca(
    cert_file: Path, key_file: Path, now: dt.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    try:
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    if cert.public_key() != key.public_key():
        log.warning("Sandbox CA key does not match its certificate; creating a new CA")
        return None
    if cert.not_valid_after_utc - RENEW_BEFORE < now:
        log.info("Sandbox CA expires soon; creating a new one (clients must trust the new ca.pem)")
        return None
    return cert, key


def _leaf_is_usable(
    cert_file: Path, key_file: Path, ca_cert: x509.Certificate, names: list[str], now: dt.datetime
) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except (OSError, ValueError):
        return False
    if cert.public_key() != key.public_key():
        return False
    if cert.not_valid_after_utc - RENEW_BEFORE < now or cert.not_valid_before_utc > now:
        return False
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    covered = {str(v) for v in san.get_values_for_type(x509.DNSName)}
    covered |= {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    return all(_normalise(name) in covered for name in names)


def _normalise(name: str) -> str:
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return name


def _create_ca(now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    # EC P-256: generating it takes a millisecond, where RSA-2048 takes a noticeable fraction of a second.
    key = ec.generate_private_key(ec.SECP256R1())
    # A per-installation suffix keeps two sandboxes' CAs distinguishable in a trust store.
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "skydesk sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"skydesk sandbox local CA {secrets.token_hex(4)}"),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _create_leaf(
    ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey], names: list[str], now: dt.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    alt_names: list[x509.GeneralName] = []
    for name in names:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt_names.append(x509.DNSName(name))
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + LEAF_VALIDITY, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, data: bytes) -> None:
    _write_atomic(path, data, 0o600)


def _write_public(path: Path, data: bytes) -> None:
    _write_atomic(path, data, 0o644)


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    # Created with its final mode (never world-readable for a moment) and renamed into place,
    # so a crash mid-write never leaves a truncated PEM behind.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)  # umask may have stripped bits from the open() mode
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
