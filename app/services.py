"""The services in force, built in one place from the configuration, the stored settings and
a session: what views, the API, the CLI and the outbox worker use.

No request is needed: `Services.of(app, session)` works in a view, a CLI command or a
worker alike (the web layer keeps one per request, `app.web.services`). The settings an
admin stores override the configured defaults; a mistake in the configured workflow
settings is named at start-up (`workflow_defaults`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.analysis import Analysis
from app.complaints import markets
from app.complaints.imports import ImportLimits
from app.complaints.models import Channel, Complaint
from app.drafts import composer
from app.drafts import policy as workflow_settings
from app.drafts.builder import Composition
from app.drafts.response_templates import Library
from app.notifications.mail import Mailer
from app.publishing.adapters import TargetRefused, WebhookAdapter, WebhookTargets
from app.publishing.outbox import RetryPolicy
from app.settings import company as company_settings
from app.settings import store as settings_store
from app.settings.template_versions import LibraryInForce
from app.tone import policy as tone_settings

Config = Mapping[str, Any]


class Clock(Protocol):
    def now(self) -> datetime: ...


class ConfigurationError(RuntimeError):
    """A configured service cannot be built as configured; the message says why."""


def clock(app: Flask) -> Clock:
    """The app's clock: frozen in tests, the system clock otherwise."""
    return app.extensions["composure.clock"]


def templates(app: Flask) -> Library:
    """The reply-template library in the files, loaded and checked at start-up."""
    return app.extensions["composure.templates"]


def library_in_force(app: Flask) -> LibraryInForce:
    """The files' library with the versions admins saved (one per app, built lazily)."""
    holder = app.extensions.get("composure.library_in_force")
    if holder is None or holder.files is not templates(app):
        holder = app.extensions["composure.library_in_force"] = LibraryInForce(templates(app))
    return holder


def display_zone(config: Config) -> ZoneInfo:
    return ZoneInfo(config["DISPLAY_TIMEZONE"])


def external_url(app: Flask, endpoint: str, **values: Any) -> str:
    """The full address of a page, from the configured BASE_URL (for links printed or
    sent outside a request)."""
    base = urlsplit(app.config["BASE_URL"])
    adapter = app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def company_defaults(config: Config) -> company_settings.CompanyDetails:
    """The company details from configuration alone (what stored settings override)."""
    return company_settings.CompanyDetails(
        name=config["COMPANY_NAME"],
        phone=config["COMPANY_PHONE"],
        email=config["COMPANY_EMAIL"],
        faq_url=config["COMPANY_FAQ_URL"],
        dm_instruction=config["COMPANY_DM_INSTRUCTION"],
        follow_up_days=config["FOLLOW_UP_DAYS"],
    )


def workflow_defaults(config: Config) -> workflow_settings.WorkflowPolicy:
    """The workflow policy from configuration alone (what stored settings override)."""
    values = {
        "cooling_off.base_seconds": config["COOLING_OFF_BASE_SECONDS"],
        "cooling_off.hot_extra_seconds": config["COOLING_OFF_HOT_EXTRA_SECONDS"],
        "cooling_off.warn_extra_seconds": config["COOLING_OFF_WARN_EXTRA_SECONDS"],
        "cooling_off.floor_seconds": config["COOLING_OFF_FLOOR_SECONDS"],
        "cooling_off.edit_restart_percent": config["COOLING_OFF_EDIT_RESTART_PERCENT"],
        **{f"signoff.flag.{k}": v for k, v in config["SIGNOFF_FLAGS"].items()},
        **{f"signoff.finding.{k}": v for k, v in config["SIGNOFF_FINDINGS"].items()},
        **{f"publisher.{k}": v for k, v in config["PUBLISHERS"].items()},
    }
    if config.get("SIGNOFF_UNREAD_LANGUAGE"):
        values[workflow_settings.UNREAD_LANGUAGE_KEY] = config["SIGNOFF_UNREAD_LANGUAGE"]
    try:
        return workflow_settings.clean(values, workflow_settings.WorkflowPolicy())
    except workflow_settings.WorkflowPolicyError as problem:
        raise ConfigurationError(f"Workflow settings in the configuration: {problem}") from problem


