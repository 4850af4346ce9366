"""The admin screens: the admin home with a live status per area, the template
library with its checks, the single "Admin" link in the top bar, users and roles with what
each role may do. People fill in the real forms (WebTest, CSRF on); time moves with the
frozen clock."""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from webtest import TestApp

from app.accounts.models import Role
from app.accounts.permissions import GRANTS, Permission
from app.accounts.views import PERMISSION_WORDS, role_duties
from app.channels import ChannelInfo, LengthCounting
from app.complaints.models import Market
from app.drafts.response_templates import PARTS, load_library
from app.extensions import db
from app.settings import template_checks
from app.settings.company import CompanyDetails
from app.settings.models import TemplateVersion
from app.tone import checker
from app.tone.policy import TonePolicy
from tests.fixtures.web import main_form, web_login

ROOT = Path(__file__).resolve().parents[1]
LIBRARY_DIR = ROOT / "response_templates"
ADMIN_PAGES = (
    "/admin/users",
    "/admin/users/invite",
    "/admin/settings/company",
    "/admin/settings/tone",
    "/admin/settings/workflow",
    "/admin/audit",
    "/admin/templates",
)
BLAMING = "Thanks for getting in touch, but you should have read the delivery terms first."


def words(page) -> str:
    """What a person reads: the text without tags, entities decoded, spaces collapsed."""
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))
    return re.sub(r" ([,.;:!?)])", r"\1", text)


def signed_in(app, users, role: str, number: int = 20) -> TestApp:
    web = TestApp(
        app, extra_environ={"HTTP_HOST": "composure.test", "REMOTE_ADDR": f"203.0.113.{number}"}
    )
    assert web_login(web, users[role].email).status_int == 302
    return web


@pytest.fixture
def admin(app, users) -> TestApp:
    return signed_in(app, users, "admin")


@pytest.fixture
def library_copy(app, tmp_path) -> Path:
    """A copy of the real library the app reads from now on (as a restart would)."""
    folder = tmp_path / "response_templates"
    shutil.copytree(LIBRARY_DIR, folder)
    app.config["RESPONSE_TEMPLATES_DIR"] = str(folder)
    return folder


def real_variant_ids(language: str = "en") -> list[str]:
    """The shipped variants of one language as the library page lists them: its four
    parts, then its holding reply to an attack."""
    library = load_library(LIBRARY_DIR)
    parts = [variant.id for part in PARTS for variant in library.for_part(language, part)]
    return [*parts, f"attack-{language}"]


def library_summary(extra: int = 0, warnings: int = 0) -> str:
    """The summary line over every shipped language, with `extra` variants added."""
    languages = load_library(LIBRARY_DIR).languages
    total = sum(len(real_variant_ids(language)) for language in languages) + extra
    line = f"{total} variants in {len(languages)} language{'s' if len(languages) > 1 else ''}"
    return f"{line}: {total - warnings} pass" + (f", {warnings} warning" if warnings else "")


def card(page, area: str):
    return page.html.find(id=f"area-{area}")


def card_text(page, area: str) -> str:
    return " ".join(card(page, area).get_text(" ").split())


def nav_links(page) -> list:
    return page.html.find("nav", attrs={"aria-label": "Main"}).find_all("a")


# --- the admin home ------------------------------------------------------------------------


def test_admin_home_shows_each_area_with_where_it_stands(admin):
    page = admin.get("/admin")
    assert page.html.h1.get_text() == "Admin"
    links = {a.get_text(): a["href"] for a in page.html.select(".admin-cards h2 a")}
    assert links == {
        "Users and roles": "/admin/users",
        "Company details": "/admin/settings/company",
        "Markets": "/admin/markets",
        "Tone policy": "/admin/settings/tone",
        "Workflow policy": "/admin/settings/workflow",
        "Template library": "/admin/templates",
        "Audit log": "/admin/audit",
    }
    # The five people of the fixture, one role each (and one with none).
    assert "5 people: 5 active, 0 invited, 0 deactivated" in card_text(page, "users")
    rows = {
        row.th.get_text(): [cell.get_text() for cell in row.find_all("td")]
        for row in card(page, "users").select("tbody tr")
    }
    assert rows["Agent"] == ["1", "0", "0"]
    assert rows["Admin"] == ["1", "0", "0"]
    # The configured defaults leave the phone, e-mail and help link empty.
    company = card_text(page, "company")
    assert "Incomplete" in company
    assert "phone number, customer care e-mail, help page link" in company
    assert "The default severities" in card_text(page, "tone")
    workflow = card_text(page, "workflow")
    assert "Cooling-off 10 min" in workflow
    assert "X (Twitter): 1 hour" in workflow
    assert "E-mail: 24 hours" in workflow
    assert library_summary() in card_text(page, "library")
    assert re.search(r"\d+ events; the latest 23 Nov 2026", card_text(page, "audit"))


