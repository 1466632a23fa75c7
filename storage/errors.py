"""What storage raises; `storage.store` re-exports all three."""

from __future__ import annotations

from storage.models import Request, RequestEvent


class StorageError(Exception):
    """A refused write; the message is for the operator (CLI) in English."""


class NotFound(StorageError):
    pass


class StaleRequest(Exception):
    """The request moved on before this write: someone else handled the step first."""

    def __init__(self, request: Request, last_event: RequestEvent | None) -> None:
        super().__init__(f"request {request.number} is at version {request.version}")
        self.request = request
        self.last_event = last_event
