"""Which language and time zone a request is shown in (Flask-Babel's selectors).

The language: the signed-in person's profile if they chose one, else the browser's best
Accept-Language match among config's SUPPORTED_LOCALES, else the first of them ("en"). The
same selector serves the API, whose error messages follow Accept-Language (a bearer token
signs nobody into the session, so the header decides there).

The time zone: the person's profile, else DISPLAY_TIMEZONE; `app.web.services.display_zone`
and Babel's `format_datetime` both read it from here.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale, support
from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_login import current_user

from app.extensions import babel


def _person():
    """The signed-in person, or None (outside a request, or nobody signed in)."""
    if not request:
        return None
    try:
        return current_user if current_user.is_authenticated else None
    except (AttributeError, RuntimeError):  # a request without the login manager
        return None


def select_locale() -> str:
    supported = current_app.config["SUPPORTED_LOCALES"]
    person = _person()
    if person is not None and person.language in supported:
        return person.language
    if request:
        chosen = request.accept_languages.best_match(supported)
        if chosen:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_time_zone() -> str:
    person = _person()
    if person is not None and person.time_zone:
        return person.time_zone
    return current_app.config["DISPLAY_TIMEZONE"]


#: Where our own catalogs are: WTForms ships its messages in every language but Latvian,
#: so app/translations/lv/LC_MESSAGES/wtforms.po supplies those.
CATALOGS = Path(__file__).resolve().parents[1] / "translations"


def own_wtforms_messages() -> None:
    """WTForms' built-in messages (DataRequired, Length…) for a page in a language WTForms
    does not ship: Flask-WTF reads `request.wtforms_translations` before loading its own."""
    locale = get_locale()
    if locale is not None and (CATALOGS / str(locale) / "LC_MESSAGES" / "wtforms.mo").exists():
        request.wtforms_translations = support.Translations.load(
            str(CATALOGS), [locale], domain="wtforms"
        )


def register_language_selection(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_time_zone)
    app.before_request(own_wtforms_messages)

    @app.context_processor
    def inject_locale():
        locale = get_locale() or Locale.parse(app.config["BABEL_DEFAULT_LOCALE"])
        return {"current_locale": str(locale), "text_direction": text_direction(locale)}


def text_direction(locale: Locale) -> str:
    """ "rtl" for a language written right to left (CLDR's character order), else "ltr":
    the page's `dir`, so a right-to-left language added to SUPPORTED_LOCALES reads right."""
    return "rtl" if locale.character_order == "right-to-left" else "ltr"
