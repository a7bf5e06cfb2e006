"""Schemathesis against the sandbox's own /openapi.json over real TLS, signed in: every operation with
generated inputs (valid and invalid), then stateful scenarios that follow links (create a session, then
read, patch, add data, events and media to it). Zero 5xx answers, zero answers that break the schema.

The number of examples is bounded so the run stays short in CI; the counts are printed for the README.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import given as hgiven
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 12  # per generation mode (valid and invalid inputs)
STATEFUL_SCENARIOS = 25
APPS = "/v1/application/applications"
SESSION = APPS + "/{applicationId}/sessions/{sessionId}"
MEDIA = SESSION + "/media/{mediaId}"

pytestmark = pytest.mark.slow


class SignedIn:
    """The tech user's bearer token for the sandbox, renewed well before it expires."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self._token = ""
        self._at = 0.0

    def headers(self) -> dict[str, str]:
        if time.monotonic() - self._at > 120:
            info = self.sandbox.info
            user = info.user("tech")
            with httpx.Client(verify=_verify(info.ca_file)) as client:
                r = client.post(
                    f"{info.api_url}/v1/authentication/login/realms/{info.realm}",
                    json={"username": user.username, "password": user.password, "realm": info.realm},
                )
            r.raise_for_status()
            self._token, self._at = r.json()["access_token"], time.monotonic()
        return {"Authorization": f"Bearer {self._token}"}


def _verify(ca_file: str) -> Any:
    import ssl

    return ssl.create_default_context(cafile=ca_file)


def _with_links(doc: dict[str, Any]) -> dict[str, Any]:
    """The sandbox's document plus OpenAPI links, so stateful scenarios work on resources they made."""
    paths = doc["paths"]

    def op_id(path: str, method: str) -> str:
        return str(paths[path][method]["operationId"])

    def link(
        path: str, method: str, status: str, targets: list[tuple[str, str]], params: dict[str, str]
    ) -> None:
        links = paths[path][method]["responses"][status].setdefault("links", {})
        for target_path, target_method in targets:
            wanted = {
                p["name"]
                for p in paths[target_path][target_method].get("parameters", [])
                if p["in"] == "path"
            }
            links[f"{target_method}{target_path}"] = {
                "operationId": op_id(target_path, target_method),
                "parameters": {k: v for k, v in params.items() if k in wanted},
            }

    per_app = [
        (APPS + "/{applicationId}", "get"),
        (APPS + "/{applicationId}/roles", "get"),
        (APPS + "/{applicationId}/sessions", "get"),
        (APPS + "/{applicationId}/sessions", "post"),
    ]
    link(APPS, "get", "200", per_app, {"applicationId": "$response.body#/data/0/applicationId"})
    per_session = [
        (SESSION, "get"),
        (SESSION, "patch"),
        (SESSION + "/participants", "get"),
        (SESSION + "/participants", "post"),
        (SESSION + "/data", "get"),
        (SESSION + "/data", "patch"),
        (SESSION + "/events", "get"),
        (SESSION + "/events", "post"),
        (SESSION + "/media", "get"),
        (SESSION + "/media", "post"),
    ]
    from_request = {"applicationId": "$request.path.applicationId"}
    link(
        APPS + "/{applicationId}/sessions",
        "post",
        "201",
        per_session,
        {**from_request, "sessionId": "$response.body#/sessionId"},
    )
    per_media = [
        (MEDIA, "get"),
        (MEDIA, "patch"),
        (MEDIA, "delete"),
        (MEDIA + "/content", "get"),
        (MEDIA + "/content", "put"),
    ]
    link(
        SESSION + "/media",
        "post",
        "201",
        per_media,
        {**from_request, "sessionId": "$request.path.sessionId", "mediaId": "$response.body#/mediaId"},
    )
    link(
        "/v1/authentication/users",
        "get",
        "200",
        [("/v1/authentication/users/{userId}", "get")],
        {"userId": "$response.body#/data/0/id"},
    )
    link(
        "/v1/authentication/groups",
        "get",
        "200",
        [("/v1/authentication/groups/{groupId}", "get")],
        {"groupId": "$response.body#/data/0/id"},
    )
    return doc


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A private sandbox: the sessions and media schemathesis creates must not show up in other tests."""
    from skydesk.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(state_dir=tmp_path_factory.mktemp("schemathesis"), api_port=0, mqtt_port=0, seed=8)
    with Sandbox(config) as sb:
        yield sb


@pytest.fixture(scope="module")
def schema(sandbox: Any) -> Any:
    info = sandbox.info
    with httpx.Client(verify=_verify(info.ca_file)) as client:
        doc = client.get(f"{info.api_url}/openapi.json").json()
    return schemathesis.openapi.from_dict(_with_links(doc))


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases on every run: a failure here is reproducible
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def test_every_operation_answers_within_its_schema_and_never_5xx(schema: Any, sandbox: Any) -> None:
    auth = SignedIn(sandbox)
    statuses: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @_settings(EXAMPLES_PER_OPERATION)
            @hgiven(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                response = case.call(
                    base_url=sandbox.info.api_url, headers=auth.headers(), verify=sandbox.info.ca_file
                )
                statuses[response.status_code] += 1
                case.validate_response(response, checks=CHECKS)

            run()
    print(
        f"\nschemathesis: {operations} operations, {sum(statuses.values())} calls, statuses {dict(statuses)}"
    )
    assert operations >= 25
    assert not [s for s in statuses if s >= 500]
    assert statuses[200] + statuses[201] + statuses[204] > 0  # real work happened, not only refusals


def test_stateful_scenarios_follow_links_without_5xx_or_schema_breaks(schema: Any, sandbox: Any) -> None:
    auth = SignedIn(sandbox)
    calls: Counter[str] = Counter()

    class Scenario(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {
                "base_url": sandbox.info.api_url,
                "headers": auth.headers(),
                "verify": sandbox.info.ca_file,
            }

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            calls[f"{case.method} {case.path} {response.status_code}"] += 1

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)

    Scenario.run(settings=_settings(STATEFUL_SCENARIOS))
    chained = sum(
        n for key, n in calls.items() if "{sessionId}" in key and not key.endswith((" 404", " 400"))
    )
    print(f"\nschemathesis stateful: {sum(calls.values())} calls, {chained} on sessions made in the scenario")
    assert not [key for key in calls if key.rsplit(" ", 1)[1].startswith("5")]
    assert chained > 0, "no scenario reached a session it had created: the links do not work"
