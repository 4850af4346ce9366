"""Admin: the home page with a card per admin area; Company details (what replies are
filled with), Tone policy (how severe each finding is), Workflow policy (cooling-off,
sign-off, publishing, response targets) and the Template library (checked; admins edit
variants, kept as versions).
HTTP in, operations out."""

from __future__ import annotations

from dataclasses import asdict

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import Optional

from app.accounts import listing
from app.accounts.models import Role
from app.accounts.permissions import Permission, can
from app.analysis.rules import FLAG_LABELS, FLAGS
from app.complaints import markets
from app.complaints.models import Channel
from app.core.errors import Refused
from app.drafts import policy as workflow_settings
from app.drafts.composer import channel_info
from app.extensions import db
from app.nlp.detection import language_name
from app.services import company_defaults, workflow_defaults
from app.settings import company as company_settings
from app.settings import overview, template_checks, template_edits, template_versions, workflow_form
from app.settings.company import LABELS
from app.tone import policy as tone_policy_settings
from app.tone.catalogue import CODE_LABELS, CODES, DEFAULT_SEVERITIES, FIXED_SEVERITIES
from app.web import say
from app.web.access import requires
from app.web.forms import show_on_form
from app.web.services import now, services

blueprint = Blueprint("settings", __name__, url_prefix="/admin")


class CompanyForm(FlaskForm):
    name = StringField(_l(LABELS["name"]), description=_l("As customers know you."))
    phone = StringField(
        _l(LABELS["phone"]),
        description=_l("Fills %(placeholder)s, e.g. 0808 157 0192.", placeholder="{company_phone}"),
    )
    email = StringField(
        _l(LABELS["email"]), description=_l("Fills %(placeholder)s.", placeholder="{company_email}")
    )
    faq_url = StringField(
        _l(LABELS["faq_url"]),
        description=_l("Fills %(placeholder)s; starts with https://.", placeholder="{faq_url}"),
    )
    dm_instruction = StringField(
        _l(LABELS["dm_instruction"]),
        description=_l('Completes "Please …", e.g. "send us a DM with your order number".'),
    )
    follow_up_days = IntegerField(
        _l(LABELS["follow_up_days"]),
        validators=[Optional()],
        description=_l(
            'Fills %(placeholder)s: 2 gives "by Wednesday" on a Monday.',
            placeholder="{follow_up_when}",
        ),
    )


def _dm_wordings(current: company_settings.CompanyDetails) -> dict[str, str]:
    """The DM wording per language with reply templates (English is the form's own field):
    as stored, or as typed."""
    languages = [code for code in services().library.languages if code != "en"]
    if request.method == "POST":
        return {code: request.form.get(f"dm_instruction.{code}", "") for code in languages}
    return {code: current.dm_instructions.get(code, "") for code in languages}


@blueprint.route("/settings/company", methods=["GET", "POST"])
@requires(Permission.MANAGE_SETTINGS)
def company_details():
    current = services().company
    form = CompanyForm(data=asdict(current))
    typed = _dm_wordings(current)
    problems: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            details = company_settings.clean({**form.data, "dm_instructions": typed})
        except company_settings.CompanyDetailsError as problem:
            problems = {k: v for k, v in problem.fields.items() if k.startswith("dm_instruction.")}
            others = {k: v for k, v in problem.fields.items() if k not in problems}
            if others:
                show_on_form(form, company_settings.CompanyDetailsError(others), otherwise="name")
        else:
            company_settings.save(
                db.session, details, actor=current_user, now=now(), previous=services().company
            )
            db.session.commit()
            flash(gettext("Company details saved; new drafts use them."), "success")
            return redirect(url_for("settings.company_details"))
    return render_template(
        "settings/company.html",
        form=form,
        defaults=company_defaults(current_app.config),
        dm_languages=[(code, language_name(code)) for code in typed],
        dm_typed=typed,
        dm_problems=problems,
    ), 400 if request.method == "POST" else 200


@blueprint.route("/settings/tone", methods=["GET", "POST"])
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
            flash(gettext("Tone policy saved; drafts are checked with it from now on."), "success")
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


