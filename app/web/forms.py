"""Domain errors shown on the form that caused them."""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm

from app.core.errors import DomainError


def show_on_form(form: FlaskForm, error: DomainError, *, otherwise: str) -> None:
    """Put each of the error's messages beside its field, in the page's language where it
    is a marked message; a message about no field of this form (or about none at all)
    goes beside `otherwise`."""
    for name, message in (error.fields or {otherwise: str(error)}).items():
        field = form._fields.get(name) or form._fields[otherwise]
        field.errors = [*field.errors, gettext(message)]
