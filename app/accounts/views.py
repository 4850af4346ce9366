"""Signing in and out, accepting an invitation, and the admin's user management."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from babel.lists import format_list
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from app.accounts import grants, operations
from app.accounts.forms import (
    ConfirmForm,
    GroupForm,
    InviteForm,
    LoginForm,
    RolesForm,
    SetPasswordForm,
)
from app.accounts.landing import landing_for
from app.accounts.listing import accounts
from app.accounts.models import AccessChange, LinkPurpose, Role, User
from app.accounts.permissions import GRANTS, Permission
from app.accounts.throttle import ThrottlePolicy
from app.core.words import N_
from app.extensions import db
from app.nlp.detection import language_choices
from app.services import external_url
from app.web import say
from app.web.access import login_only, public, requires, safe_next
from app.web.forms import show_on_form
from app.web.services import now

auth_blueprint = Blueprint("auth", __name__)
admin_blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def throttle_policy() -> ThrottlePolicy:
    return ThrottlePolicy(
        max_failures=current_app.config["LOGIN_MAX_FAILURES"],
        window=timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"]),
    )


def sign_in(user: User, *, remember: bool = False) -> None:
    """A new session record for this browser, then Flask-Login's cookies carrying its key."""
    operations.start_session(
        db.session,
        user=user,
        user_agent=request.user_agent.string or "",
        remote_addr=request.remote_addr or "",
        now=now(),
    )
    db.session.commit()
    login_user(user, remember=remember)


