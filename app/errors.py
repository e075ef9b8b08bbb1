"""Domain errors that carry their HTTP status, so services never import the web layer."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    title = "Request could not be completed"

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(DomainError):
    status_code = 404
    title = "Not found"


class Forbidden(DomainError):
    status_code = 403
    title = "Not allowed"


class Conflict(DomainError):
    status_code = 409
    title = "Conflict"


class InvalidInput(DomainError):
    status_code = 422
    title = "Invalid input"


class InvalidTransition(Conflict):
    title = "Invalid state change"


class TooLarge(DomainError):
    status_code = 413
    title = "Too large"


class LoginRequired(Exception):
    """No valid session: browsers go to the sign-in page, API clients get 401."""
