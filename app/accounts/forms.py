from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import Role, TokenScope
from app.accounts.passwords import MAX_LENGTH, MIN_LENGTH

ROLE_CHOICES = [SelectChoice(role.value, _l(role.label)) for role in Role]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class GroupsField(CheckboxesField):
    """Sign-off groups: the choices are the groups in the database, set by the view."""

    def __init__(self, label: str = _l("Sign-off groups"), **kwargs) -> None:
        super().__init__(label, choices=[], **kwargs)


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    roles = CheckboxesField(
        _l("Roles"),
        choices=ROLE_CHOICES,
        validators=[DataRequired(message=_l("Choose at least one role."))],
    )
    groups = GroupsField()


class RolesForm(FlaskForm):
    roles = CheckboxesField(_l("Roles"), choices=ROLE_CHOICES)
    groups = GroupsField()


class GroupForm(FlaskForm):
    key = StringField(
        _l("Key"),
        validators=[DataRequired(), Length(min=2, max=40)],
        description=_l("Short, lower-case, used in the workflow policy: for example privacy."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF-protected, no fields."""


def _new_password() -> PasswordField:
    return PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
        description=_l(
            "At least %(least)s characters. A sentence you remember works well.", least=MIN_LENGTH
        ),
    )


def _repeated(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class SetPasswordForm(FlaskForm):
    password = _new_password()
    confirm = _repeated(_l("Repeat it"))


#: How long a new API token lives, in days: the choices offered (at most a year).
TOKEN_LIFETIME_CHOICES = [
    SelectChoice("30", _l("30 days")),
    SelectChoice("90", _l("90 days")),
    SelectChoice("180", _l("180 days")),
    SelectChoice("365", _l("1 year")),
]


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("What it is for, to recognise it later: “Zapier”, “weekly report”."),
    )
    scope = RadioField(
        _l("May"),
        choices=[SelectChoice(scope.value, _l(scope.label)) for scope in TokenScope],
        default=TokenScope.READ.value,
        validators=[DataRequired()],
    )
    expires_days = SelectField(
        _l("Expires after"),
        choices=TOKEN_LIFETIME_CHOICES,
        default="90",
        validators=[DataRequired()],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password()
    confirm = _repeated(_l("Repeat the new password"))