@blueprint.route("/settings/workflow", methods=["GET", "POST"])
@requires(Permission.MANAGE_SETTINGS)
def workflow_policy():
    """Cooling-off, what needs sign-off by whom, how each channel publishes and each
    channel's response-time target."""
    defaults = workflow_defaults(current_app.config)
    channels = workflow_settings.response_targets(db.session)
    values = workflow_form.values_of(services().workflow_policy, channels)
    problems: dict[str, str] = {}
    if request.method == "POST":
        values = {name: request.form.get(name, "").strip() for name in values}
        problems = workflow_form.save(
            db.session,
            values,
            channels,
            defaults=defaults,
            actor=current_user,
            now=now(),
            translate=gettext,
        )
        if not problems:
            db.session.commit()
            flash(gettext("Workflow policy saved; it applies to the next submission."), "success")
            return redirect(url_for("settings.workflow_policy"))
        db.session.rollback()  # targets checked alongside stay unchanged
        channels = workflow_settings.response_targets(db.session)
    return render_workflow_policy(values, problems, defaults, channels)


def render_workflow_policy(
    values: dict[str, str],
    problems: dict[str, str],
    defaults: workflow_settings.WorkflowPolicy,
    channels: list[Channel],
):
    """The workflow policy page, with what was typed and what is wrong with it."""
    return (
        render_template(
            "settings/workflow.html",
            values=values,
            problems=problems,
            defaults=workflow_form.values_of(defaults, []),
            cooling_fields=workflow_form.cooling_fields(),
            flags=FLAGS,
            flag_labels=FLAG_LABELS,
            codes=CODES,
            code_labels=CODE_LABELS,
            groups=workflow_settings.group_choices(db.session),
            publishers=workflow_settings.PUBLISHERS,
            channels=channels,
            units=workflow_form.TARGET_UNITS,
            webhook_configured=bool(current_app.config.get("PUBLISH_WEBHOOK_URL")),
        ),
        400 if problems else 200,
    )


# --- the template library (read-only) ----------------------------------------------------


def _active_channels() -> list:
    return [
        channel_info(channel)
        for channel in workflow_settings.response_targets(db.session)
        if channel.active
    ]


def _market(key: str | None) -> markets.MarketInfo | None:
    """The market the query string's `market` names (None: every market); 404 if unknown."""
    if not key:
        return None
    found = services().markets.get(key)
    if found is None:
        abort(404)
    return found


def _library_report(market: markets.MarketInfo | None = None) -> template_checks.LibraryReport:
    """The library as the files on disk say now with the versions saved in the app (and
    `market`'s own), checked with this app's policy, the market's company details and the
    channels. Read afresh on every request: nothing here can go stale."""
    saved = template_versions.in_force(db.session)
    own = template_versions.in_force(db.session, market.key) if market else []
    current = services()
    return template_checks.check_library(
        current_app.config["RESPONSE_TEMPLATES_DIR"],
        channels=_active_channels(),
        policy=current.tone_policy,
        company=current.company_for(market) if market else current.company,
        now=now(),
        timezone=current_app.config["DISPLAY_TIMEZONE"],
        running=current.library_for(market.key if market else None),
        combine=lambda files: template_versions.combine(
            template_versions.combine(files, saved), own
        ),
    )


def _checker(market: markets.MarketInfo | None = None) -> template_versions.Checker:
    """How a typed variant is checked: as the library page checks each one (filled with
    `market`'s company details)."""
    channels, current = _active_channels(), services()
    company = current.company_for(market) if market else current.company
    return lambda variant, library: template_checks.check_variant(
        variant,
        library=library,
        channels=channels,
        policy=current.tone_policy,
        company=company,
        now=current.now(),
        timezone=current.timezone,
    )


def _market_choices(market: markets.MarketInfo | None) -> dict:
    """What the library page shows of markets: the one chosen, the others to choose from,
    and which variants have a market's own version."""
    every = services().markets.markets
    return {
        "market": market,
        "markets": every,
        "market_names": {choice.key: choice.name for choice in every},
        "market_versions": template_versions.market_versions(db.session),
    }


@blueprint.route("/templates")
@requires(Permission.MANAGE_SETTINGS)
def template_library():
    """Every reply variant with its conditions and whether it passes the checks; filtered
    by language, part and status from the query string."""
    section = request.args.get("part", "")
    status = request.args.get("status", "")
    section = section if section in template_checks.SECTIONS else ""
    status = status if status in template_checks.STATUSES else ""
    market = _market(request.args.get("market"))
    report = _library_report(market)
    language = report.language_to_show(request.args.get("language", ""))
    return render_template(
        "settings/templates.html",
        report=report,
        shown=report.matching(section=section, status=status, language=language),
        section=section,
        status=status,
        language=language,
        all_languages=template_checks.ALL_LANGUAGES,
        sections=template_checks.SECTIONS,
        section_labels=template_checks.SECTION_LABELS,
        statuses=template_checks.STATUSES,
        status_labels=template_checks.STATUS_LABELS,
        language_name=say.language,
        running=services().library_for(market.key if market else None),
        edit_refusal=template_versions.edit_refusal(current_user),
        retired=template_versions.retired(db.session, market.key if market else None),
        **_market_choices(market),
    )


