"""Markets on the screens: the "paused outside hours" words beside a complaint's clock,
and Admin → Markets (a market's languages, clock, company details and channels). HTTP in,
operations out."""

from __future__ import annotations

from datetime import datetime

from babel.units import format_unit
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, get_locale, gettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from app.accounts.forms import CheckboxesField
from app.accounts.permissions import Permission
from app.complaints import markets
from app.complaints.models import Channel, Complaint, Market
from app.core.business_time import WEEKDAYS
from app.extensions import db
from app.settings import markets as market_settings
from app.web.access import requires
from app.web.forms import show_on_form
from app.web.services import now, services

blueprint = Blueprint("markets", __name__)
LABELS = market_settings.LABELS


def clock_pause(complaint: Complaint, at: datetime) -> str:
    """The clock badge's pause words for `complaint` at `at` ("" while the clock runs): the
    weekday and time it resumes in the market's zone, said in the page's language."""
    resumes = markets.paused_until(services().market_of(complaint), complaint, at)
    if resumes is None:
        return ""
    return _(
        "paused outside hours — resumes %(when)s",
        when=format_datetime(resumes, "EEE HH:mm", rebase=False),
    )


@blueprint.app_context_processor
def inject() -> dict:
    return {"clock_pause": clock_pause}


class MarketForm(FlaskForm):
    key = StringField(_l(LABELS["key"]), description=_l("Short and fixed once made, e.g. nl."))
    name = StringField(_l(LABELS["name"]))
    languages = StringField(
        _l(LABELS["languages"]),
        description=_l(
            "Codes separated by commas, e.g. nl, en. A complaint on a channel of no "
            "market goes to the first market listing its language."
        ),
    )
    time_zone = StringField(
        _l(LABELS["time_zone"]),
        description=_l("e.g. Europe/Amsterdam. Blank: the display time zone."),
    )
    holiday_country = StringField(
        _l(LABELS["holiday_country"]),
        description=_l("A country code, e.g. NL: the clock pauses on its public holidays."),
    )
    brand_name = StringField(_l(LABELS["brand_name"]), description=_l("Blank: the company name."))
    phone = StringField(_l(LABELS["phone"]), description=_l("Blank: the company phone."))
    email = StringField(_l(LABELS["email"]), description=_l("Blank: the company e-mail."))
    faq_url = StringField(_l(LABELS["faq_url"]), description=_l("Blank: the company help page."))
    dm_instruction = StringField(
        _l(LABELS["dm_instruction"]),
        description=_l("In the market's language. Blank: the company's."),
    )
    channels = CheckboxesField(_l(LABELS["channels"]), choices=[])


for _day in WEEKDAYS:
    setattr(
        MarketForm,
        f"hours_{_day}",
        StringField(_l(market_settings.DAY_NAMES[_day]), description=_l("e.g. 09:00-17:00")),
    )


@blueprint.route("/admin/markets")
@requires(Permission.MANAGE_SETTINGS)
def list_markets():
    return render_template("settings/markets.html", markets=services().markets.markets)


def _target_field(channel: Channel) -> StringField:
    """The market's own target on `channel`, in hours (blank: the channel's)."""
    hours = format_unit(channel.response_target_seconds / 3600, "duration-hour",
                        length="long", locale=get_locale() or "en")  # fmt: skip
    return StringField(
        _("%(channel)s: answer within, in hours", channel=channel.name),
        description=_("Blank: the channel's own target, %(hours)s.", hours=hours),
    )


def _form(market: Market | None) -> MarketForm:
    channels = list(db.session.scalars(select(Channel).order_by(Channel.position, Channel.key)))
    targets = market_settings.stored_targets(db.session, market and market.key)
    fields = {f"target_{c.key}": _target_field(c) for c in channels}
    data = market_settings.form_data(market, channels, targets) if market else {}
    form = type("MarketTargetsForm", (MarketForm,), fields)(data=data)
    form.channels.choices = [(c.key, c.name) for c in channels]
    form.target_fields = [form[name] for name in fields]
    return form


def _said(problem: market_settings.MarketError) -> market_settings.MarketError:
    """The refusals in the page's language (the messages the domain marks)."""
    return market_settings.MarketError({k: _(v) for k, v in (problem.fields or {}).items()})


@blueprint.route("/admin/markets/<market_key>", methods=["GET", "POST"])
@requires(Permission.MANAGE_SETTINGS)
def edit_market(market_key: str):
    market = None if market_key == "new" else db.session.get(Market, market_key)
    if market is None and market_key != "new":
        abort(404)
    form = _form(market)
    if form.validate_on_submit():
        typed = form.data | {"hours": {d: form.data[f"hours_{d}"] for d in WEEKDAYS}}
        typed["key"] = market.key if market else typed["key"]
        typed["targets"] = {f.name.removeprefix("target_"): f.data for f in form.target_fields}
        try:
            values = market_settings.clean(typed, channels=[c for c, _ in form.channels.choices])
            saved = market_settings.save(
                db.session, values, actor=current_user, now=now(), existing=market and market.key
            )
        except market_settings.MarketError as problem:
            show_on_form(form, _said(problem), otherwise="name")
        else:
            db.session.commit()
            flash(
                gettext("Market %(name)s saved; new complaints use its clock.", name=saved.name),
                "success",
            )
            return redirect(url_for("markets.list_markets"))
    status = 400 if request.method == "POST" else 200
    return render_template("settings/market.html", form=form, market=market), status
