"""What the worker writes to people, in each one's language: the catalogs the screens use
(BABEL_TRANSLATION_DIRECTORIES), read with Babel directly, as there is no request to take
a language from. Durations and numbers are said the language's way (CLDR)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from babel.dates import format_timedelta
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from app.complaints.clocks import Say, Words, say_in_english


@functools.lru_cache(maxsize=32)
def _catalog(directory: str, language: str) -> NullTranslations:
    return Translations.load(directory, [language], domain="messages")


def sayer(config: Mapping[str, Any]) -> Say:
    """`Say` for the worker: English as every page says it; any other supported language
    from its catalog, falling back to English for a language there is no catalog of."""
    directories = str(config["BABEL_TRANSLATION_DIRECTORIES"]).split(";")
    supported = set(config["SUPPORTED_LOCALES"])
    default = config["BABEL_DEFAULT_LOCALE"]

    def say(language: str | None, words: Words) -> str:
        language = language if language in supported else default
        if language == "en":
            return say_in_english(language, words)
        catalog = _catalog(str(Path(directories[0])), language)

        def shown(value: Any) -> Any:
            if isinstance(value, timedelta):
                return format_timedelta(value, threshold=1, locale=language)
            if isinstance(value, Words):
                return say(language, value)
            if isinstance(value, int):
                return format_decimal(value, format="#", locale=language)
            return value

        params = {name: shown(value) for name, value in words.params.items()}
        return catalog.gettext(words.msgid) % params

    return say
