"""The signed-in person's own account: password, API tokens, signed-in devices."""

from __future__ import annotations

from datetime import timedelta

from babel import Locale
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts import operations, profile
from app.accounts.forms import ApiTokenForm, ChangePasswordForm, ConfirmForm
from app.accounts.models import ApiToken, TokenScope, UserSession
from app.accounts.views import throttle_policy
from app.extensions import db
from app.nlp.detection import LANGUAGE_NAMES, language_choices
from app.web import say
from app.web.access import login_only
from app.web.forms import show_on_form
from app.web.services import now

account_blueprint = Blueprint("account", __name__, url_prefix="/account")


def _me():
    return current_user._get_current_object()


@account_blueprint.route("")
@login_only
def overview():
    return render_template(
        "account/overview.html",
        sessions=operations.sessions_of(db.session, _me()),
        current=current_user.signed_in,
        language_choices=language_choices(),
        screen_languages=screen_languages(),
        time_zones=profile.time_zones(),
        default_zone=current_app.config["DISPLAY_TIMEZONE"],
    )


def screen_languages() -> list[tuple[str, str]]:
    """(code, the language's name in itself: "Nederlands") for each supported language."""
    return [
        (code, Locale.parse(code).get_display_name(code).capitalize())
        for code in current_app.config["SUPPORTED_LOCALES"]
    ]


@account_blueprint.route("/profile", methods=["POST"])
@login_only
def set_profile():
    """The screens' language and the time zone times are shown in."""
    try:
        profile.set_profile(
            db.session,
            target=_me(),
            language=request.form.get("language"),
            time_zone=request.form.get("time_zone"),
            supported=current_app.config["SUPPORTED_LOCALES"],
            actor=_me(),
            now=now(),
        )
    except profile.ProfileError as problem:
        db.session.rollback()
        flash(say.say(problem), "error")
    else:
        db.session.commit()
        flash(gettext("Your language and time zone are saved."), "success")
    return redirect(url_for("account.overview"))


@account_blueprint.route("/languages", methods=["POST"])
@login_only
def languages():
    try:
        chosen = operations.set_languages(
            db.session,
            target=_me(),
            languages=request.form.getlist("languages"),
            actor=_me(),
            now=now(),
        )
    except operations.AccountError as problem:
        db.session.rollback()
        flash(say.say(problem), "error")
    else:
        db.session.commit()
        flash(
            gettext(
                "Languages you read: %(languages)s.",
                languages=", ".join(LANGUAGE_NAMES[c] for c in chosen),
            )
            if chosen
            else gettext(
                "No languages listed: you will not approve replies to complaints "
                "Composure cannot read."
            ),
            "success",
        )
    return redirect(url_for("account.overview"))


CHANGED_MESSAGE = _l(
    "Your password is changed. Every other device is signed out and your API tokens are revoked."
)


@account_blueprint.route("/password", methods=["GET", "POST"])
@login_only
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(
                db.session,
                user=_me(),
                current_password=form.current_password.data,
                new_password=form.password.data,
                keep_session=current_user.signed_in,
                remote_addr=request.remote_addr or "",
                policy=throttle_policy(),
                now=now(),
            )
        except operations.AccountError as exc:
            if exc.field == "current_password":
                db.session.commit()  # the wrong guess counts against the throttle
            else:
                db.session.rollback()
            show_on_form(form, exc, otherwise="password")
        else:
            db.session.commit()
            flash(str(CHANGED_MESSAGE), "success")
            return redirect(url_for("account.overview"))
    return password_page(form)


def password_page(form: ChangePasswordForm):
    """The password form, with how many API tokens a change would revoke."""
    return (
        render_template(
            "account/password.html",
            form=form,
            live_tokens=operations.live_token_count(db.session, _me(), now=now()),
        ),
        400 if request.method == "POST" else 200,
    )


@account_blueprint.route("/tokens", methods=["GET", "POST"])
@login_only
def tokens():
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            token, secret = operations.create_api_token(
                db.session,
                user=_me(),
                name=form.name.data,
                scope=TokenScope(form.scope.data),
                expires_in=timedelta(days=int(form.expires_days.data)),
                actor=_me(),
                now=now(),
            )
        except operations.AccountError as exc:
            db.session.rollback()
            show_on_form(form, exc, otherwise="name")
        else:
            db.session.commit()
            return render_template("account/token_created.html", token=token, secret=secret)
    return (
        render_template(
            "account/tokens.html",
            form=form,
            tokens=operations.api_tokens_of(db.session, _me()),
            now=now(),
        ),
        400 if request.method == "POST" else 200,
    )


@account_blueprint.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_only
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operations.revoke_api_token(db.session, token=token, actor=_me(), now=now())
    db.session.commit()
    flash(
        gettext(
            "The token “%(name)s” (%(prefix)s…) is revoked.", name=token.name, prefix=token.prefix
        ),
        "success",
    )
    return redirect(url_for("account.tokens"))


@account_blueprint.route("/sessions/<int:session_id>/revoke", methods=["POST"])
@login_only
def revoke_session(session_id: int):
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operations.end_session(db.session, record=record, now=now())
    db.session.commit()
    flash(gettext("%(device)s is signed out.", device=record.user_agent), "success")
    return redirect(url_for("account.overview"))