def _edit_page(
    language: str, part: str, variant_id: str | None, market: markets.MarketInfo | None
) -> template_edits.EditPage:
    """The edit page of a variant in `market` (None: every market), or 404."""
    current = services()
    page = template_edits.EditPage.of(
        db.session,
        library=current.library_for(market.key if market else None),
        files=current.templates.files,
        language=language,
        part=part,
        variant_id=variant_id,
        market=market.key if market else None,
        market_name=market.name if market else None,
    )
    if page is None:
        abort(404)
    return page


def _saved_words(saved) -> str:
    return gettext(
        "Version %(number)s of %(variant)s saved; new drafts use it.",
        number=saved.number,
        variant=saved.variant_id,
    )


@blueprint.route("/templates/<language>/<part>/new", methods=["GET", "POST"])
@blueprint.route("/templates/<language>/<part>/<variant_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_SETTINGS)
def template_edit(language: str, part: str, variant_id: str | None = None):
    """One variant as YAML in a textarea, for every market or one (`?market=`): Preview
    checks it, Save adds a version."""
    market = _market(request.args.get("market"))
    key = market.key if market else None
    page = _edit_page(language, part, variant_id, market)
    if request.method == "POST":
        page.typed(request.form.get("source", ""), request.form.get("note", ""))
        saved = page.submit(
            db.session, request.form.get("action"), _checker(market), actor=current_user, now=now()
        )
        if saved:
            db.session.commit()
            flash(_saved_words(saved), "success")
            return redirect(url_for(".template_edit", language=language, part=part,
                                    variant_id=saved.variant_id, market=key))  # fmt: skip
    refusal = template_versions.edit_refusal(current_user)
    return render_template("settings/template_edit.html", page=page, refusal=refusal), (
        400 if page.problems else 200
    )


def _version_saved(number: int, variant_id: str) -> str:
    return gettext("Version %(number)s of %(variant)s saved.", number=number, variant=variant_id)


@blueprint.route("/templates/<variant_id>/versions", methods=["POST"])
@requires(Permission.MANAGE_SETTINGS)
def template_version(variant_id: str):
    """Retire the variant, or go back to one of its versions (0: the file's), for every
    market or the one `?market=` names."""
    current, market = services(), _market(request.args.get("market"))
    key = market.key if market else None
    try:
        saved = template_edits.version_action(
            db.session,
            variant_id,
            action=request.form.get("action", ""),
            number=request.form.get("number", 0, type=int),
            library=current.library_for(key),
            files=current.templates.files,
            checker=_checker(market),
            actor=current_user,
            now=now(),
            market=key,
        )
    except (template_versions.TemplateRefused, Refused) as refused:
        flash(say.say(refused), "error")
    else:
        db.session.commit()
        flash(_version_saved(saved.number, variant_id), "success")
    language, part = template_edits.where_is(
        db.session, current.library_for(key), current.templates.files, variant_id, key
    )
    return redirect(url_for(".template_edit", language=language, part=part,
                            variant_id=variant_id, market=key))  # fmt: skip


# --- the admin home ----------------------------------------------------------------------


@blueprint.route("", endpoint="admin_home")
@requires(Permission.MANAGE_SETTINGS, Permission.MANAGE_USERS)
def admin_home():
    """A card per admin area, each with where it stands now."""
    areas: dict[str, object] = {}
    if can(current_user, Permission.MANAGE_USERS):
        areas["users"] = listing.overview(db.session, now=now())
    if can(current_user, Permission.MANAGE_SETTINGS):
        current = services()
        areas |= overview.settings_areas(
            db.session,
            company=current.company,
            tone_policy=current.tone_policy,
            workflow_policy=current.workflow_policy,
            library=_library_report(),
        )
    return render_template(
        "settings/admin_home.html",
        areas=areas,
        roles=list(Role),
        account_status_labels=listing.STATUS_LABELS,
        minutes=minutes_words,
    )


def minutes_words(seconds: float) -> str:
    """ "5 min", the number in the page's language."""
    return gettext("%(minutes)s min", minutes=format_decimal(seconds / 60))