def test_admin_home_follows_what_admins_change(app, users, admin, clock):
    company = main_form(admin.get("/admin/settings/company"))
    company["phone"] = "0808 157 0192"
    company["email"] = "care@northwind.example"
    company["faq_url"] = "https://help.northwind.example/faq"
    company.submit().follow()
    tone = main_form(admin.get("/admin/settings/tone"))
    tone["severity.shouting"] = "block"
    tone.submit().follow()
    invite = main_form(admin.get("/admin/users/invite"))
    invite["email"] = "lee@example.com"
    invite["name"] = "Lee Newcomer"
    invite["roles"] = ["reviewer"]
    invite.submit()

    page = admin.get("/admin")
    assert "Complete" in card_text(page, "company")
    assert "1 change from the defaults: Shouting: block" in card_text(page, "tone")
    # The audit log says what each settings change was, old → new.
    audit = admin.get("/admin/audit?action=settings.").text
    assert "updated the tone policy: Shouting: warn → block" in audit
    assert "updated the company details: Phone number: not set → 0808 157 0192; " in audit
    assert "6 people: 5 active, 1 invited, 0 deactivated" in card_text(page, "users")
    reviewer = next(
        row for row in card(page, "users").select("tbody tr") if row.th.get_text() == "Reviewer"
    )
    assert [cell.get_text() for cell in reviewer.find_all("td")] == ["1", "1", "0"]

    clock.advance(days=8)  # the invitation link has expired
    page = admin.get("/admin")
    assert "1 with an expired invitation" in card_text(page, "users")


@pytest.mark.parametrize("role", ["agent", "reviewer", "signoff", "norole"])
def test_only_admins_get_the_admin_home(client_for, role):
    assert client_for(role).get("/admin").status_code == 403
    assert client_for(role).get("/admin/templates").status_code == 403


def test_signed_out_people_are_sent_to_sign_in(app):
    response = app.test_client().get("/admin")
    assert response.status_code == 302
    assert "/login" in response.location


# --- the top bar -----------------------------------------------------------------------------


def test_the_top_bar_has_one_admin_link_for_admins_and_none_for_others(app, users, admin):
    page = admin.get("/inbox")
    texts = [" ".join(a.get_text(" ").split()) for a in nav_links(page)]
    assert texts.count("Admin") == 1
    assert texts[:3] == ["Inbox", "Dashboard", "Paste a complaint"]
    for gone in ("Users", "Company details", "Tone policy", "Workflow policy", "Audit log"):
        assert gone not in texts
    assert "Notifications" in texts
    admin_link = next(a for a in nav_links(page) if a.get_text() == "Admin")
    assert admin_link["href"] == "/admin"
    assert not admin_link.has_attr("aria-current")  # on the inbox, the inbox is current
    assert next(a for a in nav_links(page) if a.get_text() == "Inbox")["aria-current"] == "page"
    assert page.html.find("a", class_="skip")["href"] == "#main"
    assert page.html.find("form", class_="signout")
    for number, role in enumerate(("agent", "reviewer", "signoff"), start=30):
        other = signed_in(app, users, role, number).get("/inbox")
        assert "Admin" not in [a.get_text() for a in nav_links(other)]


