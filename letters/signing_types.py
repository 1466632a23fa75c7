"""What the rest of the program needs to know of signing without loading pyHanko and its
cryptography (~20 MiB resident, imported by `letters.signing` only when a letter is signed or
checked): the refusal and what a checked signature says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class SigningError(Exception):
    """Signing was refused; `message_id` is the sentence for the person signing."""

    def __init__(self, message_id: str) -> None:
        super().__init__(message_id)
        self.message_id = message_id


@dataclass(frozen=True)
class SignatureReport:
    """What one signature in a PDF says."""

    field: str
    intact: bool
    """The bytes it covers are unchanged and the cryptographic signature matches."""
    covers_document: bool
    """It covers the whole file (nothing was added after it, besides validation data)."""
    signer: str
    signed_at: datetime | None
    """The signing time: the timestamp's when there is one, else what the signer claimed."""
    timestamped: bool
    trusted: bool | None
    """The certificate chains to a given trust root; None: no roots were given."""

    @property
    def valid(self) -> bool:
        return self.intact and self.covers_document and self.trusted is not False
