"""Helpers for controller tests against the real sandbox."""

from __future__ import annotations

from typing import Any

from skydesk.models.services import AppServices
from tests.support.qt import SignalRecorder, wait_until


async def sign_in(services: AppServices, profile: Any, user: str = "tech", remember: bool = False) -> None:
    """Sign in through the AuthController and wait for the outcome (fails the test on an error)."""
    rec = SignalRecorder(services.auth.signed_in, services.auth.sign_in_failed)
    services.auth.sign_in(profile, user, f"{user}-demo-pw", remember)
    await rec.wait_any(("signed_in", "sign_in_failed"), within=20)
    assert not rec.args("sign_in_failed"), rec.args("sign_in_failed")


async def settled(services: AppServices, within: float = 20.0) -> None:
    """Wait until the session list has no page load running."""
    from skydesk.models.browser import LIST_TARGET

    await wait_until(
        lambda: not services.ops.busy(LIST_TARGET) and services.browser.model.state != "loading",
        within,
        what="session list loaded",
    )


def app_id(services: AppServices, name: str) -> str:
    """Application id by its name, from what the browser loaded."""
    return next(a.application_id for a in services.browser.applications if a.name == name)


async def open_app(services: AppServices, name: str) -> str:
    """Load the applications, choose `name` and wait for the first page."""
    rec = SignalRecorder(services.browser.applications_loaded)
    if not services.browser.applications:
        services.browser.load_applications()
        await rec.wait("applications_loaded", within=20)
    chosen = app_id(services, name)
    services.browser.set_application(chosen)
    await settled(services)
    return chosen
