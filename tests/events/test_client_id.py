"""The MQTT client id ``{realm}-{sub}-{8 digits}``: the digits are ASCII 0-9 only (issue 13). The
sandbox broker refuses other digits (tests/sandbox/test_mqtt_auth.py); mosquitto accepts any id, so
there the rule is the SDK's: it only ever sends ASCII digits, and refuses to build any other id."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydesk.events import EventStream, StreamState, stable_client_suffix

from .helpers import Recorder, mosquitto_stream
from .mosquitto import FakeAuthServer, MosquittoBroker

OpenStream = Callable[..., EventStream]


@given(device=st.text(min_size=1, max_size=40), user=st.text(min_size=1, max_size=40))
def test_the_stable_suffix_is_always_eight_ascii_digits(device: str, user: str) -> None:
    assert re.fullmatch(r"[0-9]{8}", stable_client_suffix(device, user), re.ASCII)


@pytest.mark.parametrize("suffix", ["\u0661" * 8, "\uff11" * 8, "1234567\u0662", "12345678\n", "1234 678"])
def test_other_digits_never_reach_a_broker(
    open_stream: OpenStream, mosquitto: MosquittoBroker, auth: FakeAuthServer, suffix: str
) -> None:
    with pytest.raises(ValueError, match="8 ASCII digits"):
        mosquitto_stream(open_stream, Recorder(), mosquitto, auth, client_suffix=suffix)


def test_mosquitto_sees_the_ascii_client_id(
    open_stream: OpenStream, mosquitto: MosquittoBroker, auth: FakeAuthServer
) -> None:
    suffix = stable_client_suffix("device-\u0661", "u1")  # a non-ASCII device id still gives 0-9
    rec = Recorder()
    stream = mosquitto_stream(open_stream, rec, mosquitto, auth, client_suffix=suffix)
    stream.start()
    rec.wait_state(StreamState.CONNECTED)
    stream.stop()
    assert re.search(rf"as demo-u1-{suffix}\b", mosquitto.log_tail(20000)), mosquitto.log_tail(2000)
