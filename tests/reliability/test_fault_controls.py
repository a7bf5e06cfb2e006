"""The sandbox's fault controls, driven through the admin API (and Python) against the real servers."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest

from skydesk.sandbox.faults import FaultPlan, FaultRule, Latency

from .conftest import Rig


def sessions_path(rig: Rig, *rest: str) -> str:
    return "/".join([f"/v1/application/applications/{rig.app_id()}/sessions", *rest])


def until(what: str, predicate: Any, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_the_admin_api_is_off_by_default(sandbox: Any) -> None:
    assert sandbox.admin_url is None
    assert sandbox.faults.snapshot()["rules"] == []


def test_the_admin_api_needs_its_own_token_and_listens_on_loopback_only(rig: Rig) -> None:
    assert rig.sandbox.admin_url.startswith("https://127.0.0.1:")
    user_token = rig.login()["access_token"]
    anonymous = rig.admin()
    anonymous.headers.pop("Authorization")
    assert anonymous.get("/admin/faults").status_code == 401
    for token in ("wrong", user_token, rig.sandbox.admin_token + "x"):
        r = rig.admin(token).get("/admin/faults")
        assert r.status_code == 401, token
        assert "admin token" in r.json()["error"]
    assert rig.admin().get("/admin/faults").status_code == 200
    # The REST API does not serve the admin routes, whatever the token.
    r = rig.rest(None).get("/admin/faults", headers={"Authorization": f"Bearer {rig.sandbox.admin_token}"})
    assert r.status_code == 404


def test_bad_admin_requests_name_the_problem(rig: Rig) -> None:
    admin = rig.admin()
    r = admin.post("/admin/faults/rules", json={"kind": "explode"})
    assert r.status_code == 400 and "kind must be one of" in r.json()["error"]
    r = admin.post("/admin/faults/rules", json={"kind": "status", "share": 2})
    assert r.status_code == 400 and r.json()["error"].startswith("share:")
    r = admin.post("/admin/faults/rules", json={"kind": "status", "status": 404})
    assert r.status_code == 400 and "status must be one of" in r.json()["error"]
    assert admin.post("/admin/broker/explode").status_code == 404
    assert admin.delete("/admin/faults/rules/999").status_code == 404


def test_expiring_tokens_kills_those_issued_so_far_only(rig: Rig) -> None:
    before = rig.login()
    rest = rig.rest(None)
    bearer = {"Authorization": f"Bearer {before['access_token']}"}
    assert rest.get("/v1/application/applications", headers=bearer).status_code == 200

    assert rig.admin().post("/admin/tokens/expire").json() == {"expired": ["access", "refresh"]}
    r = rest.get("/v1/application/applications", headers=bearer)
    assert r.status_code == 401 and "expired" in r.json()["error"]
    refresh_path = "/v1/authentication/token/refresh"
    r = rest.post(refresh_path, json={"refreshToken": before["refresh_token"]})
    assert r.status_code == 401 and "expired" in r.json()["error"]
    # A token issued right after (in the same second, usually) works.
    after = rig.login()
    assert rest.get(
        "/v1/application/applications", headers={"Authorization": f"Bearer {after['access_token']}"}
    )
    assert rest.post(refresh_path, json={"refreshToken": after["refresh_token"]}).status_code == 200

    # Access tokens only: the refresh token still gets a new one.
    rig.sandbox.expire_tokens(refresh=False)
    bearer = {"Authorization": f"Bearer {after['access_token']}"}
    assert rest.get("/v1/application/applications", headers=bearer).status_code == 401
    assert rest.post(refresh_path, json={"refreshToken": after["refresh_token"]}).status_code == 200
    assert rig.sandbox.faults.injected()["tokens_expired"] == 2


def test_an_expired_token_no_longer_opens_an_mqtt_connection(rig: Rig) -> None:
    probe = rig.mqtt("tech")
    rig.sandbox.expire_tokens()
    assert probe.client.is_connected()  # a broker checks the token at CONNECT only
    rig.admin().post("/admin/mqtt/drop", json={"user": "tech"})
    until("the drop", lambda: not probe.client.is_connected())
    probe.close()
    user = rig.info.user("tech")
    again = type(probe)(
        rig.info.mqtt_host,
        rig.info.mqtt_port,
        client_id=f"{rig.info.realm}-{user.id}-10000002",
        username=f"{rig.info.realm}/{user.id}",
        password=probe.client._password.decode(),  # the same, now expired, token
        ca_file=rig.info.ca_file,
    )
    assert again.connect().is_failure  # CONNACK 5, not authorized (paho names it 135)


def test_mqtt_drop_cuts_one_users_connections_or_everyones(rig: Rig) -> None:
    tech, sam = rig.mqtt("tech"), rig.mqtt("sam")
    assert rig.admin().post("/admin/mqtt/drop", json={"user": "tech"}).json() == {"dropped": 1}
    until("tech's connection to drop", lambda: not tech.client.is_connected())
    assert sam.client.is_connected()
    assert rig.sandbox.drop_mqtt(rig.info.user("sam").id) == 1  # by user id from Python
    until("sam's connection to drop", lambda: not sam.client.is_connected())
    # paho reconnects by itself after a network drop; then everyone is dropped at once.
    until("both to reconnect", lambda: tech.client.is_connected() and sam.client.is_connected())
    until("the broker to see both", lambda: len(rig.sandbox._broker.connected_client_ids()) == 2)
    assert rig.admin().post("/admin/mqtt/drop").json() == {"dropped": 2}
    assert rig.sandbox.faults.injected()["mqtt_dropped"] == 4


def test_rest_and_broker_restart_on_the_same_ports(rig: Rig) -> None:
    api_url, mqtt_port = rig.info.api_url, rig.info.mqtt_port
    rest = rig.rest("tech")
    outage = threading.Thread(
        target=lambda: rig.admin().post("/admin/rest/restart", json={"down_for": 1.5}), daemon=True
    )
    outage.start()

    def refused() -> bool:
        try:
            rest.get("/v1/application/applications")
        except httpx.TransportError:  # refused, or a kept-alive connection cut by the stop
            return True
        return False

    until("the REST server to go down", refused)
    until("the REST server to come back", lambda: not refused())
    outage.join(10)
    assert rig.info.api_url == api_url

    probe = rig.mqtt("tech", clean=False)
    assert rig.admin().post("/admin/broker/stop").json() == {"broker": "stop"}
    until("the broker to go down", lambda: not probe.client.is_connected())
    assert rig.admin().post("/admin/broker/start").json() == {"broker": "start"}
    until("paho to reconnect to the same port", probe.client.is_connected)
    assert rig.info.mqtt_port == mqtt_port
    rig.sandbox.restart_broker()
    assert rig.sandbox.faults.injected() == {"rest_restarts": 1, "broker_restarts": 1}


def test_rest_latency_fixed_and_jittered(rig: Rig) -> None:
    rest = rig.rest("tech")
    rig.admin().put("/admin/faults/latency", json={"rest_ms": 400})
    started = time.monotonic()
    assert rest.get("/v1/application/applications").status_code == 200
    assert time.monotonic() - started >= 0.4
    rig.admin().put("/admin/faults/latency", json={"rest_ms": 0})
    started = time.monotonic()
    rest.get("/v1/application/applications")
    quick = time.monotonic() - started
    assert quick < 0.4 or quick < (time.monotonic() - started) * 2  # no added delay (load may still slow it)

    rng_plan = FaultPlan(seed=3)
    rng_plan.set_latency(rest=0.1, rest_jitter=0.2)
    samples = [rng_plan.rest_delay() for _ in range(200)]
    assert all(0.1 <= s <= 0.3 for s in samples) and max(samples) - min(samples) > 0.15


def test_mqtt_latency_delays_events_and_keeps_their_order(rig: Rig) -> None:
    probe = rig.mqtt("tech")
    rest = rig.rest("tech")
    rig.admin().put("/admin/faults/latency", json={"mqtt_ms": 500, "mqtt_jitter_ms": 400})
    sent: list[tuple[str, float]] = []
    for n in range(6):
        r = rest.post(sessions_path(rig), json={"name": f"latency {n}", "version": 1, "participants": []})
        assert r.status_code == 201, r.text
        sent.append((r.json()["sessionId"], time.monotonic()))
    got = [probe.next_message(timeout=20) for _ in sent]
    arrived = time.monotonic()
    ids = [json.loads(m.payload)["sessionId"] for m in got]
    assert ids == [sid for sid, _ in sent]  # jitter never reorders
    assert arrived - sent[0][1] >= 0.5
    rig.sandbox.faults.set_latency(mqtt=0)
    rest.post(sessions_path(rig), json={"name": "no latency", "version": 1, "participants": []})
    assert json.loads(probe.next_message().payload)["session"]["name"] == "no latency"


def test_a_share_of_requests_is_answered_with_an_error_and_retry_after(rig: Rig) -> None:
    rest = rig.rest("tech")
    rig.sandbox.faults.reseed(11)
    rule_id = (
        rig.admin()
        .post("/admin/faults/rules", json={"kind": "status", "status": 503, "share": 0.5, "retry_after": 2})
        .json()["id"]
    )
    answers = [rest.get("/v1/application/applications") for _ in range(40)]
    failed = [r for r in answers if r.status_code == 503]
    assert 8 <= len(failed) <= 32 and len(failed) + sum(r.status_code == 200 for r in answers) == 40
    assert {r.headers["retry-after"] for r in failed} == {"2"}
    assert all("sandbox fault injection" in r.json()["error"] for r in failed)
    assert rig.sandbox.faults.injected()["status_503"] == len(failed)
    assert rig.admin().delete(f"/admin/faults/rules/{rule_id}").status_code == 200

    rig.sandbox.faults.fail(429, retry_after=7, times=1)
    r = rest.get("/v1/application/applications")
    assert (r.status_code, r.headers["retry-after"]) == (429, "7")
    rig.sandbox.faults.fail(500, times=1)
    r = rest.get("/v1/application/applications")
    assert r.status_code == 500 and "retry-after" not in r.headers
    assert rest.get("/v1/application/applications").status_code == 200  # times=1: used up


def test_an_error_answer_means_the_request_was_not_run(rig: Rig) -> None:
    rest = rig.rest("tech")
    before = rest.get(sessions_path(rig), params={"limit": 100}).json()["data"]
    rig.sandbox.faults.fail(503, times=1, methods=("POST",))
    assert (
        rest.post(
            sessions_path(rig), json={"name": "never made", "version": 1, "participants": []}
        ).status_code
        == 503
    )
    after = rest.get(sessions_path(rig), params={"limit": 100}).json()["data"]
    assert len(after) == len(before)


def test_rules_match_by_path_and_method(rig: Rig) -> None:
    rest = rig.rest("tech")
    rig.sandbox.faults.fail(503, path="/v1/authentication/")
    assert rest.get("/v1/application/applications").status_code == 200
    with pytest.raises(AssertionError):
        rig.login()
    rig.sandbox.faults.clear()
    rig.sandbox.faults.fail(503, methods=("patch",))
    assert rest.get("/v1/application/applications").status_code == 200
    assert rig.sandbox.faults.snapshot()["rules"][0]["methods"] == ["PATCH"]


@pytest.mark.parametrize("kind", ["malformed", "truncated", "invalid_utf8"])
def test_spoiled_bodies_are_not_json(rig: Rig, kind: str) -> None:
    rest = rig.rest("tech")
    good = rest.get("/v1/application/applications")
    rig.admin().post("/admin/faults/rules", json={"kind": kind, "times": 1})
    bad = rest.get("/v1/application/applications")
    assert bad.status_code == 200 and bad.headers["content-length"] == str(len(bad.content))
    assert bad.content != good.content
    with pytest.raises(ValueError):  # JSONDecodeError and UnicodeDecodeError both are
        json.loads(bad.content)
    assert rig.sandbox.faults.injected() == {kind: 1}


def test_an_answer_rule_sends_exactly_the_bytes_and_status_given(rig: Rig) -> None:
    rest = rig.rest("tech")
    sessions = sessions_path(rig)
    before = rest.post(sessions, json={"name": "kept", "version": 1, "participants": []})
    assert before.status_code == 201
    body = b'{"data": [\xff\xfe' + b"[" * 3000
    rig.sandbox.faults.answer(500, body, path=sessions, methods=("GET", "POST"), times=2)
    r = rest.get(sessions)
    assert (r.status_code, r.content, r.headers["content-type"]) == (500, body, "application/json")
    # Not run: the POST created nothing. Over the admin API, a str body goes out as UTF-8.
    assert rest.post(sessions, json={"name": "lost", "version": 1, "participants": []}).content == body
    names = [s["name"] for s in rest.get(sessions, params={"limit": 200}).json()["data"]]
    assert "kept" in names and "lost" not in names
    admin = rig.admin()
    rule = {"kind": "answer", "status": 200, "body": '{"ok": "ü"}', "times": 1, "content_type": "text/plain"}
    assert admin.post("/admin/faults/rules", json=rule).status_code == 201
    assert admin.get("/admin/faults").json()["rules"][0]["body"] == len('{"ok": "ü"}'.encode())
    r = rest.get("/v1/application/applications")
    assert (r.status_code, r.content, r.headers["content-type"]) == (
        200,
        '{"ok": "ü"}'.encode(),
        "text/plain",
    )
    assert rig.sandbox.faults.injected() == {"answer": 3}
    with pytest.raises(ValueError, match="between 200 and 599"):
        FaultRule("answer", status=99)


def test_huge_bodies_are_valid_json_of_the_size_asked(rig: Rig) -> None:
    rest = rig.rest("tech")
    rig.sandbox.faults.corrupt("huge", size=5_000_000, times=1)
    r = rest.get("/v1/application/applications")
    assert len(r.content) > 5_000_000
    body = r.json()
    assert len(body["padding"]) == 5_000_000 and body["data"]


def test_a_body_fault_skips_answers_without_a_body(rig: Rig) -> None:
    # A session's DELETE is answered 204: nothing to spoil, so the fault waits for the next answer.
    rest = rig.rest("tech")
    sid = rest.post(sessions_path(rig), json={"name": "to close", "version": 1, "participants": []}).json()[
        "sessionId"
    ]
    rig.sandbox.faults.corrupt("truncated", times=1, methods=("DELETE", "GET"))
    r = rest.delete(sessions_path(rig, sid))
    if r.status_code == 204:
        assert rig.sandbox.faults.injected() == {}
        with pytest.raises(ValueError):
            rest.get(sessions_path(rig)).json()
    assert rig.sandbox.faults.injected() == {"truncated": 1}


def test_connections_closed_before_the_answer_after_the_request_ran(rig: Rig) -> None:
    rest = rig.rest("tech")
    rig.admin().post("/admin/faults/rules", json={"kind": "reset", "times": 1, "methods": ["POST"]})
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        rest.post(sessions_path(rig), json={"name": "outcome unknown", "version": 1, "participants": []})
    names = [s["name"] for s in rest.get(sessions_path(rig), params={"limit": 100}).json()["data"]]
    assert "outcome unknown" in names  # the change happened; only the answer was lost


def test_connections_closed_mid_body(rig: Rig) -> None:
    rest = rig.rest("tech")
    rig.sandbox.faults.cut("mid_body", times=1)
    with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
        rest.get("/v1/application/applications")
    assert rest.get("/v1/application/applications").status_code == 200


def test_rules_validate_their_options() -> None:
    for bad in (
        {"kind": "status", "status": 200},
        {"kind": "reset", "share": -0.1},
        {"kind": "huge", "size": 0},
        {"kind": "status", "times": 0},
        {"kind": "status", "path": "v1"},
    ):
        with pytest.raises(ValueError):
            FaultRule(**bad)
    with pytest.raises(ValueError):
        Latency(-1)


def test_the_readme_python_example_runs(rig: Rig) -> None:
    from tests.support.readme import readme_example

    exec(readme_example("### Fault controls"), {"sb": rig.sandbox})
    injected = rig.sandbox.faults.injected()
    assert injected["tokens_expired"] == 1 and injected["broker_restarts"] == 1
    assert rig.sandbox.faults.snapshot()["rules"] == []  # the example ends with clear()
    assert rig.rest("tech").get("/v1/application/applications").status_code == 200