def import_limits(config: Config) -> ImportLimits:
    return ImportLimits(
        max_chars=config["MAX_COMPLAINT_CHARS"],
        max_bytes=config["MAX_IMPORT_BYTES"],
        batch_size=config["IMPORT_BATCH_SIZE"],
        case_window=case_window(config),
    )


def case_window(config: Config) -> timedelta:
    """How long a case stays open to the same handle's messages (CASE_OPEN_HOURS)."""
    return timedelta(hours=config["CASE_OPEN_HOURS"])


def retry_policy(config: Config) -> RetryPolicy:
    """How the outbox retries a webhook delivery that failed, and how long a worker's
    claim on one holds: just over two webhook timeouts unless OUTBOX_LEASE_SECONDS says."""
    lease = config["OUTBOX_LEASE_SECONDS"] or 2 * config["PUBLISH_WEBHOOK_TIMEOUT_SECONDS"] + 5
    return RetryPolicy(
        max_attempts=max(config["PUBLISH_MAX_ATTEMPTS"], 1),
        base_seconds=max(config["PUBLISH_RETRY_BASE_SECONDS"], 1),
        lease_seconds=max(lease, 1),
    )


def webhook_targets(config: Config) -> WebhookTargets:
    """The addresses the webhook may reach (README "Workers")."""
    try:
        return WebhookTargets.from_settings(
            bool(config["PUBLISH_WEBHOOK_ALLOW_HTTP_LOCALHOST"]),
            list(config["PUBLISH_WEBHOOK_ALLOWED_HOSTS"]),
        )
    except TargetRefused as refused:
        raise ConfigurationError(str(refused)) from refused


def webhook_adapter(config: Config, *, resolve: bool = False) -> WebhookAdapter | None:
    """The webhook published replies go out through; None while no URL is configured.
    Its address is checked here (start-up) without resolving its name, or resolving it
    too when `resolve` (the worker's start-up); every delivery checks it again."""
    targets = webhook_targets(config)
    if not config["PUBLISH_WEBHOOK_URL"]:
        return None
    if not config["PUBLISH_WEBHOOK_SECRET"]:
        raise ConfigurationError(
            "PUBLISH_WEBHOOK_URL is set but PUBLISH_WEBHOOK_SECRET is not: "
            "deliveries must be signed."
        )
    try:
        if resolve:
            targets.resolve(config["PUBLISH_WEBHOOK_URL"])
        else:
            targets.check_url(config["PUBLISH_WEBHOOK_URL"])
    except TargetRefused as refused:
        raise ConfigurationError(str(refused)) from refused
    return WebhookAdapter(
        url=config["PUBLISH_WEBHOOK_URL"],
        secret=config["PUBLISH_WEBHOOK_SECRET"],
        timeout_seconds=config["PUBLISH_WEBHOOK_TIMEOUT_SECONDS"],
        targets=targets,
    )


def imports_run_by(config: Config) -> str:
    """Who runs uploaded imports: "web" or "worker" (IMPORTS_RUN_BY), checked at start-up."""
    value = config["IMPORTS_RUN_BY"]
    if value not in ("web", "worker"):
        raise ConfigurationError(f"IMPORTS_RUN_BY must be web or worker, not {value!r}.")
    return value


def mailer(config: Config) -> Mailer | None:
    """The SMTP server e-mail notices go out through; None while none is configured."""
    if not config["MAIL_SERVER"]:
        return None
    return Mailer(
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        username=config["MAIL_USERNAME"],
        password=config["MAIL_PASSWORD"],
        use_tls=config["MAIL_USE_TLS"],
        sender=config["MAIL_FROM"],
        base_url=config["BASE_URL"],
    )


