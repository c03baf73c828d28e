"""HTTP errors of the server: every exception carries its status, and one function describes any of them.

The handlers in :mod:`vigie.serve` turn the description into ``{"error": {"status", "code", "message"}}`` for API
paths and into an HTML error page for the others.
"""

from __future__ import annotations

import errno
import sqlite3
from http import HTTPStatus

from vigie.errors import InputError, NotFoundError, StoreError, VigieError
from vigie.i18n import Translator, not_found


class HttpError(VigieError):
    """An error with the HTTP status and the short machine-readable code to answer with."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class Forbidden(HttpError):
    """A write without the server's bearer token (or on a server started without one)."""

    status = 403
    code = "forbidden"


class TooLarge(HttpError):
    """A request body over the server's size limit."""

    status = 413
    code = "too_large"


class Unavailable(HttpError):
    """A feature that needs an optional dependency this installation lacks."""

    status = 501
    code = "not_implemented"


def code_of(status: int) -> str:
    """Snake-case name of an HTTP status: 404 -> ``not_found``."""
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def describe(exc: BaseException) -> tuple[int, str, str]:
    """(status, code, message) of an exception; domain errors map to their natural status."""
    if isinstance(exc, HttpError):
        return exc.status, exc.code, exc.message
    if isinstance(exc, NotFoundError):
        return 404, "not_found", str(exc)
    if isinstance(exc, InputError):
        return 400, "invalid_input", str(exc)
    if isinstance(exc, StoreError):
        return 503, "store_unavailable", str(exc)
    if isinstance(exc, VigieError):
        return 400, "bad_request", str(exc)
    write = write_failure(exc)
    if write is not None:
        return 503, "store_unavailable", write
    return 500, "internal_error", "internal server error"


def write_failure(exc: BaseException) -> str | None:
    """A one-line reason when ``exc`` is a store or file that cannot be written (read-only, full disk, locked)."""
    if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError):
        text = str(exc).lower()
        if "readonly" in text or "read-only" in text:
            return "the store is read-only: nothing can be written (reads still work)"
        if "full" in text:
            return "the disk holding the store is full: nothing was written"
        if "locked" in text or "busy" in text:
            return "the store is busy (locked by another writer): try again"
        return f"the store cannot be written ({exc})"
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES):
        return f"cannot write {exc.filename or 'the store'}: {exc.strerror or exc}"
    if type(exc).__module__.startswith("psycopg") and type(exc).__name__ in ("OperationalError", "DiskFull"):
        return f"the store cannot be written ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
    return None


def error_body(status: int, code: str, message: str) -> dict[str, dict[str, int | str]]:
    """The one JSON error shape of the API."""
    return {"error": {"status": status, "code": code, "message": message}}


def page_message(status: int, code: str, message: str, t: Translator) -> str:
    """The message of an error page in the page's language (the JSON API keeps the English one)."""
    if status == 404:
        return not_found(message, t)
    if code == "internal_error":
        return t("error.internal")
    if code == "invalid_request":
        return t("error.invalid_request", detail=message)
    if status == 405:
        return t("error.method_not_allowed")
    return message