def test_every_admin_page_marks_admin_current_and_leads_back_to_admin(admin):
    for path in ("/admin", *ADMIN_PAGES, "/admin/users/1"):
        page = admin.get(path)
        current = [a for a in nav_links(page) if a.has_attr("aria-current")]
        assert [a.get_text() for a in current] == ["Admin"], path
        assert current[0]["aria-current"] == "page"
        if path != "/admin":
            crumbs = page.html.find("nav", attrs={"aria-label": "Breadcrumb"})
            assert crumbs.a["href"] == "/admin", path
            assert " ".join(crumbs.get_text(" ").split()).startswith("Admin ›"), path
        # Headings in order: one h1, and no level skipped after it.
        levels = [int(tag.name[1]) for tag in page.html.find_all(re.compile(r"^h[1-6]$"))]
        assert levels.count(1) == 1, path
        assert levels[0] == 1, path
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), path


# --- the template library ---------------------------------------------------------------------


def test_the_library_lists_every_real_variant_with_its_summary(admin):
    """One language at a time (English first); the summary counts them all."""
    page = admin.get("/admin/templates")
    text = words(page)
    assert library_summary() in text
    shown = [tag.get_text() for tag in page.html.select(".variant h3 code")]
    assert shown == real_variant_ids("en")
    # One variant read closely: its placeholders marked, its conditions and checks said.
    first = page.html.find(id="variant-direction-private-order-ref").find_parent("li")
    assert [ph.get_text() for ph in first.select(".ph")] == ["{order_ref}"]
    facts = " ".join(first.get_text(" ").split())
    assert "Private channels only" in facts
    assert "Never when the flag is Harassment" in facts
    assert "Tone check Passes" in facts
    assert "Placeholders All known" in facts
    assert "response_templates/en/direction.yaml:" in facts
    edit = first.find("a", string="Edit")  # admins only: the guard in template_versions
    assert edit["href"] == "/admin/templates/en/direction/direction-private-order-ref"
    headings = [" ".join(h2.get_text(" ").split()) for h2 in page.html.find_all("h2")]
    for section in template_checks.SECTION_LABELS.values():
        assert any(heading.startswith(section) for heading in headings), section
    assert "Topics" in text
    assert "the problem with your bill" in text


def test_the_library_lists_each_language_and_all_of_them_on_request(app, admin):
    languages = load_library(LIBRARY_DIR).languages
    assert len(languages) > 1
    page = admin.get("/admin/templates")
    options = [option.get_text() for option in page.html.select("#language option")]
    assert options[-1] == "All languages"
    assert len(options) == len(languages) + 1
    for language in languages:
        page = admin.get("/admin/templates", {"language": language})
        shown = [tag.get_text() for tag in page.html.select(".variant h3 code")]
        assert shown == real_variant_ids(language), language
        assert main_form(page)["language"].value == language  # the choice stays chosen
    page = admin.get("/admin/templates", {"language": "all"})
    shown = [tag.get_text() for tag in page.html.select(".variant h3 code")]
    assert shown == [i for language in languages for i in real_variant_ids(language)]
    # The sample values follow the language: its follow-up day is in its own words; a
    # variant with a market's own version says so, and the markets can be chosen.
    with app.app_context():
        db.session.add(Market(key="lv", name="Latvia", position=1))
        db.session.add(
            TemplateVersion(language="lv", part="validate", variant_id="validate-lv-thanks-flag",
                            market="lv", number=1, source="", retired=True, note="",
                            created_at=datetime(2026, 12, 7, tzinfo=UTC))
        )  # fmt: skip
        db.session.commit()
    page = admin.get("/admin/templates", {"language": "lv"})
    latvian = words(page)
    assert re.search(r"\{follow_up_when\} (rīt|līdz \w+)", latvian)
    card = page.html.select_one("#variant-validate-lv-thanks-flag").find_parent("li")
    assert " ".join(card.select_one(".market-versions").get_text().split()) == (
        "Markets with their own version: Latvia"
    )
    assert [o.get_text() for o in page.html.select("#market option")][0] == "All markets"


