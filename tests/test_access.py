"""Every route declares who may use it, and each role gets exactly that.

The expected outcome of each (route, role) pair is computed from the permission table in
`app.accounts.permissions`, so a new route without a declared access fails here.
"""

from __future__ import annotations

import pytest
from flask import Flask

from app.accounts.models import Role
from app.accounts.permissions import GRANTS, Permission
from app.complaints import imports
from app.extensions import db
from app.web.access import ACCESS_ATTRIBUTE
from tests.fixtures.app import T0

ROLES = ["agent", "reviewer", "signoff", "admin", "norole"]
#: Framework routes that need no account: static files and the OpenAPI document.
FRAMEWORK_PUBLIC = {"static", "api-docs.openapi_json"}


def declared_access(app: Flask, endpoint: str):
    return getattr(app.view_functions[endpoint], ACCESS_ATTRIBUTE, None)


def test_every_route_declares_its_access(ctx):
    app = ctx
    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in FRAMEWORK_PUBLIC and declared_access(app, rule.endpoint) is None
    ]
    assert undeclared == []


@pytest.fixture
def sample_ids(app, users):
    from app.complaints import intake

    with app.app_context():
        channels = intake.load_channels(db.session)
        valid = intake.validate(
            intake.ComplaintInput(channel="x", text="Where is my parcel?"),
            channels,
            now=T0,
            max_chars=50_000,
        )
        complaint = intake.register(db.session, valid, actor=None, now=T0).complaint
        job = imports.create_job(
            db.session,
            payload=b"text,channel\nhello,x\n",
            filename="a.csv",
            fmt=None,
            encoding=None,
            default_channel=None,
            actor=None,
            limits=imports.ImportLimits(50_000, 10_000_000),
            now=T0,
        )
        from app.accounts.models import User
        from app.drafts import composer, operations
        from app.settings.company import CompanyDetails
        from app.tone.policy import TonePolicy

        agent = db.session.get(User, users["agent"].id)
        composition = composer.compose_for(
            complaint,
            library=app.extensions["composure.templates"],
            company=CompanyDetails(name="Northwind Home"),
            agent=agent,
            now=T0,
            timezone="UTC",
        )
        tone = composer.tone_setting(
            complaint,
            complaint.channel,
            policy=TonePolicy(),
            company=CompanyDetails(name="Northwind Home"),
        )
        draft = operations.start_draft(
            db.session, complaint, composition, tone=tone, actor=agent, now=T0
        ).draft
        db.session.commit()
        return {
            "complaint_id": complaint.id,
            "case_id": complaint.case_id,
            "draft_id": draft.id,
            "job_id": job.id,
            "user_id": users["norole"].id,
            "notification_id": 1,
            "change_id": 1,
            "action": "submit",
            "secret": "not-a-real-invitation",
            # Someone else's (or nobody's) token and session: revoking answers 404.
            "token_id": 999,
            "session_id": 999,
            # A bulk close to undo (there is none: 1 is the complaint's creation) and a
            # saved filter (none).
            "event_id": 1,
            "filter_id": 999,
            # A shipped template variant (Admin → Template library → Edit).
            "language": "pl",
            "part": "validate",
            "variant_id": "validate-pl-dzieki-zgloszenie",
            "market_key": "default",  # Admin → Markets (issue 19)
        }


def routes(app: Flask):
    """Every route with the method to try; signing out comes last, it ends the session."""
    rules = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint not in FRAMEWORK_PUBLIC),
        key=lambda rule: rule.endpoint == "auth.logout",
    )
    for rule in rules:
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        yield rule, method


def expected_allowed(access, role: str | None) -> bool:
    if access == "public":
        return True
    if role is None:
        return False
    if access == "login":
        return True
    permissions = access if isinstance(access, tuple) else (access,)
    return role != "norole" and any(Role(role) in GRANTS[p] for p in permissions)


@pytest.mark.parametrize("role", [*ROLES, None])
def test_each_role_reaches_what_it_should_and_gets_403_elsewhere(
    plain_app, users, sample_ids, role, token_for
):
    wrong = []
    client = plain_app.test_client()
    token = None
    if role is not None:
        client.post(
            "/login", data={"email": users[role].email, "password": "correct horse battery"}
        )
        token = token_for(role)
    for rule, method in routes(plain_app):
        headers = {}
        is_api = rule.rule.startswith("/api/")
        if is_api and token:
            headers["Authorization"] = f"Bearer {token}"
        url = rule.rule
        for name in rule.arguments:
            for form in (f"<int:{name}>", f"<string:{name}>", f"<{name}>"):
                url = url.replace(form, str(sample_ids[name]))
        kwargs = {"json": {}} if is_api and method == "POST" else {}
        response = client.open(url, method=method, headers=headers, **kwargs)
        access = declared_access(plain_app, rule.endpoint)
        allowed = expected_allowed(access, role)
        if allowed:
            ok = response.status_code not in (401, 403) and response.status_code < 500
            if rule.endpoint == "auth.login" and role is not None:
                ok = response.status_code == 302  # already signed in: sent on to the inbox
        elif role is None:
            ok = (
                response.status_code == 401
                if is_api
                else response.status_code == 302 and "/login" in response.location
            )
        else:
            ok = response.status_code == 403
        if not ok:
            wrong.append(f"{method} {url} as {role}: {response.status_code}")
    assert wrong == []