@auth_blueprint.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        attempt = {
            "email": form.email.data,
            "remote_addr": request.remote_addr or "",
            "policy": throttle_policy(),
            "now": now(),
        }
        verdict = operations.begin_sign_in(db.session, **attempt)
        db.session.commit()  # counted before the password is checked: no race to win
        result = operations.finish_sign_in(
            db.session, verdict, password=form.password.data, **attempt
        )
        db.session.commit()
        if result.user is not None:
            sign_in(result.user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        flash(result.message or gettext("Sign-in failed."), "error")
        status = 429 if result.throttled else 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@auth_blueprint.route("/logout", methods=["POST"])
@login_only
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.end_session(db.session, record=current_user.signed_in, now=now())
        db.session.commit()
        logout_user()
        flash(gettext("You are signed out."), "info")
    return redirect(url_for("auth.login"))


#: What a one-time link's page says when the link no longer works, and once it is used.
LINK_PAGES = {
    LinkPurpose.INVITE: (
        _l("This invitation is not valid"),
        _l("It was used already, has expired or was withdrawn. Ask an admin for a new one."),
        _l("Welcome, %(name)s. Your password is set."),
    ),
    LinkPurpose.RESET: (
        _l("This reset link is not valid"),
        _l(
            "It was used already, has expired or a newer one was issued. "
            "Ask an admin for a new one."
        ),
        _l("Your new password is set. You were signed out everywhere else."),
    ),
}


@auth_blueprint.route("/invitation/<secret>", methods=["GET", "POST"])
@public
def accept_invitation(secret: str):
    return set_password_page(secret, LinkPurpose.INVITE)


@auth_blueprint.route("/reset/<secret>", methods=["GET", "POST"])
@public
def reset_password(secret: str):
    return set_password_page(secret, LinkPurpose.RESET)


def set_password_page(secret: str, purpose: LinkPurpose):
    """An invitation's or a reset link's page: choose a password, then signed in."""
    invalid_title, invalid_message, done = LINK_PAGES[purpose]
    link = operations.find_link(db.session, secret, purpose=purpose, now=now())
    if link is None:
        return render_template(
            "errors/error.html", status=404, title=invalid_title, message=invalid_message
        ), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = operations.set_password_by_link(
                db.session, secret=secret, purpose=purpose, password=form.password.data, now=now()
            )
        except operations.AccountError as exc:
            show_on_form(form, exc, otherwise="password")
        else:
            db.session.commit()
            logout_user()
            sign_in(user)
            flash(str(done) % {"name": user.name}, "success")
            return redirect(url_for(landing_for(user)))
    return render_template("auth/set_password.html", form=form, person=link.user, purpose=purpose)


# --- admin: users and roles -------------------------------------------------------------

#: What each permission lets someone do, in the words of the roles explanation.
PERMISSION_WORDS = {
    Permission.VIEW_COMPLAINTS: N_("read complaints and replies"),
    Permission.CREATE_COMPLAINTS: N_("paste complaints"),
    Permission.IMPORT_COMPLAINTS: N_("import complaints"),
    Permission.DRAFT_REPLIES: N_("write replies"),
    Permission.REVIEW_DRAFTS: N_("review colleagues' replies"),
    Permission.SIGN_OFF_DRAFTS: N_("sign off sensitive replies for legal or PR"),
    Permission.MANAGE_USERS: N_("manage people and roles"),
    Permission.MANAGE_SETTINGS: N_("change company details and policies and read the audit log"),
}


def role_duties() -> dict[Role, str]:
    """One line per role, read from the permission table: "May read complaints and …"."""
    duties = {}
    for role in Role:
        words = [
            gettext(PERMISSION_WORDS.get(permission, permission.value.replace("_", " ")))
            for permission in Permission
            if role in GRANTS[permission]
        ]
        duties[role] = (
            gettext("May %(actions)s.", actions=format_list(words, locale=get_locale()))
            if words
            else gettext("May do nothing yet.")
        )
    return duties


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@admin_blueprint.route("/users")
@requires(Permission.MANAGE_USERS)
def users():
    listed = accounts(db.session, now=now())
    return render_template(
        "admin/users.html",
        accounts=listed,
        counts=Counter(account.status for account in listed),
        duties=role_duties(),
        confirm=ConfirmForm(),
        pending=grants.pending_changes(db.session),
        group_names=grants.group_names(db.session),
    )


def _with_groups(form: InviteForm | RolesForm) -> InviteForm | RolesForm:
    form.groups.choices = list(grants.group_names(db.session).items())
    return form


@admin_blueprint.route("/users/invite", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def invite():
    form = _with_groups(InviteForm())
    if form.validate_on_submit():
        try:
            user, secret, outcome = operations.invite_user(
                db.session,
                email=form.email.data,
                name=form.name.data,
                roles={Role(value) for value in form.roles.data},
                groups=set(form.groups.data),
                actor=current_user,
                now=now(),
            )
        except operations.AccountError as exc:
            db.session.rollback()
            show_on_form(form, exc, otherwise="email")
        else:
            db.session.commit()
            link = external_url(current_app, "auth.accept_invitation", secret=secret)
            return render_template("admin/invited.html", user=user, link=link, outcome=outcome)
    return (
        render_template("admin/invite.html", form=form, duties=role_duties()),
        400 if request.method == "POST" else 200,
    )


@admin_blueprint.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    shown = {"roles": sorted(r.value for r in user.roles), "groups": sorted(user.groups)}
    form = _with_groups(RolesForm(data=shown if request.method == "GET" else None))
    if form.validate_on_submit():
        try:
            outcome = grants.change_access(
                db.session,
                target=user,
                roles={Role(value) for value in form.roles.data},
                groups=set(form.groups.data),
                actor=current_user,
                now=now(),
            )
        except grants.GrantError as exc:
            db.session.rollback()
            show_on_form(form, exc, otherwise="roles")
        else:
            db.session.commit()
            flash(_access_saved(user, outcome), "success")
            return redirect(url_for("admin.users"))
    return _user_page(user, form, 409 if request.method == "POST" else 200)


def _access_saved(user: User, outcome: grants.Outcome) -> str:
    if outcome.pending is None:
        return gettext("Access of %(name)s saved.", name=user.name)
    return gettext(
        "Access of %(name)s saved; %(given)s waits for another admin to confirm.",
        name=user.name,
        given=given_words(outcome.pending),
    )


def given_words(change: AccessChange) -> str:
    """ "the Reviewer role, the legal group": what a pending change adds, in words."""
    words = [gettext("the %(role)s role", role=gettext(Role(v).label)) for v in change.add_roles]
    words += [gettext("the %(group)s group", group=key) for key in change.add_groups]
    return ", ".join(words)


def _user_page(user: User, form: RolesForm, status: int):
    return (
        render_template(
            "admin/user.html",
            user=user,
            account=accounts(db.session, now=now(), people=[user])[0],
            form=form,
            duties=role_duties(),
            confirm=ConfirmForm(),
            pending=grants.pending_change(db.session, user),
            language_choices=language_choices(),
        ),
        status,
    )


@admin_blueprint.route("/users/<int:user_id>/languages", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def user_languages(user_id: int):
    user = _user_or_404(user_id)
    try:
        operations.set_languages(
            db.session,
            target=user,
            languages=request.form.getlist("languages"),
            actor=current_user,
            now=now(),
        )
    except operations.AccountError as problem:
        db.session.rollback()
        flash(say.say(problem), "error")
    else:
        db.session.commit()
        flash(gettext("Languages %(name)s reads are saved.", name=user.name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@admin_blueprint.route("/access-changes/<int:change_id>/confirm", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def confirm_access_change(change_id: int):
    return _decide_access_change(change_id, grants.confirm)


@admin_blueprint.route("/access-changes/<int:change_id>/reject", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def reject_access_change(change_id: int):
    return _decide_access_change(change_id, grants.reject)


def _decide_access_change(change_id: int, decide):
    change = db.session.get(AccessChange, change_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        decide(db.session, change, actor=current_user, now=now())
    except grants.GrantError as exc:
        db.session.rollback()
        flash(say.say(exc), "error")
    else:
        db.session.commit()
        flash(_decided_words(change), "success")
    on_user_page = request.form.get("back") == "user"
    return redirect(
        url_for("admin.edit_user", user_id=change.user_id)
        if on_user_page
        else url_for("admin.users")
    )


def _decided_words(change: AccessChange) -> str:
    words = {
        "confirmed": _l("Access change for %(name)s confirmed."),
        "rejected": _l("Access change for %(name)s rejected."),
        "cancelled": _l("Access change for %(name)s withdrawn."),
    }
    said = words.get(change.status.value)
    if said is None:
        return f"{change.user.name}: {change.status.value}"
    return str(said) % {"name": change.user.name}


@admin_blueprint.route("/groups", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def signoff_groups():
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = grants.create_group(
                db.session, key=form.key.data, name=form.name.data, actor=current_user, now=now()
            )
        except grants.GrantError as exc:
            db.session.rollback()
            show_on_form(form, exc, otherwise="key")
        else:
            db.session.commit()
            flash(
                gettext(
                    "Sign-off group %(name)s added; give it members on each person's page.",
                    name=group.name,
                ),
                "success",
            )
            return redirect(url_for("admin.signoff_groups"))
    return (
        render_template(
            "admin/groups.html", form=form, groups=grants.groups_with_members(db.session)
        ),
        400 if request.method == "POST" else 200,
    )


@admin_blueprint.route("/users/<int:user_id>/deactivate", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def deactivate_user(user_id: int):
    return _set_active(user_id, active=False)


@admin_blueprint.route("/users/<int:user_id>/reactivate", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def reactivate_user(user_id: int):
    return _set_active(user_id, active=True)


@admin_blueprint.route("/users/<int:user_id>/reset-link", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def reset_link(user_id: int):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        secret = operations.issue_reset_link(db.session, target=user, actor=current_user, now=now())
    except operations.AccountError as exc:
        db.session.rollback()
        flash(say.say(exc), "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    db.session.commit()
    link = external_url(current_app, "auth.reset_password", secret=secret)
    return render_template(
        "admin/reset_link.html", user=user, link=link, lifetime=operations.RESET_LIFETIME
    )


def _set_active(user_id: int, *, active: bool):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    change = operations.reactivate if active else operations.deactivate
    try:
        change(db.session, target=user, actor=current_user, now=now())
    except operations.AccountError as exc:
        db.session.rollback()
        flash(say.say(exc), "error")
    else:
        db.session.commit()
        said = _l("%(name)s is active again.") if active else _l("%(name)s is deactivated.")
        flash(str(said) % {"name": user.name}, "success")
    return redirect(url_for("admin.users"))
