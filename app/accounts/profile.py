"""A person's screen language and time zone: what may be chosen, and setting them (audited).

Plain Python: the supported languages are passed in (config's SUPPORTED_LOCALES), the
actor and the time too. None means "not chosen": the browser's language, the app's
DISPLAY_TIMEZONE.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import available_timezones

from sqlalchemy.orm import Session

from app.accounts import permissions
from app.accounts.models import User
from app.audit import log as audit
from app.core.errors import InvalidInput
from app.core.words import N_


class ProfileError(InvalidInput):
    """A language or time zone nobody may choose, or another person's profile; the message
    says which."""


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """The IANA zones a person may choose: "Area/City" names and UTC, sorted. The legacy
    aliases ("US/Pacific", "Etc/GMT+3", "CET") are left out: the list stays one a person
    can read, and each place is named once."""
    areas = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/")
    areas += ("Europe/", "Indian/", "Pacific/", "Arctic/")
    return tuple(["UTC", *sorted(z for z in available_timezones() if z.startswith(areas))])


def set_profile(
    session: Session,
    *,
    target: User,
    language: str | None,
    time_zone: str | None,
    supported: list[str],
    actor: User,
    now: datetime,
) -> bool:
    """Set `target`'s screen language (one of `supported`) and time zone (one of
    `time_zones()`); empty means not chosen. Audited when something changes; returns
    whether it did. Raises ProfileError on a value outside the lists."""
    if actor.id != target.id and not permissions.can(actor, permissions.Permission.MANAGE_USERS):
        raise ProfileError(N_("Only admins change another person's profile."))
    language = (language or "").strip() or None
    time_zone = (time_zone or "").strip() or None
    if language is not None and language not in supported:
        raise ProfileError(f"Unknown screen language: {language}.", field="language")
    if time_zone is not None and time_zone not in time_zones():
        raise ProfileError(f"Unknown time zone: {time_zone}.", field="time_zone")
    before = {"language": target.language, "time_zone": target.time_zone}
    after = {"language": language, "time_zone": time_zone}
    if before == after:
        return False
    target.language, target.time_zone = language, time_zone
    session.flush()
    audit.record(
        session,
        action="user.profile_set",
        entity_type="user",
        entity_id=target.id,
        actor_id=actor.id,
        now=now,
        details={"before": before, "after": after},
    )
    return True
