"""The describer: plain words per action, the host at most once, no exception names, the right action.

The errors are built as the SDK raises them: most of them (a 5xx, a broken connection mid-request, a 429)
cannot be produced by the sandbox on demand.
"""

from __future__ import annotations

import pytest

from skydesk.api.errors import (
    ApiError,
    BadResponse,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    SignInRequired,
    Timeout,
    TransportError,
    ValidationError,
)
from skydesk.models.problems import (
    CREATING_SESSION,
    LOADING_LIST,
    SAVING_CHANGES,
    Action,
    Doing,
    Severity,
    describe,
)

HOST = "api.example.test"

ERRORS = [
    Conflict(f"{HOST} refused the change: closed", status=409, host=HOST),
    Forbidden(f"You are not allowed to do this on {HOST}.", status=403, host=HOST),
    NotFound(f"Not found on {HOST}: Session 1234 not found", status=404, host=HOST),
    ValidationError(f"{HOST} rejected the input: x", details=[FieldError("name", "too long")], host=HOST),
    RateLimited(f"{HOST} is receiving too many requests.", retry_after=3, host=HOST),
    ServerError(f"{HOST} had a problem (502).", status=502, host=HOST),
    TransportError(f"Could not connect to {HOST}: refused.", host=HOST),
    TransportError(f"The connection to {HOST} failed.", host=HOST, outcome_unknown=True),
    Timeout(f"{HOST} did not answer in time.", host=HOST),
    BadResponse(f"{HOST} sent a reply that is not valid JSON.", host=HOST),
    SignInRequired(f"You are not signed in to {HOST}.", host=HOST),
    ApiError(f"{HOST} answered with an unexpected status 418.", status=418, host=HOST),
    KeyError("session_id"),
]


@pytest.mark.parametrize("exc", ERRORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("doing", [SAVING_CHANGES, CREATING_SESSION, LOADING_LIST], ids=lambda d: d.what)
def test_words_name_the_host_at_most_once_and_never_an_exception_class(
    exc: BaseException, doing: Doing
) -> None:
    problem = describe(exc, doing)
    assert problem.message.count(HOST) <= 1, problem.message
    assert type(exc).__name__ not in problem.message
    assert "Error" not in problem.message and "session_id" not in problem.message
    assert problem.message.startswith(doing.failed) and problem.message.endswith(".")
    assert problem.doing == doing.what


def test_the_same_409_has_its_own_words_for_saving_and_for_creating() -> None:
    exc = Conflict(f"{HOST} refused the change.", status=409, host=HOST)
    saving, creating = describe(exc, SAVING_CHANGES), describe(exc, CREATING_SESSION)
    assert (
        saving.message == "The changes were not saved: the session is closed, so it can no longer be changed."
    )
    assert "closed" not in creating.message and creating.message.startswith("The session was not created")


def test_a_read_offers_retry_but_a_write_whose_outcome_is_unknown_offers_reload() -> None:
    offline = TransportError(f"Could not connect to {HOST}.", host=HOST)
    broken = TransportError(f"The connection to {HOST} failed.", host=HOST, outcome_unknown=True)
    assert describe(offline, LOADING_LIST).action is Action.RETRY
    assert describe(offline, SAVING_CHANGES).action is Action.RETRY  # never sent: retrying is safe
    maybe = describe(broken, SAVING_CHANGES)
    assert maybe.action is Action.RELOAD and maybe.kind == "maybe_saved"
    assert "may or may not" in maybe.message
    assert describe(ServerError("x", status=500, host=HOST), SAVING_CHANGES).action is Action.RELOAD
    assert describe(ServerError("x", status=500, host=HOST), LOADING_LIST).action is Action.RETRY


def test_sign_in_and_unexpected_problems() -> None:
    sign_in = describe(SignInRequired("expired", host=HOST), LOADING_LIST)
    assert sign_in.action is Action.SIGN_IN and sign_in.action_label == "Sign in again"
    bug = describe(ZeroDivisionError("division by zero"), SAVING_CHANGES)
    assert bug.kind == "unexpected" and bug.severity is Severity.ERROR and bug.action is None
    assert "division" not in bug.message and "log" in bug.message


def test_a_validation_error_on_one_field_is_placed_next_to_it() -> None:
    exc = ValidationError("x", details=[FieldError("name", "Name is too long")], host=HOST)
    problem = describe(exc, SAVING_CHANGES, scope="detail")
    assert (problem.scope, problem.field) == ("detail", "name")
    assert problem.message == "The changes were not saved: name: Name is too long."
    assert describe(RateLimited("x", retry_after=None, host=HOST), LOADING_LIST).severity is Severity.INFO