def test_role_table_reads_like_the_policy():
    assert GRANTS[Permission.MANAGE_USERS] == {Role.ADMIN}
    assert Role.REVIEWER not in GRANTS[Permission.CREATE_COMPLAINTS]
    assert Role.SIGNOFF not in GRANTS[Permission.IMPORT_COMPLAINTS]
    assert all(role in GRANTS[Permission.VIEW_COMPLAINTS] for role in Role)


def test_pages_show_no_links_a_role_cannot_use(client_for):
    page = client_for("reviewer").get("/inbox").get_data(as_text=True)
    assert "Paste a complaint" not in page
    assert "Import" not in page
    assert 'href="/admin"' not in page
    page = client_for("admin").get("/inbox").get_data(as_text=True)
    assert '<a href="/admin">Admin</a>' in page
    assert "Import" in page


def test_api_without_a_valid_token_gets_401_in_the_error_format(plain_app, users, token_for):
    client = plain_app.test_client()
    for headers in (
        {},
        {"Authorization": "Bearer cmp_not-a-token"},
        {"Authorization": "Basic YWdlbnQ6cGFzcw=="},
    ):
        response = client.get("/api/v1/complaints", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        body = response.get_json()
        assert body["error"]["code"] == "unauthorized"
        assert set(body["error"]) == {"code", "message", "fields"}
    # A browser session is not an API credential.
    client.post("/login", data={"email": users["agent"].email, "password": "correct horse battery"})
    assert client.get("/api/v1/complaints").status_code == 401


OUT_OF_RANGE = ["2147483648", "9999999999999999999999", "0", "-1", "1" + "0" * 400]


def id_arguments(rule) -> list[str]:
    from werkzeug.routing import IntegerConverter

    return [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_ids_out_of_range_are_404_on_every_route_and_method(plain_app, users, sample_ids):
    plain_app.config["PROPAGATE_EXCEPTIONS"] = False
    from tests.fixtures.app import T0 as now

    with plain_app.app_context():
        from app.accounts import operations
        from app.accounts.models import User

        _, secret = operations.create_api_token(
            db.session,
            user=db.session.get(User, users["admin"].id),
            name="walk",
            actor=None,
            now=now,
        )
        db.session.commit()
    client = plain_app.test_client()
    client.post("/login", data={"email": users["admin"].email, "password": "correct horse battery"})
    wrong = []
    for rule in plain_app.url_map.iter_rules():
        ids = id_arguments(rule)
        if not ids or rule.endpoint == "auth.logout":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for bad in OUT_OF_RANGE:
                url = rule.rule
                for name in rule.arguments:
                    value = bad if name in ids else str(sample_ids[name])
                    for form in (f"<int:{name}>", f"<string:{name}>", f"<{name}>"):
                        url = url.replace(form, value)
                headers = {"Authorization": f"Bearer {secret}"}
                response = client.open(url, method=method, headers=headers, json={})
                if response.status_code not in (404, 422):
                    wrong.append(f"{method} {url[:60]}: {response.status_code}")
    assert wrong == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("bad", [2147483648, 9999999999999999999999, 0, -5])
def test_ids_out_of_range_in_json_bodies_are_422(plain_app, token_for, bad):
    plain_app.config["PROPAGATE_EXCEPTIONS"] = False
    client = plain_app.test_client()
    headers = {"Authorization": f"Bearer {token_for('agent')}"}
    for path, payload in (
        ("/api/v1/drafts/compose", {"complaint_id": bad}),
        ("/api/v1/tone-check", {"text": "Sorry.", "channel": "x", "complaint_id": bad}),
    ):
        response = client.post(path, json=payload, headers=headers)
        assert response.status_code in (404, 422), (path, response.status_code)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("bad", ["2147483648", "9999999999999999999999"])
def test_ids_out_of_range_in_query_strings_find_nothing_rather_than_fail(
    plain_app, client_for, token_for, bad
):
    plain_app.config["PROPAGATE_EXCEPTIONS"] = False
    headers = {"Authorization": f"Bearer {token_for('agent')}"}
    api = plain_app.test_client().get(f"/api/v1/complaints?q=%23{bad}", headers=headers)
    assert api.status_code == 200
    assert api.get_json()["total"] == 0
    client = client_for("agent")
    assert client.get(f"/?q=%23{bad}").status_code == 200
    assert client.get(f"/?page={bad}").status_code in (200, 404)


def test_the_id_pattern_holds_exactly_one_to_the_maximum():
    import re

    from app.core.ids import MAX_ID
    from app.web.ids import up_to

    pattern = re.compile(up_to(MAX_ID))
    for good in (1, 9, 10, 999_999_999, 1_999_999_999, MAX_ID - 1, MAX_ID):
        assert pattern.fullmatch(str(good))
    for bad in ("0", "01", "-1", str(MAX_ID + 1), "2147483700", "3000000000", "1" * 11):
        assert not pattern.fullmatch(bad)
    small = re.compile(up_to(305))
    assert [n for n in range(400) if small.fullmatch(str(n))] == list(range(1, 306))
