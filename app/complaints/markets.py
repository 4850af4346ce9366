"""Markets: which market a complaint belongs to, its clock, and its company details. No
Flask: read once per request or batch with `load`, then asked in memory.

A complaint's market is its channel's market; for a channel with none, the first market
(by position) that lists the complaint's language; else the default market. The default
market made by migration 0017 is 24/7 in the display time zone with the company-wide
details, so a team with one market sees nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.complaints.models import Channel, Complaint, ComplaintStatus, Market, MarketTarget
from app.core.business_time import BusinessCalendar, parse_hours
from app.settings.company import CompanyDetails

#: Market columns that override the company-wide detail of the same meaning when set.
COMPANY_FIELDS = {
    "brand_name": "name",
    "phone": "phone",
    "email": "email",
    "faq_url": "faq_url",
    "dm_instruction": "dm_instruction",
}


@dataclass(frozen=True)
class MarketInfo:
    """One market as the domain uses it (a plain value, safe to keep after the session)."""

    key: str
    name: str
    languages: tuple[str, ...]
    calendar: BusinessCalendar
    is_default: bool = False
    #: CompanyDetails field -> the market's own value (only the ones it sets).
    company_overrides: dict[str, str] = field(default_factory=dict)
    #: Channel key -> the market's own response target there, in seconds (only the ones
    #: it sets; every other channel keeps its own target in this market).
    targets: dict[str, int] = field(default_factory=dict)

    def company(self, details: CompanyDetails) -> CompanyDetails:
        """The company-wide `details` with this market's own over them. A market's DM
        wording is written in its language, so it replaces the per-language ones too."""
        if not self.company_overrides:
            return details
        overrides: dict = dict(self.company_overrides)
        if "dm_instruction" in overrides:
            overrides["dm_instructions"] = {}
        return replace(details, **overrides)

    def due_at(self, received: datetime, target: timedelta) -> datetime:
        return self.calendar.due_at(received, target)

    def target_for(self, channel: Channel) -> timedelta:
        """The response target of a complaint on `channel` in this market: the market's
        own for that channel, else the channel's; counted on the market's clock."""
        seconds = self.targets.get(channel.key, channel.response_target_seconds)
        return timedelta(seconds=seconds)


def info(
    market: Market, *, display_timezone: str, targets: dict[str, int] | None = None
) -> MarketInfo:
    """A stored market as a `MarketInfo` (its time zone, when unset, is the display one;
    `targets` its own response targets by channel key)."""
    return MarketInfo(
        key=market.key,
        name=market.name,
        languages=tuple(market.languages or ()),
        calendar=BusinessCalendar(
            market.time_zone or display_timezone,
            parse_hours(market.business_hours),
            market.holiday_country,
        ),
        is_default=market.is_default,
        company_overrides={
            target: value
            for column, target in COMPANY_FIELDS.items()
            if (value := getattr(market, column))
        },
        targets=dict(targets or {}),
    )


#: What stands in when no market is stored (a database before migration 0017 is not
#: served; this keeps pure callers and a missing default row working as before markets).
ALWAYS_OPEN = MarketInfo("default", "Default market", (), BusinessCalendar(), is_default=True)


@dataclass(frozen=True)
class Markets:
    """Every market, and each channel's market key, read at one moment."""

    markets: tuple[MarketInfo, ...]
    channel_markets: dict[str, str | None]

    @property
    def default(self) -> MarketInfo:
        return next((m for m in self.markets if m.is_default), None) or (
            self.markets[0] if self.markets else ALWAYS_OPEN
        )

    def get(self, key: str | None) -> MarketInfo | None:
        return next((m for m in self.markets if m.key == key), None)

    def market_for(self, channel_key: str | None, language: str | None) -> MarketInfo:
        """The market of a complaint on `channel_key` in `language` (see the module)."""
        own = self.get(self.channel_markets.get(channel_key or ""))
        if own is not None:
            return own
        if language:
            speaking = next((m for m in self.markets if language in m.languages), None)
            if speaking is not None:
                return speaking
        return self.default

    def of(self, complaint: Complaint) -> MarketInfo:
        return self.market_for(complaint.channel_key, complaint.language)


def paused_until(market: MarketInfo, complaint: Complaint, now: datetime) -> datetime | None:
    """When the stopped clock of an unanswered complaint starts again, in the market's local
    time (the screens say "paused outside hours — resumes Mon 09:00"); None while it runs or
    once answered."""
    if complaint.status not in ComplaintStatus.open_statuses():
        return None
    resumes = market.calendar.resumes_at(now)
    if resumes is None:
        return None
    return resumes.astimezone(market.calendar.tz)


def load(session: Session, *, display_timezone: str = "UTC") -> Markets:
    """The markets in force. `display_timezone` stands in for a market's unset time zone
    (the default market's); intake may leave it out, as a market with business hours
    names its own zone (see `app.settings.markets`) and a 24/7 clock has no use for one."""
    stored: Iterable[Market] = session.scalars(select(Market).order_by(Market.position, Market.key))
    channels = session.execute(select(Channel.key, Channel.market_key)).all()
    targets: dict[str, dict[str, int]] = {}
    for row in session.scalars(select(MarketTarget)):
        targets.setdefault(row.market_key, {})[row.channel_key] = row.response_target_seconds
    return Markets(
        tuple(
            info(market, display_timezone=display_timezone, targets=targets.get(market.key))
            for market in stored
        ),
        {key: market_key for key, market_key in channels},
    )
