"""TLS settings of the event stream: at least TLS 1.2, verification on unless switched off."""

from __future__ import annotations

import ssl
from collections.abc import Callable

import pytest

from skydesk.events import EventStream, StreamState
from skydesk.events._connection import tls_context

from .helpers import Recorder, mosquitto_stream
from .mosquitto import FakeAuthServer, MosquittoBroker


def test_tls_context_requires_tls_12_and_verifies_by_default() -> None:
    ctx = tls_context(verify=True, ca_file=None)
    assert ctx.minimum_version is ssl.TLSVersion.TLSv1_2
    assert ctx.verify_mode is ssl.CERT_REQUIRED and ctx.check_hostname
    insecure = tls_context(verify=False, ca_file=None)
    assert insecure.minimum_version is ssl.TLSVersion.TLSv1_2
    assert insecure.verify_mode is ssl.CERT_NONE and not insecure.check_hostname


@pytest.mark.mosquitto
def test_verify_false_connects_without_the_ca(
    open_stream: Callable[..., EventStream], mosquitto: MosquittoBroker, auth: FakeAuthServer
) -> None:
    rec = Recorder()
    stream = mosquitto_stream(open_stream, rec, mosquitto, auth, ca_file=None, verify=False)
    stream.start()
    rec.wait_state(StreamState.CONNECTED)
