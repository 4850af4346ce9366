"""One error vocabulary: every refusal a person can cause is a DomainError with a code,
mapped to an HTTP status in one place, and a form shows each message beside its field."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField

from app.accounts.grants import GrantError
from app.accounts.operations import AccountError
from app.audit.export import FilterError
from app.complaints.importers import ImportFileError
from app.complaints.intake import Rejection
from app.core.errors import DomainError, Refused, http_status
from app.drafts.operations import DraftError, NotAllowed, StaleRevision
from app.drafts.policy import WorkflowPolicyError
from app.publishing.outbox import PublishingError
from app.settings.company import CompanyDetailsError
from app.tone.checker import ToneCheckError
from app.tone.policy import TonePolicyError
from app.web.forms import show_on_form

#: Each error as the domain raises it, and the status the API (and a form) answers with.
ERRORS = [
    (AccountError("That address is taken.", field="email"), 422, 400),
    (GrantError("Only admins give powers."), 422, 400),
    (FilterError({"since": "Give a date as YYYY-MM-DD."}), 422, 400),
    (ImportFileError("The file is not CSV."), 422, 400),
    (Rejection({"text": "The complaint is empty."}), 422, 400),
    (WorkflowPolicyError({"cooling_off.floor_seconds": "At least a minute."}), 422, 400),
    (CompanyDetailsError({"phone": "Not a phone number."}), 422, 400),
    (TonePolicyError({"blame": "Not a severity."}), 422, 400),
    (ToneCheckError("The text is too long to check."), 422, 400),
    (DraftError("The reply is empty."), 422, 400),
    (NotAllowed("Only the author edits."), 403, 403),
    (StaleRevision(3), 409, 409),
    (Refused("self_approval", "You wrote words of this revision."), 409, 409),
    (Refused("forbidden", "Your role does not allow this."), 403, 403),
]


@pytest.mark.parametrize(("error", "api", "form"), ERRORS, ids=lambda e: type(e).__name__)
def test_each_refusal_is_a_domain_error_with_one_status(error, api, form):
    assert isinstance(error, DomainError)
    assert error.code
    assert http_status(error) == api
    assert http_status(error, form=True) == form


def test_publishing_errors_are_in_the_same_vocabulary():
    assert issubclass(PublishingError, DomainError)


class PersonForm(FlaskForm):
    email = StringField()
    name = StringField()


def test_a_form_shows_each_message_beside_its_field(plain_app):
    with plain_app.test_request_context():
        form = PersonForm(meta={"csrf": False})
        show_on_form(
            form, Rejection({"name": "Too long.", "email": "Not an address."}), otherwise="email"
        )
        assert form.name.errors == ["Too long."]
        assert form.email.errors == ["Not an address."]

        form = PersonForm(meta={"csrf": False})
        # About no input at all, or one this form does not have: beside `otherwise`.
        show_on_form(form, GrantError("Only admins give powers."), otherwise="name")
        show_on_form(form, AccountError("Locked.", field="password"), otherwise="name")
        assert form.name.errors == ["Only admins give powers.", "Locked."]
        assert list(form.email.errors) == []
