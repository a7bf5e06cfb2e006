"""Plain words for failures the sandbox cannot be made to produce (a 5xx at sign-in, a 403 on a save).

The errors are built directly, as the SDK would raise them: the sandbox has no switch for a server fault,
and no demo role may read a session but not change it.
"""

from __future__ import annotations

from skydesk.api.errors import Forbidden, ServerError
from skydesk.core.settings import ConnectionProfile
from skydesk.models.auth import describe_sign_in_error
from skydesk.models.problems import SAVING_CHANGES, describe

PROFILE = ConnectionProfile("work", "https://api.example.test", "mqtt.example.test", realm="acme")


def test_a_server_error_at_sign_in_names_the_host_and_the_status() -> None:
    message = describe_sign_in_error(ServerError("boom", status=503, host="api.example.test"), PROFILE)
    assert message == "The server at api.example.test had an error (503). Try again later."


def test_a_server_error_without_a_host_falls_back_to_the_profiles_host() -> None:
    message = describe_sign_in_error(ServerError("boom", status=500), PROFILE)
    assert "api.example.test" in message


def test_a_refused_save_says_so_in_plain_words() -> None:
    problem = describe(Forbidden("forbidden", status=403, host="api.example.test"), SAVING_CHANGES)
    assert problem.message == "The changes were not saved: you are not allowed to do this."
