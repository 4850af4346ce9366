"""The company details replies are filled with: name, phone, e-mail, help page, DM wording.

Admins set them on the settings page; until then the configured defaults apply. Stored as
`company.*` rows in `settings`; every change is audited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.errors import Invalid
from app.core.text import one_line
from app.core.words import N_
from app.settings import store

PREFIX = "company."
#: The fields as Admin → Company details names them (the form and the audit log).
LABELS = {
    "name": N_("Company name"),
    "phone": N_("Phone number"),
    "email": N_("Customer care e-mail"),
    "faq_url": N_("Help page link"),
    "dm_instruction": N_("How to reach you privately"),
    "follow_up_days": N_("Follow up after (working days)"),
    "dm_instructions": N_("How to reach you privately, by language"),
}


def change_words(name: str, old: Any, new: Any) -> str:
    """ "Phone number: not set → 0808 157 0192"."""
    return store.change_words(LABELS.get(name, name), old, new)


@dataclass(frozen=True)
class CompanyDetails:
    name: str = ""
    phone: str = ""
    email: str = ""
    faq_url: str = ""
    #: Completes "Please …": "send us a DM with your order number". In English, and the
    #: wording of any language that has none of its own in `dm_instructions`.
    dm_instruction: str = "send us a DM"
    #: Working days until the promised follow-up ("we'll be back in touch by Thursday").
    follow_up_days: int = 2
    #: The same wording in other languages, by code: {"nl": "stuur ons een DM met je
    #: ordernummer"}. A draft in a language without one uses `dm_instruction`.
    dm_instructions: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def dm_instruction_in(self, language: str) -> str:
        """How to reach the company privately, in the reply's language (English else)."""
        return self.dm_instructions.get(language) or self.dm_instruction


LIMITS = {"name": 120, "phone": 40, "email": 200, "faq_url": 500, "dm_instruction": 160}


class CompanyDetailsError(Invalid):
    """Values that cannot be used, a message per field."""


def load(
    session: Session, defaults: CompanyDetails, *, rows: Mapping[str, Any] | None = None
) -> CompanyDetails:
    """The details in force: stored values over the configured defaults (read from `rows`,
    the settings rows `store.stored_under` read, when given)."""
    names = [field.name for field in fields(CompanyDetails)]
    stored = store.stored(session, PREFIX, names, rows=rows)
    return replace(defaults, **stored)


def clean(values: dict[str, Any]) -> CompanyDetails:
    """Check what an admin entered; raise CompanyDetailsError naming each bad field."""
    problems: dict[str, str] = {}
    result: dict[str, Any] = {}
    for name, limit in LIMITS.items():
        value = one_line(str(values.get(name) or ""), limit + 1)
        if len(value) > limit:
            problems[name] = f"At most {limit} characters."
        if "{" in value or "}" in value or "[[" in value:
            problems[name] = N_("Braces and [[ ]] are reserved for template placeholders.")
        result[name] = value
    if not result["name"]:
        problems["name"] = N_("Give the company name customers know you by.")
    if result["phone"] and not re.fullmatch(r"\+?[\d ()./-]{5,}", result["phone"]):
        problems["phone"] = N_("Digits, spaces, +, ( ) and - only, e.g. 0808 157 0192.")
    if result["email"]:
        try:
            result["email"] = validate_email(result["email"], check_deliverability=False).normalized
        except EmailNotValidError as error:
            problems["email"] = str(error)
    if result["faq_url"]:
        parts = urlsplit(result["faq_url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems["faq_url"] = N_("A full link starting with https://.")
    if not result["dm_instruction"]:
        problems["dm_instruction"] = N_("Say how customers reach you privately, e.g. send us a DM.")
    result["dm_instruction"] = result["dm_instruction"].rstrip(".")
    result["dm_instructions"] = _dm_instructions(values.get("dm_instructions") or {}, problems)
    days = values.get("follow_up_days")
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = -1
    if not 1 <= days <= 14:
        problems["follow_up_days"] = N_("Between 1 and 14 working days.")
    result["follow_up_days"] = days
    if problems:
        raise CompanyDetailsError(problems)
    return CompanyDetails(**result)


def _dm_instructions(typed: Mapping[str, Any], problems: dict[str, str]) -> dict[str, str]:
    """The DM wording per language as typed ({"nl": "..."}); a blank one is left out (the
    English one is used). Problems go under "dm_instruction.<language>"."""
    limit = LIMITS["dm_instruction"]
    kept = {}
    for language, text in sorted(typed.items()):
        value = one_line(str(text or ""), limit + 1)
        key = f"dm_instruction.{language}"
        if not re.fullmatch(r"[a-z]{2,8}", str(language)):
            problems[key] = N_("Not a language code.")
        elif len(value) > limit:
            problems[key] = f"At most {limit} characters."
        elif "{" in value or "}" in value or "[[" in value:
            problems[key] = N_("Braces and [[ ]] are reserved for template placeholders.")
        elif value:
            kept[language] = value.rstrip(".")
    return kept


def save(
    session: Session,
    details: CompanyDetails,
    *,
    actor: User,
    now: datetime,
    previous: CompanyDetails | None = None,
) -> CompanyDetails:
    """Store the details; audit what changed from `previous` (the details in force)."""
    store.save(
        session,
        PREFIX,
        details.as_dict(),
        action="settings.company_updated",
        actor=actor,
        now=now,
        describe=change_words,
        in_force=previous.as_dict() if previous else None,
    )
    return details
