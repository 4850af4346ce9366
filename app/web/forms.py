"""Domain errors shown on the form that caused them."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.core.errors import DomainError
from app.web import say


def show_on_form(form: FlaskForm, error: DomainError, *, otherwise: str) -> None:
    """Put each of the error's messages beside its field, in the page's language
    (`say.say`: its `Words`, or a message marked with `N_`); a message about no field of
    this form (or about none at all) goes beside `otherwise`."""
    for name, message in (error.fields or {otherwise: error}).items():
        field = form._fields.get(name) or form._fields[otherwise]
        field.errors = [*field.errors, say.say(message)]
