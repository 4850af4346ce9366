"""The one error vocabulary of the domain, and the one place it becomes an HTTP status.

Domain code (the workflow, drafts, assignment, publishing) raises a `DomainError` with a
stable `code` for programs and a message for people. The HTML views and the API answer
with `http_status(error)`; nothing matches on the message.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.core.words import Words


class DomainError(Exception):
    """Why something cannot be done: `code` names the reason, the message is for people,
    and `fields` says what is wrong with each input by its name, for a form to show beside
    the field (empty when the reason is not one input's)."""

    #: The code when none is given.
    default_code = "invalid"

    def __init__(
        self,
        message: str | Words,
        code: str | None = None,
        *,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.fields = dict(fields or {})
        #: The message as `Words` when the domain gave it so: the screens say it in the
        #: reader's language (`app.web.say`); `str(error)` is its English.
        self.words = message if isinstance(message, Words) else None
        super().__init__(str(message))


class Invalid(DomainError):
    """Input that cannot be used: a message per input in `fields`, all of them in the
    message."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        message = "; ".join(f"{name}: {problem}" for name, problem in fields.items())
        super().__init__(message, fields=fields)


class InvalidInput(DomainError):
    """One refusal about one input (or none), with the message meant for the person who
    tried: `field` names the input, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, fields={field: message} if field else None)
        self.field = field


class Refused(DomainError):
    """A guard said no: the role (`forbidden`) or the state of things (anything else)."""

    default_code = "conflict"

    def __init__(self, code: str, message: str | Words) -> None:
        super().__init__(message, code)


#: The status of each code that does not mean "conflict with the state of things" (409).
STATUS_BY_CODE = {
    "forbidden": 403,
    "not_found": 404,
    "invalid": 422,
}


def http_status(error: DomainError, *, form: bool = False) -> int:
    """The HTTP status for `error`. A form shown again with what was typed answers 400
    where the API answers 422 (the request was read; its content is not acceptable)."""
    status = STATUS_BY_CODE.get(error.code, 409)
    return 400 if form and status == 422 else status
