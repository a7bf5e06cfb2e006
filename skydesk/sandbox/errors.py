"""Domain errors of the sandbox; the REST layer turns each into its HTTP status and `{"error"}` body.

ApiError
 ├── BadRequest        400 (optionally with field details)
 ├── Unauthorized      401
 ├── Forbidden         403
 ├── NotFound          404
 ├── Conflict          409
 └── PayloadTooLarge   413
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field of a request: where it is and what is wrong with it."""

    field: str
    message: str

    def to_json(self) -> dict[str, str]:
        """The `details` entry of a 400 body."""
        return {"field": self.field, "message": self.message}


class ApiError(Exception):
    """An error a client caused or may see; carries its HTTP status and a human message."""

    status: ClassVar[int] = 500

    def __init__(self, message: str, details: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details or [])

    def to_json(self) -> dict[str, Any]:
        """The JSON error body: `{"error": ...}` plus `details` when there are any."""
        body: dict[str, Any] = {"error": self.message}
        if self.details:
            body["details"] = [d.to_json() for d in self.details]
        return body


class BadRequest(ApiError):
    """The request is malformed or breaks a limit (400)."""

    status = 400

    @classmethod
    def invalid(cls, problems: list[FieldProblem]) -> BadRequest:
        """A 400 whose message summarises the first problem and whose details list all of them."""
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return cls(f"Invalid request: {first.field}: {first.message}{more}", problems)


class Unauthorized(ApiError):
    """Missing, invalid or expired credentials (401)."""

    status = 401


class Forbidden(ApiError):
    """The caller's roles do not allow the action (403)."""

    status = 403


class NotFound(ApiError):
    """No such item, or the caller may not know it exists (404)."""

    status = 404


class Conflict(ApiError):
    """The item's state forbids the change, e.g. the session is closed (409)."""

    status = 409


class PayloadTooLarge(ApiError):
    """The request body is over the size limit (413)."""

    status = 413