def test_the_library_filter_shows_one_part_and_one_status(admin):
    page = admin.get("/admin/templates")
    form = main_form(page)
    assert form.method.lower() == "get"
    for name in ("part", "status"):
        assert page.html.find("label", attrs={"for": name})
    form["part"] = "direction"
    form["status"] = "pass"
    page = form.submit()
    shown = [tag.get_text() for tag in page.html.select(".variant h3 code")]
    direction = [v.id for v in load_library(LIBRARY_DIR).for_part("en", "direction")]
    assert shown == direction
    assert f"Showing {len(direction)} of" in words(page)
    assert main_form(page)["part"].value == "direction"  # the filter stays chosen
    page = admin.get("/admin/templates", {"part": "validate", "status": "fail"})
    assert page.html.select(".variant") == []
    assert "No variant matches" in words(page)


def test_a_broken_library_on_disk_shows_its_file_and_line_not_a_500(admin, library_copy):
    target = library_copy / "en" / "validate.yaml"
    lines = target.read_text(encoding="utf-8").splitlines()
    lines.insert(7, "  - id: [unclosed")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")

    page = admin.get("/admin/templates")
    assert page.status_int == 200
    alert = page.html.find(attrs={"role": "alert"})
    text = " ".join(alert.get_text(" ").split())
    assert re.search(r"response_templates/en/validate\.yaml:\d+", text)
    assert "not valid YAML" in text
    assert "keeps using the library it loaded at start-up" in text
    assert page.html.select(".variant") == []
    home = admin.get("/admin")
    assert "Does not load" in card_text(home, "library")


def test_a_blaming_variant_fails_the_tone_check(admin, library_copy):
    target = library_copy / "en" / "validate.yaml"
    target.write_text(
        target.read_text(encoding="utf-8") + f'\n  - id: validate-blaming\n    text: "{BLAMING}"\n',
        encoding="utf-8",
    )
    page = admin.get("/admin/templates")
    assert library_summary(extra=1, warnings=1) in words(page)
    blaming = page.html.find(id="variant-validate-blaming").find_parent("li")
    facts = " ".join(blaming.get_text(" ").split())
    assert "Warning" in facts
    assert "Tone check Fails" in facts
    assert "Blames the customer" in facts
    assert "you should have" in facts
    # The files now differ from what the app loaded at start-up: said, not hidden.
    assert "changed since the app started" in words(page)
    page = admin.get("/admin/templates", {"status": "warning"})
    assert [tag.get_text() for tag in page.html.select(".variant h3 code")] == ["validate-blaming"]


def test_library_checks_without_flask(tmp_path):
    """Length is information only; placeholders are marked; the company's own details
    fill the samples and are not mistaken for personal data."""
    checker.forget_reports()
    folder = tmp_path / "response_templates"
    shutil.copytree(LIBRARY_DIR, folder)
    target = folder / "en" / "close_loop.yaml"
    long_text = "We'll check every step of this with the team. " * 8 + "– {agent_name}"
    target.write_text(
        target.read_text(encoding="utf-8")
        + f'\n  - id: close-loop-very-long\n    text: "{long_text.strip()}"\n',
        encoding="utf-8",
    )
    x = ChannelInfo("x", "X (Twitter)", True, 280, True, LengthCounting.X_WEIGHTED)
    dm = ChannelInfo("dm", "Direct message", False, 10_000, False)
    report = template_checks.check_library(
        folder,
        channels=[dm, x],
        policy=TonePolicy(),
        company=CompanyDetails(name="Northwind Home", phone="0808 157 0192"),
        now=datetime(2026, 11, 23, 9, tzinfo=UTC),
        timezone="UTC",
    )
    long_one = next(v for v in report.variants if v.id == "close-loop-very-long")
    assert long_one.fits is False
    assert long_one.limit == 280
    assert long_one.status == template_checks.PASS
    assert report.too_long == 1
    assert report.shortest_public == x
    assert report.samples["en"]["company_phone"] == "0808 157 0192"
    assert report.sampled_company == ("customer care e-mail", "help page link")
    phone = next(v for v in report.variants if "{company_phone}" in v.text)
    assert phone.tone_passes, phone.issues
    assert [piece.name for piece in template_checks.segments("Hi {handle}, {nope}!")] == [
        None,
        "handle",
        None,
        "nope",
        None,
    ]
    assert not template_checks.segments("{nope}")[0].known
    # A second visit answers every variant from the library's remembered reports, the
    # same as the first; a changed policy is another key, checked afresh.
    remembered = len(checker.LIBRARY)
    assert remembered >= len(report.variants) - 6  # a holding reply may share a variant's text
    again_at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    again = template_checks.check_library(
        folder,
        channels=[dm, x],
        policy=TonePolicy(),
        company=CompanyDetails(name="Northwind Home", phone="0808 157 0192"),
        now=again_at,
        timezone="UTC",
    )
    assert len(checker.LIBRARY) == remembered
    assert [v.issues for v in again.variants] == [v.issues for v in report.variants]
    strict = replace(TonePolicy(), readability_min=100.0)
    template_checks.check_library(
        folder,
        channels=[dm, x],
        policy=strict,
        company=CompanyDetails(),
        now=again_at,
        timezone="UTC",
    )
    assert len(checker.LIBRARY) > remembered


