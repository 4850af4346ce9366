"""Admin → Company details (what replies are filled with) and Tone policy (how severe each
finding is). HTTP in, operations out."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import Optional

from app.accounts.permissions import Permission
from app.extensions import db
from app.settings import company as company_settings
from app.tone import policy as tone_policy_settings
from app.tone.catalogue import CODE_LABELS, CODES, DEFAULT_SEVERITIES, FIXED_SEVERITIES
from app.web.access import requires
from app.web.helpers import company, company_defaults, now

blueprint = Blueprint("settings", __name__, url_prefix="/admin/settings")


class CompanyForm(FlaskForm):
    name = StringField("Company name", description="As customers know you.")
    phone = StringField("Phone number", description="Fills {company_phone}, e.g. 0808 157 0192.")
    email = StringField("Customer care e-mail", description="Fills {company_email}.")
    faq_url = StringField("Help page link", description="Fills {faq_url}; starts with https://.")
    dm_instruction = StringField(
        "How to reach you privately",
        description='Completes "Please …", e.g. "send us a DM with your order number".',
    )
    follow_up_days = IntegerField(
        "Follow up after (working days)",
        validators=[Optional()],
        description='Fills {follow_up_when}: 2 gives "by Wednesday" on a Monday.',
    )


@blueprint.route("/company", methods=["GET", "POST"])
@requires(Permission.MANAGE_SETTINGS)
def company_details():
    current = company()
    form = CompanyForm(data=asdict(current))
    status = 200
    if form.validate_on_submit():
        try:
            details = company_settings.clean(form.data)
        except company_settings.CompanyDetailsError as problem:
            for name, message in problem.fields.items():
                getattr(form, name).errors.append(message)
        else:
            company_settings.save(db.session, details, actor=current_user, now=now())
            db.session.commit()
            flash("Company details saved; new drafts use them.", "success")
            return redirect(url_for("settings.company_details"))
    if request.method == "POST":
        status = 400
    return (
        render_template("settings/company.html", form=form, defaults=company_defaults()),
        status,
    )


@blueprint.route("/tone", methods=["GET", "POST"])
@requires(Permission.MANAGE_SETTINGS)
def tone_policy():
    """How severe each tone finding is, and the readability and sentiment lines."""
    current = tone_policy_settings.load(db.session)
    problems: dict[str, str] = {}
    values = current.as_settings()
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in values}
        try:
            chosen = tone_policy_settings.clean(values)
        except tone_policy_settings.TonePolicyError as problem:
            problems = problem.fields
        else:
            tone_policy_settings.save(db.session, chosen, actor=current_user, now=now())
            db.session.commit()
            flash("Tone policy saved; drafts are checked with it from now on.", "success")
            return redirect(url_for("settings.tone_policy"))
    return (
        render_template(
            "settings/tone.html",
            values=values,
            problems=problems,
            codes=CODES,
            labels=CODE_LABELS,
            defaults=DEFAULT_SEVERITIES,
            fixed=FIXED_SEVERITIES,
            choices=tone_policy_settings.CHOICES,
        ),
        400 if problems else 200,
    )
