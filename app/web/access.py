"""Access checks for views. Each view declares what it needs; a test walks every route.

`requires(permission)` for pages, `api_requires(permission)` for the API, `login_only` for
pages any signed-in person may see, `public` for the few that need no account. The rules
themselves are in `app.accounts.permissions`.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, g, url_for
from flask_login import current_user
from flask_smorest import abort as smorest_abort

from app.accounts.models import TokenScope
from app.accounts.permissions import Permission, can

ACCESS_ATTRIBUTE = "_composure_access"


def _mark(view: Callable, access: Any) -> Callable:
    setattr(view, ACCESS_ATTRIBUTE, access)
    return view


def public(view: Callable) -> Callable:
    return _mark(view, "public")


def login_only(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        return view(*args, **kwargs)

    return _mark(wrapper, "login")


def requires(*permissions: Permission) -> Callable[[Callable], Callable]:
    """The page needs the permission, or any one of several (the admin home: settings or
    users). The access walk reads the same declaration."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not any(can(current_user, permission) for permission in permissions):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapper, permissions[0] if len(permissions) == 1 else permissions)

    return decorator


#: Where `api_requires` notes the token scope a route needs (the test walks every route).
SCOPE_ATTRIBUTE = "_composure_token_scope"


def api_requires(permission: Permission, *, scope: TokenScope) -> Callable[[Callable], Callable]:
    """For API views: the bearer token's user (set in `g.api_user`) must hold the
    permission, and the token itself (`g.api_token`) the scope: a `read` token only reads,
    a `draft` token drafts, an `act` token does whatever its user may."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = g.get("api_user")
            if user is None:
                problem = g.get("api_auth_problem")  # e.g. "This API token expired on …"
                if problem:
                    smorest_abort(401, message=problem)
                abort(401)
            if not can(user, permission):
                abort(403)
            token = g.get("api_token")
            if token is None or not token.scope.allows(scope):
                smorest_abort(
                    403,
                    message=f"This token's scope is '{token.scope.value if token else '?'}'; "
                    f"this needs a token with the '{scope.value}' scope.",
                    code="insufficient_scope",
                )
            return view(*args, **kwargs)

        setattr(wrapper, SCOPE_ATTRIBUTE, scope)
        return _mark(wrapper, permission)

    return decorator


#: Longer `next` values are no page of ours; they go home.
MAX_NEXT_LENGTH = 2000


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a path on this site, never another host.

    Control and invisible characters are dropped first, as browsers drop tab, CR and LF
    (`/%09/evil.example` would become `//evil.example`); what is left must be a local
    path: no scheme, no host, not `//` or `/\\`. Anything else goes to "/", where each
    person lands on their own queue (`app.accounts.landing`).
    """
    home = url_for("complaints.home")
    if not target or len(target) > MAX_NEXT_LENGTH:
        return home
    cleaned = "".join(char for char in target if unicodedata.category(char)[0] != "C")
    if not cleaned.startswith("/") or cleaned.startswith(("//", "/\\")) or "\\" in cleaned:
        return home
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return home
    if parts.scheme or parts.netloc:
        return home
    return cleaned