# --- users and roles ---------------------------------------------------------------------------


def test_the_roles_explanation_says_what_each_role_may_do(admin):
    duties = role_duties()
    for role in Role:
        granted = [p for p in Permission if role in GRANTS[p]]
        for permission in granted:
            assert PERMISSION_WORDS[permission] in duties[role]
        for permission in set(Permission) - set(granted):
            assert PERMISSION_WORDS[permission] not in duties[role]
    assert "write replies" in duties[Role.AGENT]
    assert "write replies" not in duties[Role.REVIEWER]
    assert "sign off sensitive replies" in duties[Role.SIGNOFF]

    for path in ("/admin/users/invite", "/admin/users/1"):
        page = admin.get(path)
        group = page.html.find("fieldset", class_="roles")
        assert group.legend.get_text() == "Roles"
        for box in group.find_all("input", attrs={"type": "checkbox"}):
            label = group.find("label", attrs={"for": box["id"]})
            explained = group.find(id=box["aria-describedby"])
            assert explained.get_text() == duties[Role(box["value"])], label
    page = admin.get("/admin/users")
    guide = " ".join(page.html.find(class_="role-guide").get_text(" ").split())
    for role in Role:
        assert duties[role] in guide


def test_the_users_page_says_who_is_active_invited_or_deactivated(admin, users):
    invite = main_form(admin.get("/admin/users/invite"))
    invite["email"] = "kim@example.com"
    invite["name"] = "Kim Invited"
    invite["roles"] = ["agent", "reviewer"]
    invited = invite.submit()
    assert "Invitation for Kim Invited" in words(invited)
    page = admin.get("/admin/users")
    deactivate = next(
        form
        for form in page.forms.values()
        if (form.action or "").endswith(f"/admin/users/{users['agent'].id}/deactivate")
    )
    page = deactivate.submit().follow()
    rows = {
        row.th.get_text(): " ".join(row.get_text(" ").split())
        for row in page.html.select("table.people tbody tr")
    }
    status = {
        row.th.get_text(): row.select_one("td.status .badge").get_text()
        for row in page.html.select("table.people tbody tr")
    }
    assert status == {
        "Ada Admin": "Active",
        "Alex Agent": "Deactivated",
        "Kim Invited": "Invited",
        "Nora Norole": "Active",
        "Riya Reviewer": "Active",
        "Sam Signoff": "Active",
    }
    assert "link valid until 30 Nov 2026" in rows["Kim Invited"]
    assert "Last sign-in: never" in rows["Kim Invited"]
    assert "Reactivate Alex Agent" in rows["Alex Agent"]
    assert "23 Nov 2026, 09:00" in rows["Ada Admin"]
    assert "6 people: 4 active, 1 invited, 1 deactivated" in words(page)


def test_every_control_on_admin_pages_has_a_label_and_ids_are_unique(admin):
    for path in ("/admin", *ADMIN_PAGES, "/admin/users/1"):
        page = admin.get(path)
        main = page.html.find("main")
        for control in main.find_all(["input", "select", "textarea"]):
            if control.get("type") in ("hidden", "submit"):
                continue
            labelled = (
                main.find("label", attrs={"for": control.get("id")})
                or control.find_parent("label")
                or control.get("aria-label")
            )
            assert labelled, f"{path}: {control}"
        ids = [tag["id"] for tag in page.html.find_all(id=True)]
        assert len(ids) == len(set(ids)), f"{path}: duplicate ids"
