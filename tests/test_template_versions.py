"""The template library edited in the app (issue 19): versions of a variant stored over the
files, checked like the files (with the line of the typed text at fault), going back to an
earlier version, the guard, the library in force refreshed after a save, a market's own
version over the every-market one, and the migration on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.analysis import analyze
from app.audit.history import describe
from app.audit.models import AuditEvent
from app.complaints.models import Channel, Market
from app.core.errors import Refused
from app.drafts.response_templates import Variant
from app.extensions import db
from app.services import Services
from app.settings import template_checks, template_versions
from app.settings.template_versions import TemplateRefused
from app.tone.policy import TonePolicy
from tests.fixtures.app import T0
from tests.fixtures.templates import X
from tests.fixtures.users import get_user
from tests.fixtures.web import web_login, words

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
VARIANT = "validate-pl-dzieki-zgloszenie"


def checker(services: Services) -> template_versions.Checker:
    return lambda variant, library: template_checks.check_variant(
        variant,
        library=library,
        channels=[X],
        policy=TonePolicy(),
        company=services.company,
        now=T0,
        timezone="Europe/Warsaw",
    )


def refusal(source: str, library, check) -> tuple[str, ...]:
    with pytest.raises(TemplateRefused) as refused:
        template_versions.check(
            source,
            language="pl",
            part="validate",
            variant_id=VARIANT,
            library=library,
            checker=check,
        )
    return refused.value.problems


def test_versions_over_the_files_checked_by_line_and_going_back(ctx, users):
    admin = get_user(users["admin"])
    services = Services.of(ctx, db.session)
    files, check = services.library, checker(services)
    assert files is services.templates.files  # nothing saved: the files are in force
    shipped = files.by_id[VARIANT].text

    # What a refusal says: the line of the typed text, and what is known.
    typed = (
        f"id: {VARIANT}\ntext: >\n  Dziękujemy za zgłoszenie {{topic}}.\n  Numer: {{order_nr}}.\n"
    )
    (problem,) = refusal(typed, files, check)
    assert problem.startswith("line 4: unknown placeholder {order_nr}; known: {customer_name}")
    assert refusal("id: [unclosed\n", files, check)[0].startswith("line 2: not valid YAML")
    assert "text" in refusal(f"id: {VARIANT}\n", files, check)[0]
    assert refusal("id: validate-pl-other\ntext: Dziękujemy.\n", files, check)[0] == (
        f"line 1: the id stays {VARIANT}; add a new variant instead"
    )
    (tone,) = refusal(f"id: {VARIANT}\ntext: To Twoja wina, idioto.\n", files, check)[:1]
    assert tone.startswith("line 2: ")

    # Saved: a version over the file, in force from the next library read on, audited.
    source = f"id: {VARIANT}\ntext: Dziękujemy bardzo za zgłoszenie {{topic}}.\n"
    saved = template_versions.save(
        db.session,
        source,
        language="pl",
        part="validate",
        variant_id=VARIANT,
        note="krócej",
        library=files,
        checker=check,
        actor=admin,
        now=T0,
    )
    db.session.commit()
    assert saved.version.number == 1
    assert saved.check.tone_passes
    in_force = Services.of(ctx, db.session).library
    assert in_force.by_id[VARIANT].text == "Dziękujemy bardzo za zgłoszenie {topic}."
    assert in_force.for_part("pl", "validate")[0].id == VARIANT  # in the file's place
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "settings.template_saved"
    assert (event.details["old"], event.details["new"]) == (shipped, in_force.by_id[VARIANT].text)
    said = describe(event, "Ada Admin")
    assert said.startswith(f"Ada Admin saved version 1 of the template {VARIANT}: {VARIANT}: “")

    # Two admins saving at once: both read "version 1 is next"; the second is told, not a 500.
    def at_once(*_args, **_kwargs):
        return template_versions.save(
            db.session,
            source.replace("bardzo", "serdecznie"),
            language="pl",
            part="validate",
            variant_id=VARIANT,
            note="",
            library=files,
            checker=check,
            actor=admin,
            now=T0,
        )

    real_scalar = db.session.scalar
    db.session.scalar = lambda statement, *a, **k: (
        None
        if "max(template_versions.number)" in str(statement)
        else real_scalar(statement, *a, **k)
    )
    try:
        with pytest.raises(TemplateRefused, match="Someone saved a version of this variant"):
            at_once()
    finally:
        db.session.scalar = real_scalar
    db.session.rollback()
    assert Services.of(ctx, db.session).library.by_id[VARIANT].text == in_force.by_id[VARIANT].text
    assert said.endswith("→ “Dziękujemy bardzo za zgłoszenie {topic}.”")

    # Retired, then back to version 1 (a new version 3 equal to it), then to the file's.
    template_versions.retire(db.session, VARIANT, note="", library=in_force, actor=admin, now=T0)
    db.session.commit()
    retired = Services.of(ctx, db.session).library
    assert VARIANT not in retired.by_id
    assert [v.variant_id for v in template_versions.retired(db.session)] == [VARIANT]
    back = template_versions.restore(
        db.session, VARIANT, 1, files=files, library=retired, checker=check, actor=admin, now=T0
    )
    db.session.commit()
    assert back.version.number == 3
    assert back.version.source == saved.version.source
    assert Services.of(ctx, db.session).library.by_id[VARIANT].text.startswith("Dziękujemy bardzo")
    template_versions.restore(
        db.session, VARIANT, 0, files=files, library=retired, checker=check, actor=admin, now=T0
    )
    db.session.commit()
    assert Services.of(ctx, db.session).library.by_id[VARIANT].text == shipped
    numbers = [v.number for v in template_versions.versions_of(db.session, VARIANT)]
    assert numbers == [4, 3, 2, 1]


def test_only_admins_edit_the_library_and_the_guard_says_why(ctx, users):
    assert template_versions.edit_refusal(get_user(users["admin"])) is None
    for role in ("agent", "reviewer"):
        refusal_ = template_versions.edit_refusal(get_user(users[role]))
        assert refusal_.code == "forbidden"
        assert "Only admins" in str(refusal_)
    services = Services.of(ctx, db.session)
    with pytest.raises(Refused):
        template_versions.retire(
            db.session,
            VARIANT,
            note="",
            library=services.library,
            actor=get_user(users["agent"]),
            now=T0,
        )


def test_a_new_variant_and_what_a_library_keeps(ctx, users):
    services = Services.of(ctx, db.session)
    library, admin = services.library, get_user(users["admin"])
    saved = template_versions.save(
        db.session,
        "id: validate-pl-nowy\ntext: Dziękujemy za wiadomość.\n",
        language="pl",
        part="validate",
        variant_id=None,
        note="",
        library=library,
        checker=checker(services),
        actor=admin,
        now=T0,
    )
    assert saved.version.variant_id == "validate-pl-nowy"
    used = refusal("id: validate-pl-nowy\ntext: Nowy.\n", library, checker(services))
    assert "line 1: the id stays" in used[0]
    offline = [v.id for v in library.for_part("pl", "direction") if v.offline]
    for variant_id in offline[:-1]:
        template_versions.retire(
            db.session, variant_id, note="", library=library, actor=admin, now=T0
        )
        db.session.flush()
        library = template_versions.combine(
            services.templates.files, template_versions.in_force(db.session)
        )
    with pytest.raises(Refused, match="offline"):
        template_versions.retire(
            db.session, offline[-1], note="", library=library, actor=admin, now=T0
        )
    assert isinstance(library.by_id["validate-pl-nowy"], Variant)


@BOTH
def test_migration_0018_down_and_up(ctx):
    db.session.remove()
    downgrade(revision="0017")
    assert "template_versions" not in sa.inspect(db.engine).get_table_names()
    upgrade()
    assert "template_versions" in sa.inspect(db.engine).get_table_names()
    db.session.execute(
        sa.text(
            "INSERT INTO template_versions (language, part, variant_id, number, source, retired,"
            " note, created_at) VALUES ('pl', 'validate', 'v', 1, '', false, '', :at)"
        ),
        {"at": T0},
    )
    with pytest.raises(sa.exc.IntegrityError):  # one version 1 per variant
        db.session.execute(
            sa.text(
                "INSERT INTO template_versions (language, part, variant_id, number, source,"
                " retired, note, created_at) VALUES ('pl', 'validate', 'v', 1, '', false, '', :at)"
            ),
            {"at": T0},
        )
    db.session.rollback()


LATVIAN = "Sveiki! Mans pasūtījums nav atnācis jau trīs nedēļas, un neviens neatbild."


def edit_form(web, variant_id: str, market: str, text: str):
    """The edit page's form with `text` typed in place of the variant's (its conditions
    kept, so the builder still picks it)."""
    page = web.get(f"/admin/templates/lv/validate/{variant_id}", {"market": market})
    form = next(form for form in page.forms.values() if "source" in form.fields)
    lines = form["source"].value.splitlines()
    form["source"] = "\n".join(
        f'text: "{text}"' if line.startswith("text:") else line for line in lines
    )
    return form


def latvian_draft(app, channel: str):
    """The first draft the app builds now for a Latvian complaint on `channel`."""
    with app.app_context():
        return Services.of(app, db.session).compose_text(
            LATVIAN,
            analyze(LATVIAN),
            db.session.get(Channel, channel),
            agent=None,
            customer_name="Jānis",
            handle="@janis",
        )


def test_a_market_has_its_own_version_over_the_every_market_one(app, users, web):
    """Latvia's version of a variant for complaints on Latvia's channels; the default
    market's keep the every-market one (the fallback, as the files are for it)."""
    with app.app_context():
        db.session.add(Market(key="lv", name="Latvia", phone="+371 6700 0000", position=1))
        db.session.get(Channel, "email").market_key = "lv"  # dm stays in the default market
        db.session.commit()
    variant_id = latvian_draft(app, "email").parts["validate"].variant_id
    assert latvian_draft(app, "dm").parts["validate"].variant_id == variant_id
    web_login(web, users["admin"].email)

    def save(market: str, text: str) -> str:
        form = edit_form(web, variant_id, market, text)
        return words(form.submit("action", value="save").follow())

    save("", "Paldies, ka rakstījāt mums par {topic}.")  # every market
    assert "Paldies, ka rakstījāt mums" in latvian_draft(app, "email").text  # Latvia falls back
    page = save("lv", "Paldies par ziņu! Zvaniet mums: {company_phone}.")
    assert "the version of one market only: Latvia" in page
    assert "Paldies par ziņu! Zvaniet mums: +371 6700 0000." in latvian_draft(app, "email").text
    default = latvian_draft(app, "dm").text
    assert "Paldies, ka rakstījāt mums" in default
    assert "+371" not in default

    # The preview fills in the market's phone (tests/test_admin_screens.py: the library page
    # names the variants with a market's own version).
    form = edit_form(web, variant_id, "lv", "Zvaniet {company_phone}.")
    assert "Zvaniet +371 6700 0000." in words(form.submit("action", value="preview"))
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.details["market"], event.details["number"]) == ("lv", 2)
        assert f"{variant_id} for the market Latvia (lv): “Paldies, ka" in describe(event, "Ada")
