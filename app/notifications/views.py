"""Notifications: the unread count in the header, the list, marking them read. HTTP in,
`notify` out."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_login import current_user

from app.core.ids import parse_id
from app.extensions import db
from app.notifications import notify
from app.web.access import login_only
from app.web.services import now

blueprint = Blueprint("notifications", __name__, url_prefix="/notifications")


def _is_path(link: str) -> bool:
    """Notices link to pages of this site only: a path, never another host."""
    return link.startswith("/") and not link.startswith("//") and "\\" not in link


@blueprint.app_context_processor
def unread_notifications():
    """The header's unread count: one COUNT per request, for whoever is signed in."""
    if not current_user.is_authenticated:
        return {"unread_notifications": 0}
    if "composure_unread" not in g:
        g.composure_unread = notify.unread_count(db.session, current_user)
    return {"unread_notifications": g.composure_unread}


@blueprint.route("", endpoint="index")
@login_only
def index():
    notices = notify.recent(db.session, current_user)
    notices.sort(key=lambda notice: notice.read_at is not None)  # unread first, newest first
    return render_template("notifications/index.html", notices=notices, is_path=_is_path)


@blueprint.route("/<int:notification_id>")
@login_only
def follow(notification_id: int):
    """Open a notice's page, marking the notice read on the way."""
    notice = notify.owned(db.session, current_user, notification_id)
    if notice is None:
        abort(404)
    notify.mark_read(db.session, current_user, now=now(), notification_id=notice.id)
    db.session.commit()
    return redirect(notice.link if _is_path(notice.link) else url_for("notifications.index"))


@blueprint.route("/read", methods=["POST"])
@login_only
def mark_read():
    """Mark one notice read (`notification`), or all of them."""
    notification_id = request.form.get("notification", type=parse_id)
    mine = notification_id is None or notify.owned(db.session, current_user, notification_id)
    if not mine:
        abort(404)
    count = notify.mark_read(db.session, current_user, now=now(), notification_id=notification_id)
    db.session.commit()
    if notification_id is None:
        flash(
            ngettext(
                "%(n)s notification marked read.",
                "%(n)s notifications marked read.",
                count,
                n=format_decimal(count),
            ),
            "success",
        )
    return redirect(url_for("notifications.index"))
