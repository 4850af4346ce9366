"""Proxies, HTTPS and caching: the headers an operator relies on.

- Behind PROXY_COUNT proxies, X-Forwarded-For/-Proto/-Host are believed (werkzeug's
  ProxyFix); with 0 (the default) they are ignored, so nobody can claim another address.
- An answer to a request that came over HTTPS (or every answer, with FORCE_HTTPS) marks
  its cookies Secure and carries Strict-Transport-Security (HSTS_SECONDS; 0 for none).
- Every answer to someone signed in (a page or the API) says `Cache-Control: no-store`:
  no browser, proxy or shared computer keeps a copy of a complaint. Static files and
  answers to nobody in particular are cached as usual.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

#: Answers that never concern a person: no cookie is read for them.
ANONYMOUS_ENDPOINTS = {"static", "health.healthz"}


def trust_proxies(app: Flask) -> None:
    count = app.config["PROXY_COUNT"]
    if count < 0:
        raise ValueError(f"PROXY_COUNT must be 0 or more, got {count}")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def over_https() -> bool:
    return request.is_secure or current_app.config["FORCE_HTTPS"]


def signed_in() -> bool:
    """Someone is signed in: an API token was accepted, or the session names a person (read
    without loading them: this runs on every answer, error pages included)."""
    return g.get("api_user") is not None or "_user_id" in session


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its cookie Secure whenever the request came over HTTPS
    (the session is saved after every after-request hook, so it is told here)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or over_https()


def register_serving_headers(app: Flask) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def serving_headers(response: Response) -> Response:
        if over_https():
            _secure_cookies(response)
            if current_app.config["HSTS_SECONDS"] > 0:
                response.headers.setdefault(
                    "Strict-Transport-Security",
                    f"max-age={current_app.config['HSTS_SECONDS']}; includeSubDomains",
                )
        if request.endpoint not in ANONYMOUS_ENDPOINTS and signed_in():
            response.headers["Cache-Control"] = "no-store"
        return response


def _secure_cookies(response: Response) -> None:
    """The cookies set so far (the remember-me cookie) marked Secure; this hook runs last."""
    cookies = response.headers.getlist("Set-Cookie")
    if not cookies:
        return
    response.headers.remove("Set-Cookie")
    for cookie in cookies:
        secure = any(part.strip().lower() == "secure" for part in cookie.split(";"))
        response.headers.add("Set-Cookie", cookie if secure else f"{cookie}; Secure")
