"""Command-line tools and demo data."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import ApiToken, Role
from app.complaints.models import Complaint
from app.core import datafile
from app.demo import COMPLAINTS_FILE
from app.drafts.models import Draft
from app.extensions import db
from tests.fixtures.app import run


def test_users_create_and_tokens_create(app):
    result = run(
        app,
        "users",
        "create",
        "--email",
        "Lee@Example.com",
        "--name",
        "Lee",
        "--role",
        "agent",
        "--role",
        "reviewer",
        "--password",
        "a fine password",
    )
    assert result.exit_code == 0, result.output
    assert "Created lee@example.com (agent, reviewer)." in result.output
    again = run(
        app,
        "users",
        "create",
        "--email",
        "lee@example.com",
        "--name",
        "Lee",
        "--role",
        "agent",
        "--password",
        "a fine password",
    )
    assert again.exit_code != 0
    assert "already exists" in again.output

    result = run(app, "tokens", "create", "--email", "lee@example.com")
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("cmp_")
    response = app.test_client().get(
        "/api/v1/complaints", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert run(app, "tokens", "create", "--email", "nobody@example.com").exit_code != 0


def test_demo_data_covers_every_channel_and_role_and_can_be_loaded_twice(app):
    # The live demo alone; its past fortnight is tested in tests/test_dashboard.py.
    result = run(app, "demo", "--no-history")
    assert result.exit_code == 0, result.output
    for email in (
        "agent@example.com",
        "reviewer@example.com",
        "signoff@example.com",
        "admin@example.com",
    ):
        assert email in result.output
    items = datafile.rows(COMPLAINTS_FILE)
    assert f"Demo complaints: {len(items)} added" in result.output
    assert len(items) >= 30
    assert "3 demo replies started" in result.output
    assert "0 added" in run(app, "demo", "--no-history").output
    with app.app_context():
        states = sorted(state.value for state in db.session.scalars(sa.select(Draft.state)))
        assert states == ["approved", "cooling_off", "draft"]  # one for each role to act on

        channels = set(db.session.scalars(sa.select(Complaint.channel_key).distinct()))
    assert channels == {"x", "facebook", "instagram", "review", "dm", "email"}
    expected = [item["expected"] for item in items]
    assert {e["complainer_type"] for e in expected} == {"aggressive", "passive", "constructive"}
    flags = {flag for e in expected for flag in e["flags"]}
    assert flags == {
        "billing",
        "account",
        "personal_data",
        "legal_threat",
        "safety",
        "media",
        "discrimination",
        "staff",
        "harassment",
    }
    app.config["WTF_CSRF_ENABLED"] = False
    login = app.test_client().post(
        "/login", data={"email": "agent@example.com", "password": "agent-demo-1"}
    )
    assert login.status_code == 302


def test_audit_verify_reports_an_intact_chain(app):
    # The demo history's chain is verified in test_dashboard.py.
    run(app, "demo", "--no-history")
    result = run(app, "audit", "verify")
    assert result.exit_code == 0
    assert "Audit chain intact" in result.output


def test_queued_imports_run_from_the_cli(app, tmp_path):
    from app.complaints import imports

    with app.app_context():
        imports.create_job(
            db.session,
            payload=b"text,channel\nqueued one,x\n",
            filename="q.csv",
            fmt=None,
            encoding=None,
            default_channel=None,
            actor=None,
            limits=imports.ImportLimits(1000, 10_000),
            now=app.extensions["composure.clock"].now(),
        )
        db.session.commit()
    result = run(app, "imports", "run")
    assert "imported:             1" in result.output
    assert "No queued imports." in run(app, "imports", "run").output


def test_complaints_analyze_fills_in_what_was_never_analysed(app):
    run(app, "demo", "--no-history")
    with app.app_context():
        db.session.execute(
            sa.update(Complaint).values(analyzed_at=None, flags=[], complainer_type=None)
        )
        db.session.commit()
    result = run(app, "complaints", "analyze")
    assert result.exit_code == 0, result.output
    demo = len(datafile.rows(COMPLAINTS_FILE))
    assert f"Analysed {demo} complaints." in result.output
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(Complaint.analyzed_at.is_(None)))
            == 0
        )
        assert db.session.scalar(
            sa.select(sa.func.count()).where(Complaint.complainer_type == "aggressive")
        )
    assert "Analysed 0 complaints." in run(app, "complaints", "analyze").output
    assert f"Analysed {demo} complaints." in run(app, "complaints", "analyze", "--all").output


def test_tokens_have_a_scope_and_an_expiry_and_are_listed_and_revoked(app):
    from tests.fixtures.users import make_user

    make_user(app, "lee@example.com", Role.AGENT)
    created = run(
        app,
        "tokens",
        "create",
        "--email",
        "lee@example.com",
        "--name",
        "ci",
        "--scope",
        "read",
        "--expires-days",
        "30",
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    client = app.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/complaints", headers=auth).status_code == 200
    assert client.post("/api/v1/complaints", json={}, headers=auth).status_code == 403
    too_long = run(app, "tokens", "create", "--email", "lee@example.com", "--expires-days", "400")
    assert too_long.exit_code != 0

    listed = run(app, "tokens", "list", "--email", "lee@example.com")
    assert listed.exit_code == 0, listed.output
    assert "ci" in listed.output
    assert secret[:12] in listed.output
    assert "read" in listed.output
    assert "2026-12-23" in listed.output  # expires 30 days after the frozen clock
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    revoked = run(app, "tokens", "revoke", "--id", str(token_id))
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/complaints", headers=auth).status_code == 401
    assert "revoked" in run(app, "tokens", "list", "--email", "lee@example.com").output


def test_users_reset_link_prints_a_one_time_link(app):
    from tests.fixtures.users import make_user

    make_user(app, "lee@example.com", Role.AGENT)
    result = run(app, "users", "reset-link", "--email", "lee@example.com")
    assert result.exit_code == 0, result.output
    link = result.stdout.strip().splitlines()[-1]
    assert "/reset/" in link
    assert app.test_client().get(link.replace("http://composure.test", "")).status_code == 200
    assert run(app, "users", "reset-link", "--email", "nobody@example.com").exit_code != 0
