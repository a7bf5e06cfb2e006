"""TLS settings of the event stream: at least TLS 1.2, and certificates always verified (no opt-out)."""

from __future__ import annotations

import ssl

from skydesk.events._connection import tls_context


def test_tls_context_requires_tls_12_and_always_verifies() -> None:
    ctx = tls_context(ca_file=None)
    assert ctx.minimum_version is ssl.TLSVersion.TLSv1_2
    assert ctx.verify_mode is ssl.CERT_REQUIRED and ctx.check_hostname
