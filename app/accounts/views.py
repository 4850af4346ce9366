"""Signing in and out, accepting an invitation, and the admin's user management."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.accounts import operations
from app.accounts.forms import ConfirmForm, InviteForm, LoginForm, RolesForm, SetPasswordForm
from app.accounts.models import Role, User
from app.accounts.permissions import Permission
from app.accounts.throttle import ThrottlePolicy
from app.extensions import db
from app.web.access import login_only, public, requires, safe_next
from app.web.helpers import now

auth_blueprint = Blueprint("auth", __name__)
admin_blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def _throttle_policy() -> ThrottlePolicy:
    return ThrottlePolicy(
        max_failures=current_app.config["LOGIN_MAX_FAILURES"],
        window=timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"]),
    )


@auth_blueprint.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = operations.authenticate(
            db.session,
            email=form.email.data,
            password=form.password.data,
            remote_addr=request.remote_addr or "",
            policy=_throttle_policy(),
            now=now(),
        )
        db.session.commit()
        if result.user is not None:
            login_user(result.user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        flash(result.message or "Sign-in failed.", "error")
        status = 429 if result.message and result.message.startswith("Too many") else 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@auth_blueprint.route("/logout", methods=["POST"])
@login_only
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@auth_blueprint.route("/invitation/<secret>", methods=["GET", "POST"])
@public
def accept_invitation(secret: str):
    invitation = operations.find_invitation(db.session, secret, now=now())
    if invitation is None:
        return render_template(
            "errors/error.html",
            status=404,
            title="This invitation is not valid",
            message="It was used already, has expired or was withdrawn. "
            "Ask an admin for a new one.",
        ), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = operations.accept_invitation(
                db.session, secret=secret, password=form.password.data, now=now()
            )
        except operations.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            logout_user()
            login_user(user)
            flash(f"Welcome, {user.name}. Your password is set.", "success")
            return redirect(url_for("complaints.inbox"))
    return render_template("auth/accept_invitation.html", form=form, invited=invitation.user)


# --- admin: users and roles -------------------------------------------------------------


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@admin_blueprint.route("/users")
@requires(Permission.MANAGE_USERS)
def users():
    people = db.session.scalars(select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("admin/users.html", users=people, confirm=ConfirmForm())


@admin_blueprint.route("/users/invite", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user, secret = operations.invite_user(
                db.session,
                email=form.email.data,
                name=form.name.data,
                roles={Role(value) for value in form.roles.data},
                actor=current_user,
                now=now(),
            )
        except operations.AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field or "email").errors.append(str(exc))
        else:
            db.session.commit()
            link = url_for("auth.accept_invitation", secret=secret, _external=True)
            return render_template("admin/invited.html", user=user, link=link)
    return render_template("admin/invite.html", form=form), 400 if request.method == "POST" else 200


@admin_blueprint.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    form = RolesForm(
        data={"roles": sorted(role.value for role in user.roles)}
        if request.method == "GET"
        else None
    )
    status = 200
    if form.validate_on_submit():
        try:
            operations.change_roles(
                db.session,
                target=user,
                roles={Role(value) for value in form.roles.data},
                actor=current_user,
                now=now(),
            )
        except operations.AccountError as exc:
            db.session.rollback()
            form.roles.errors.append(str(exc))
            status = 409
        else:
            db.session.commit()
            flash(f"Roles of {user.name} saved.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user.html", user=user, form=form, confirm=ConfirmForm()), status


@admin_blueprint.route("/users/<int:user_id>/deactivate", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def deactivate_user(user_id: int):
    return _set_active(user_id, active=False)


@admin_blueprint.route("/users/<int:user_id>/reactivate", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def reactivate_user(user_id: int):
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    change = operations.reactivate if active else operations.deactivate
    try:
        change(db.session, target=user, actor=current_user, now=now())
    except operations.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"{user.name} is {'active again' if active else 'deactivated'}.", "success")
    return redirect(url_for("admin.users"))
