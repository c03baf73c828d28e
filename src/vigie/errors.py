"""Domain errors. The CLI and API translate them at the edge; the library only raises them."""

from __future__ import annotations


class VigieError(Exception):
    """Base class of every error Vigie raises on purpose."""


class InputError(VigieError):
    """One input (file, record, URL) could not be read or cleaned; the batch goes on without it."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        # Exceptions pickle their message as the only argument; this one needs both (worker processes send it).
        return InputError, (self.source, self.reason)


class StoreError(VigieError):
    """The article store cannot be opened or written (bad path, newer schema, locked)."""


class NotFoundError(VigieError):
    """An article, story or entity id that is not in the store."""