@dataclass
class Services:
    """The settings in force and what is built from them, read at most once per instance:
    make one per request, command or unit of work."""

    config: Config
    session: Session
    templates: LibraryInForce
    clock: Clock

    @classmethod
    def of(cls, app: Flask, session: Session) -> Services:
        return cls(
            config=app.config, session=session, templates=library_in_force(app), clock=clock(app)
        )

    @cached_property
    def library(self) -> Library:
        """The reply-template library in force: the files with the versions saved in the
        app, as the table stands now (a save in another worker counts from its commit)."""
        return self.templates.get(self.session)

    def library_for(self, market: str | None) -> Library:
        """The library a reply in the market keyed `market` uses: its own versions over
        the every-market ones over the files (None: without a market's own)."""
        if market is None:
            return self.library
        return self.templates.get(self.session, market)

    def now(self) -> datetime:
        return self.clock.now()

    @property
    def timezone(self) -> str:
        return self.config["DISPLAY_TIMEZONE"]

    @cached_property
    def stored_settings(self) -> dict[str, Any]:
        """The stored company details and tone and workflow settings, read in one query."""
        return settings_store.stored_under(
            self.session,
            (company_settings.PREFIX, tone_settings.PREFIX, workflow_settings.PREFIX),
        )

    @cached_property
    def company(self) -> company_settings.CompanyDetails:
        """The company details in force: stored values over the configured ones."""
        return company_settings.load(
            self.session, company_defaults(self.config), rows=self.stored_settings
        )

    @cached_property
    def markets(self) -> markets.Markets:
        """The markets in force (an unset time zone is the display one)."""
        return markets.load(self.session, display_timezone=self.timezone)

    def market_of(self, complaint: Complaint) -> markets.MarketInfo:
        return self.markets.of(complaint)

    def company_for(self, market: markets.MarketInfo) -> company_settings.CompanyDetails:
        """The company details a reply in `market` uses: the market's own over the rest."""
        return market.company(self.company)

    @cached_property
    def tone_policy(self) -> tone_settings.TonePolicy:
        return tone_settings.load(self.session, rows=self.stored_settings)

    @cached_property
    def workflow_policy(self) -> workflow_settings.WorkflowPolicy:
        """The workflow policy in force, with the follow-up delay the company's replies
        promise."""
        return replace(
            workflow_settings.load(
                self.session, workflow_defaults(self.config), rows=self.stored_settings
            ),
            follow_up_days=self.company.follow_up_days,
            calendar_of=lambda complaint: self.market_of(complaint).calendar,
        )

    def tone_setting(
        self, complaint: Complaint | None, channel: Channel | None = None
    ) -> composer.ToneSetting:
        """What the tone checks need for a reply to `complaint` (on its channel unless
        `channel` is given; `complaint` may be None for a text on its own)."""
        if channel is None:
            assert complaint is not None, "a reply with no complaint needs a channel"
            channel = complaint.channel
        market = (
            self.market_of(complaint)
            if complaint is not None
            else self.markets.market_for(channel.key, None)
        )
        return composer.tone_setting(
            complaint, channel, policy=self.tone_policy, company=self.company_for(market)
        )

    def compose_draft(
        self, complaint: Complaint, agent: User | None, language: str | None = None
    ) -> Composition:
        """The first draft for a stored complaint: what the complaint page, the editor and
        the API all offer; in the complaint's language, or in `language`."""
        market = self.market_of(complaint)
        return composer.compose_for(
            complaint,
            library=self.library_for(market.key),
            company=self.company_for(market),
            agent=agent,
            now=self.now(),
            timezone=self.timezone,
            language=language,
            calendar=market.calendar,
        )

    def compose_text(
        self,
        text: str,
        found: Analysis,
        channel: Channel,
        *,
        agent: User | None,
        customer_name: str,
        handle: str,
        language: str | None = None,
    ) -> Composition:
        """The first draft for a text and channel alone, analysed as `found`."""
        market = self.markets.market_for(channel.key, language or found.language)
        return composer.compose_for_text(
            text,
            found,
            channel,
            library=self.library_for(market.key),
            company=self.company_for(market),
            agent=agent,
            customer_name=customer_name,
            handle=handle,
            now=self.now(),
            timezone=self.timezone,
            language=language,
            calendar=market.calendar,
        )
