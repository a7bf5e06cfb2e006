"""The sandbox's TLS material: created once, reused on restart, re-issued only when it must be."""

from __future__ import annotations

import datetime as dt
import ipaddress
import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from skydesk.sandbox import tls
from skydesk.sandbox.tls import ensure_tls_material


def _leaf(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _san(path: Path) -> set[str]:
    san = _leaf(path).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(v) for v in san.get_values_for_type(x509.DNSName)} | {
        str(v) for v in san.get_values_for_type(x509.IPAddress)
    }


def test_created_once_with_private_keys_readable_only_by_the_owner(tmp_path: Path) -> None:
    m = ensure_tls_material(tmp_path / "tls")
    for key in (m.key_file, tmp_path / "tls" / "ca-key.pem"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "tls").stat().st_mode) == 0o700
    assert _san(m.cert_file) >= {"localhost", "127.0.0.1", "::1"}
    _leaf(m.cert_file).verify_directly_issued_by(_leaf(m.ca_file))

    before = {p: p.read_bytes() for p in (tmp_path / "tls").iterdir()}
    again = ensure_tls_material(tmp_path / "tls")
    assert again == m
    assert {p: p.read_bytes() for p in (tmp_path / "tls").iterdir()} == before  # nothing rewritten


def test_a_new_host_reissues_the_leaf_but_keeps_the_ca(tmp_path: Path) -> None:
    m = ensure_tls_material(tmp_path)
    ca = m.ca_file.read_bytes()
    ensure_tls_material(tmp_path, ["sandbox.lan", "0.0.0.0", "[fd00::7]"])
    assert m.ca_file.read_bytes() == ca
    names = _san(m.cert_file)
    assert {"sandbox.lan", str(ipaddress.ip_address("fd00::7")), "localhost"} <= names
    assert "0.0.0.0" not in names  # a wildcard bind is not a name clients use


def test_an_expiring_leaf_is_reissued(tmp_path: Path) -> None:
    m = ensure_tls_material(tmp_path)
    ca = tls._load_ca(m.ca_file, tmp_path / "ca-key.pem", dt.datetime.now(dt.UTC))
    assert ca is not None
    # A leaf issued long ago, now within the renewal window.
    old_cert, old_key = tls._create_leaf(
        ca, list(tls.DEFAULT_HOSTS), dt.datetime.now(dt.UTC) - tls.LEAF_VALIDITY + dt.timedelta(days=1)
    )
    tls._write_public(m.cert_file, old_cert.public_bytes(serialization.Encoding.PEM))
    tls._write_private(m.key_file, tls._key_pem(old_key))

    ensure_tls_material(tmp_path)
    renewed = _leaf(m.cert_file)
    assert renewed.serial_number != old_cert.serial_number
    assert renewed.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=300)


def test_a_leaf_from_another_ca_is_reissued(tmp_path: Path) -> None:
    mine = ensure_tls_material(tmp_path / "mine")
    other = ensure_tls_material(tmp_path / "other")
    mine.cert_file.write_bytes(other.cert_file.read_bytes())
    mine.key_file.write_bytes(other.key_file.read_bytes())
    ensure_tls_material(tmp_path / "mine")
    _leaf(mine.cert_file).verify_directly_issued_by(_leaf(mine.ca_file))


def test_a_damaged_ca_is_replaced_together_with_its_leaf(tmp_path: Path) -> None:
    m = ensure_tls_material(tmp_path)
    old_ca = m.ca_file.read_bytes()
    m.ca_file.write_text("not a certificate")
    ensure_tls_material(tmp_path)
    assert m.ca_file.read_bytes() != old_ca
    _leaf(m.cert_file).verify_directly_issued_by(_leaf(m.ca_file))
