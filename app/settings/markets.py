"""Admin → Markets: checking and saving what an admin enters for a market (its languages,
time zone, business hours, holidays, company details and channels). No Flask.

Every change is audited as "settings.market_updated" with the old and new values in words
("Time zone: Europe/Riga → Europe/Tallinn"), as the other settings are.

A market may set its own response target per channel ("X (Twitter) in Latvia: 4 business
hours", typed in hours); a channel it sets none for keeps the channel's target there
(Admin → Workflow). Stored in `market_targets`, read by `app.complaints.markets`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import log as audit
from app.complaints.models import Channel, Market, MarketTarget
from app.core.business_time import (
    WEEKDAYS,
    check_holiday_country,
    format_hours,
    parse_hours,
    time_zone,
)
from app.core.errors import Invalid
from app.core.text import one_line
from app.core.words import N_
from app.settings import store

#: The fields as Admin → Markets names them (the form and the audit log).
LABELS = {
    "key": N_("Key"),
    "name": N_("Name"),
    "languages": N_("Languages"),
    "time_zone": N_("Time zone"),
    "business_hours": N_("Business hours"),
    "holiday_country": N_("Public holidays of"),
    "brand_name": N_("Brand name"),
    "phone": N_("Phone number"),
    "email": N_("Customer care e-mail"),
    "faq_url": N_("Help page link"),
    "dm_instruction": N_("How to reach you privately"),
    "channels": N_("Channels"),
}
DAY_NAMES = dict(zip(WEEKDAYS, (N_("Monday"), N_("Tuesday"), N_("Wednesday"),
                                N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday")),
                     strict=True))  # fmt: skip
LIMITS = {"name": 80, "brand_name": 120, "phone": 40, "email": 200, "faq_url": 500,
          "dm_instruction": 160}  # fmt: skip
COMPANY = ("brand_name", "phone", "email", "faq_url", "dm_instruction")
#: A market's own target on a channel, typed in hours: at least a minute, at most 30 days.
TARGET_LIMITS = (60, 30 * 86400)
TARGET_PROBLEM = N_("A number of hours from 0.02 to 720, e.g. 4 or 1.5; blank for the channel's.")


class MarketError(Invalid):
    """Values that cannot be used, a message per field (`hours_<day>` for a day's hours)."""


@dataclass(frozen=True)
class MarketValues:
    """A market as an admin sets it, checked."""

    key: str
    name: str
    languages: list[str]
    time_zone: str | None
    business_hours: dict[str, list[list[str]]] | None
    holiday_country: str | None
    brand_name: str | None
    phone: str | None
    email: str | None
    faq_url: str | None
    dm_instruction: str | None
    channels: list[str]
    #: Channel key -> the market's own response target there, in seconds.
    targets: dict[str, int] = field(default_factory=dict)


def hours_text(hours: dict | None) -> dict[str, str]:
    """Stored hours as the form shows them: {"mon": "09:00-17:00", ...}; closed days ""."""
    return {
        day: ", ".join(f"{start}-{end}" for start, end in (hours or {}).get(day, []))
        for day in WEEKDAYS
    }


def stored_targets(session: Session, market_key: str | None) -> dict[str, int]:
    """The market's own response targets: {channel key: seconds}."""
    if market_key is None:
        return {}
    rows = session.scalars(select(MarketTarget).where(MarketTarget.market_key == market_key))
    return {row.channel_key: row.response_target_seconds for row in rows}


def hours_typed(seconds: int) -> str:
    """A target as the form shows it, in hours: 14400 -> "4", 5400 -> "1.5"."""
    return f"{seconds / 3600:g}"


def form_data(
    market: Market, channels: list[Channel], targets: dict[str, int] | None = None
) -> dict[str, Any]:
    """A stored market as the form's fields (hours per day as text, its channels' keys,
    its own targets in hours as `target_<channel key>`)."""
    names = ("key", "name", "time_zone", "holiday_country", *COMPANY)
    return {
        **{name: getattr(market, name) or "" for name in names},
        "languages": ", ".join(market.languages),
        **{f"hours_{day}": text for day, text in hours_text(market.business_hours).items()},
        "channels": [channel.key for channel in channels if channel.market_key == market.key],
        **{f"target_{key}": hours_typed(seconds) for key, seconds in (targets or {}).items()},
    }


def _targets(typed: dict[str, str], problems: dict[str, str]) -> dict[str, int]:
    """The targets typed per channel in hours ("4", "1,5"; blank: the channel's) as
    {channel key: seconds}."""
    found: dict[str, int] = {}
    for key, text in typed.items():
        text = one_line(str(text or ""), 20).replace(",", ".")
        if not text:
            continue
        try:
            hours = float(text)
        except ValueError:
            hours = math.nan
        seconds = round(hours * 3600) if math.isfinite(hours) else -1
        if not TARGET_LIMITS[0] <= seconds <= TARGET_LIMITS[1]:
            problems[f"target_{key}"] = TARGET_PROBLEM
        else:
            found[key] = seconds
    return found


def _hours(typed: dict[str, str], problems: dict[str, str]) -> dict | None:
    """The seven days' typed hours ("09:00-17:00, 18:00-20:00"; blank = closed) as stored
    hours; every day blank is 24/7 (None)."""
    stored: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        text = one_line(str(typed.get(day) or ""), 200)
        pairs = [part.strip() for part in text.split(",") if part.strip()]
        for pair in pairs:
            ends = [end.strip() for end in pair.split("-")]
            if len(ends) != 2:
                problems[f"hours_{day}"] = N_("Write each opening as 09:00-17:00.")
                break
            stored.setdefault(day, []).append(ends)
    if not stored or any(key.startswith("hours_") for key in problems):
        return None
    try:
        return format_hours(parse_hours(stored))
    except ValueError as error:
        day = next((d for d in WEEKDAYS if str(error).startswith(d)), "mon")
        message = str(error).removeprefix(f"{day}: ")
        problems[f"hours_{day}"] = message[:1].upper() + message[1:] + "."
        return None


def _company(values: dict[str, Any], problems: dict[str, str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in COMPANY:
        value = one_line(str(values.get(name) or ""), LIMITS[name] + 1)
        if len(value) > LIMITS[name]:
            problems[name] = f"At most {LIMITS[name]} characters."
        elif "{" in value or "}" in value or "[[" in value:
            problems[name] = N_("Braces and [[ ]] are reserved for template placeholders.")
        found[name] = value or None
    if found["phone"] and not re.fullmatch(r"\+?[\d ()./-]{5,}", found["phone"]):
        problems["phone"] = N_("Digits, spaces, +, ( ) and - only, e.g. +371 6700 0000.")
    if found["email"]:
        try:
            found["email"] = validate_email(found["email"], check_deliverability=False).normalized
        except EmailNotValidError as error:
            problems["email"] = str(error)
    if found["faq_url"]:
        parts = urlsplit(found["faq_url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems["faq_url"] = N_("A full link starting with https://.")
    if found["dm_instruction"]:
        found["dm_instruction"] = found["dm_instruction"].rstrip(".")
    return found


def clean(values: dict[str, Any], *, channels: list[str]) -> MarketValues:
    """Check what an admin entered (`hours` is {day: text}; `channels` the known channel
    keys); raise MarketError naming each bad field."""
    problems: dict[str, str] = {}
    key = str(values.get("key") or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9_-]{1,32}", key):
        problems["key"] = N_("Lower-case letters, digits, - and _ only, e.g. nl.")
    name = one_line(str(values.get("name") or ""), LIMITS["name"] + 1)
    if not name or len(name) > LIMITS["name"]:
        problems["name"] = f"Give the market a name of at most {LIMITS['name']} characters."
    languages = [code.strip().lower() for code in str(values.get("languages") or "").split(",")]
    languages = [code for code in languages if code]
    if any(not re.fullmatch(r"[a-z]{2,8}", code) for code in languages):
        problems["languages"] = N_("Language codes separated by commas, e.g. nl, en.")
    zone = str(values.get("time_zone") or "").strip() or None
    if zone is not None:
        try:
            time_zone(zone)
        except ValueError as error:
            problems["time_zone"] = str(error) + "."
    hours = _hours(values.get("hours") or {}, problems)
    if hours is not None and zone is None and "time_zone" not in problems:
        problems["time_zone"] = N_("A market with business hours names its time zone.")
    try:
        country = check_holiday_country(values.get("holiday_country"))
    except ValueError as error:
        problems["holiday_country"], country = str(error) + ".", None
    chosen = [key for key in values.get("channels") or [] if key in channels]
    company = _company(values, problems)
    typed = {k: v for k, v in (values.get("targets") or {}).items() if k in channels}
    targets = _targets(typed, problems)
    if problems:
        raise MarketError(problems)
    return MarketValues(
        key, name, languages, zone, hours, country, **company, channels=chosen, targets=targets
    )


def _shown(name: str, value: Any) -> Any:
    if name == "business_hours":
        if value is None:
            return "around the clock"
        days = hours_text(value)
        return "; ".join(f"{DAY_NAMES[d][:3]} {days[d]}" for d in WEEKDAYS if days[d])
    if isinstance(value, list):
        return ", ".join(value)
    return value


def change_words(name: str, old: Any, new: Any) -> str:
    """ "Time zone: not set → Europe/Riga"."""
    return store.change_words(LABELS.get(name, name), _shown(name, old), _shown(name, new))


def target_change_words(channel: Channel, old: int | None, new: int | None) -> str:
    """ "Response target on X (Twitter): the channel's (1 hour) → 4 hours"."""

    def shown(seconds: int | None) -> str:
        if seconds is None:
            return f"the channel's ({overview_words(channel.response_target_seconds)})"
        return overview_words(seconds)

    return store.change_words(f"Response target on {channel.name}", shown(old), shown(new))


def overview_words(seconds: int) -> str:
    """ "4 hours", "1 hour", "90 min" (the audit log's words for a target)."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{seconds / 60:g} min"


def _save_targets(
    session: Session, market: Market, targets: dict[str, int], channels: list[Channel]
) -> list[str]:
    """Store the market's own targets (a channel left blank drops its own); the changes in
    words."""
    before = stored_targets(session, market.key)
    changes = []
    for channel in channels:
        old, new = before.get(channel.key), targets.get(channel.key)
        if old == new:
            continue
        changes.append(target_change_words(channel, old, new))
        row = session.get(MarketTarget, (market.key, channel.key))
        if new is None:
            session.delete(row)
        elif row is None:
            session.add(MarketTarget(market_key=market.key, channel_key=channel.key,
                                     response_target_seconds=new))  # fmt: skip
        else:
            row.response_target_seconds = new
    return changes


def _as_dict(market: Market, channels: list[str]) -> dict[str, Any]:
    names = ("name", "languages", "time_zone", "business_hours", "holiday_country", *COMPANY)
    return {name: getattr(market, name) for name in names} | {"channels": channels}


def save(
    session: Session, values: MarketValues, *, actor: User, now: datetime, existing: str | None
) -> Market:
    """Create the market (`existing` None) or update the one keyed `existing`; move the
    chosen channels to it (a channel left out of a market returns to the default market);
    audit every change with its old and new value."""
    channels = list(session.scalars(select(Channel).order_by(Channel.key)))
    if existing is None:
        if session.get(Market, values.key) is not None:
            raise MarketError({"key": "A market with this key exists already."})
        last = session.scalar(select(Market.position).order_by(Market.position.desc()).limit(1))
        market = Market(key=values.key, position=(last or 0) + 1)
        before = {name: None for name in _as_dict(market, [])} | {"channels": []}
        session.add(market)
    else:
        market = session.get(Market, existing)
        before = _as_dict(market, [c.key for c in channels if c.market_key == market.key])
    new = {name: getattr(values, name) for name in before}
    for name, value in new.items():
        if name != "channels":
            setattr(market, name, value)
    session.flush()  # a new market's row before its channels point at it
    for channel in channels:
        if channel.key in values.channels:
            channel.market_key = market.key
        elif channel.market_key == market.key:
            channel.market_key = None
    changed = {name: value for name, value in new.items() if before[name] != value}
    target_changes = _save_targets(session, market, values.targets, channels)
    if target_changes:
        changed["targets"] = values.targets
    if changed or existing is None:
        session.flush()
        audit.record(
            session,
            action="settings.market_updated",
            entity_type="settings",
            entity_id=None,
            actor_id=actor.id,
            now=now,
            details={
                "market": market.key,
                "created": existing is None,
                "changed": changed,
                "before": {name: before[name] for name in changed if name != "targets"},
                "changes": [
                    change_words(name, before[name], changed[name])
                    for name in changed
                    if name != "targets"
                ]
                + target_changes,
            },
        )
    return market
