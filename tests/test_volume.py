"""The inbox at scale (issue 18, "Volume"): acting on every complaint a filter matches in
one request, assigning to a named colleague, tags, saved filters, and a word search that
finds re-ordered and inflected words on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.accounts.models import Role, User
from app.audit.history import describe
from app.audit.models import AuditEvent
from app.complaints import assignment, bulk, inbox
from app.complaints.models import Complaint, ComplaintStatus, ComplaintTag, SavedFilter
from app.core.states import IllegalMove
from app.extensions import db
from app.notifications.models import Notification
from tests.fixtures.app import T0
from tests.fixtures.users import make_user
from tests.fixtures.web import form_with, web_login, words

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def insert(app, texts: list[str], *, kind: str = "complaint", start: int = 0) -> list[int]:
    """Complaints inserted set-based (one executemany, no analysis): fast at thousands."""
    rows = [
        {
            "channel_key": "x",
            "dedupe_key": f"volume:{kind}:{start + n}",
            "source": "twcs",
            "text": text,
            "author_handle": f"@user{start + n}",
            "received_at": T0 - timedelta(minutes=30),
            "response_due_at": T0 + timedelta(minutes=30 + n % 50),
            "status": ComplaintStatus.NEW,
            "flags": [],
            "entities": [],
            "evidence": {},
            "kind": kind,
            "created_at": T0,
        }
        for n, text in enumerate(texts)
    ]
    with app.app_context():
        db.session.execute(sa.insert(Complaint), rows)
        db.session.commit()
        keys = [row["dedupe_key"] for row in rows]
        return list(
            db.session.scalars(
                sa.select(Complaint.id).where(Complaint.dedupe_key.in_(keys)).order_by(Complaint.id)
            )
        )


def browser(app, email: str, number: int):
    from webtest import TestApp

    web = TestApp(
        app, extra_environ={"HTTP_HOST": "composure.test", "REMOTE_ADDR": f"198.51.100.{number}"}
    )
    assert web_login(web, email).status_int == 302
    return web


def open_count(app) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count(Complaint.id)).where(Complaint.is_open.is_(True))
        )


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return found


def test_bulk_close_of_2222_non_complaints_in_one_request_audited_once_with_undo(app, users):
    questions = insert(app, [f"do you ship to Riga? ({n})" for n in range(2222)], kind="question")
    keep = insert(app, ["my parcel is lost", "refund please"], kind="complaint")
    before = open_count(app)
    agent = browser(app, users["agent"].email, 31)

    page = agent.get("/", {"kind": "question"})
    assert "Select all 2,222 matching this filter (every page)" in words(page)
    form = page.forms["bulk-form"]
    assert form["action"].value == "close"  # the first action offered
    form["scope"].checked = True  # "Select all 2,222 matching this filter", not just the page
    done = form.submit()
    assert done.status_int == 302
    assert open_count(app) == before - 2222
    with app.app_context():
        closed = set(
            db.session.scalars(
                sa.select(Complaint.id).where(Complaint.status == ComplaintStatus.CLOSED)
            )
        )
    assert closed == set(questions)
    assert not closed & set(keep)
    (event,) = events(app, bulk.CLOSE)
    assert event.details["count"] == 2222
    assert sorted(event.details["ids"]) == questions
    assert event.details["reason"] == "not a complaint"
    assert describe(event, "Alex Agent") == "Alex Agent closed 2222 complaints as not a complaint"

    shown = done.follow()
    assert "Closed 2,222 complaints as not a complaint." in words(shown)
    # The same form sent twice (a double click): nothing left to close, nothing recorded.
    again = form.submit().follow()
    assert "Nothing changed: no complaint matches the selection any more" in words(again)
    assert len(events(app, bulk.CLOSE)) == 1

    undone = form_with(shown, "/undo").submit().follow()
    assert "Reopened 2,222 complaints." in words(undone)
    assert open_count(app) == before
    assert len(events(app, bulk.REOPEN)) == 1


def test_closing_is_a_move_of_the_move_table_and_ticked_rows_close_alone(app, users):
    with app.app_context():
        assert bulk.COMPLAINT_MOVES.sources(ComplaintStatus.CLOSED) == (ComplaintStatus.NEW,)
        complaint = Complaint(status=ComplaintStatus.REPLIED)
        with pytest.raises(IllegalMove):
            complaint.move_to(ComplaintStatus.CLOSED)
    first, second, third = insert(app, ["one", "two", "three"], kind="other")
    agent = browser(app, users["agent"].email, 32)
    page = agent.get("/")
    token = page.forms["bulk-form"]["csrf_token"].value
    agent.post("/inbox/bulk", {"csrf_token": token, "action": "close", "ids": [first, third]})
    with app.app_context():
        statuses = {c.id: c.status for c in db.session.scalars(sa.select(Complaint))}
    assert (statuses[first], statuses[second], statuses[third]) == (
        ComplaintStatus.CLOSED,
        ComplaintStatus.NEW,
        ComplaintStatus.CLOSED,
    )


def test_who_may_act_in_bulk_is_one_check_that_refuses_offers_and_explains(app, users):
    insert(app, ["a question?"], kind="question")
    reviewer = browser(app, users["reviewer"].email, 33)
    page = reviewer.get("/inbox")
    assert "bulk-form" not in page.forms
    assert "Only agents and admins act on many complaints at once" in words(page)
    token = page.forms[next(iter(page.forms))]["csrf_token"].value
    refused = reviewer.post(
        "/inbox/bulk", {"csrf_token": token, "action": "close", "scope": "filter"}
    ).follow()
    assert "Only agents and admins act on many complaints at once" in words(refused)
    assert open_count(app) == 1
    with app.app_context():
        agent = db.session.get(User, users["agent"].id)
        assert bulk.offered(agent) == list(bulk.BulkAction)
        assert bulk.offered(db.session.get(User, users["reviewer"].id)) == []


def test_assign_to_a_colleague_guarded_notified_and_audited(ctx, users):
    complaint_id = insert(ctx, ["my order never came"])[0]
    agent = db.session.get(User, users["agent"].id)
    riya = db.session.get(User, make_user(ctx, "riya@example.com", Role.AGENT, name="Riya").id)
    reviewer = db.session.get(User, users["reviewer"].id)
    complaint = db.session.get(Complaint, complaint_id)
    assert riya in assignment.assignable(db.session)
    assert reviewer not in assignment.assignable(db.session)

    with pytest.raises(assignment.Refused) as refused:
        assignment.assign(db.session, complaint, riya, actor=reviewer, now=T0)
    assert refused.value.code == "forbidden"
    with pytest.raises(assignment.Refused) as refused:
        assignment.assign(db.session, complaint, reviewer, actor=agent, now=T0)
    assert refused.value.code == "not_drafter"

    change = assignment.assign(db.session, complaint, riya, actor=agent, now=T0)
    assert change.changed
    assert complaint.assignee_id == riya.id
    notice = db.session.scalar(sa.select(Notification).where(Notification.user_id == riya.id))
    assert notice.message == f"Alex Agent assigned complaint #{complaint_id} to you."
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "complaint.assign"))
    assert event.details["to"] == riya.id
    assert event.details["assigned"] is True
    assert describe(event, "Alex Agent") == "Alex Agent assigned the complaint to Riya"
    # Riya has it now: a third person's assigning it elsewhere is a take-over, asked first.
    admin = db.session.get(User, users["admin"].id)
    with pytest.raises(assignment.Refused) as refused:
        assignment.assign(db.session, complaint, agent, actor=admin, now=T0)
    assert refused.value.code == "held_by_colleague"
    assert not assignment.assign(db.session, complaint, riya, actor=agent, now=T0).changed

    # In bulk: one notice for many, those a colleague holds left with them.
    db.session.commit()
    others = insert(ctx, ["a", "b", "c"], start=10)
    outcome = bulk.assign(
        db.session, bulk.Selection(ids=(complaint_id, *others)), riya, actor=agent, now=T0
    )
    assert outcome.changed == tuple(others)
    assert outcome.unchanged == 1
    notice = db.session.scalar(
        sa.select(Notification)
        .where(Notification.user_id == riya.id, Notification.link != "")
        .order_by(Notification.id.desc())
    )
    assert notice.message == "Alex Agent assigned 3 complaints to you."


def test_tags_in_bulk_filter_the_inbox_and_a_second_tagging_changes_nothing(app, users):
    refund, parcel, other = insert(app, ["refund please", "parcel lost", "hello"])
    agent = browser(app, users["agent"].email, 34)
    token = agent.get("/").forms["bulk-form"]["csrf_token"].value
    post = {"csrf_token": token, "action": "tag", "tag": " Refund ", "ids": [refund, parcel]}
    assert "Tagged 2 complaints “Refund”." in words(agent.post("/inbox/bulk", post).follow())
    assert "Nothing changed" in words(agent.post("/inbox/bulk", post).follow())
    post["tag"] = "REFUND"  # the same tag, any case
    agent.post("/inbox/bulk", {**post, "ids": [other]})
    page = agent.get("/", {"tag": "refund"})
    assert "3 complaints" in words(page)
    assert '<span class="badge tag" translate="no">Refund</span>' in page.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ComplaintTag)) == 3
    refused = agent.post("/inbox/bulk", {**post, "tag": "x" * 41}).follow()
    assert "A tag has at most 40 characters." in words(refused)
    # A bulk action over the tag filter: the UPDATE carries the filter's subqueries.
    by_tag = {"csrf_token": token, "action": "close", "scope": "filter", "tag": "refund"}
    assert "Closed 3 complaints" in words(agent.post("/inbox/bulk", by_tag).follow())


def test_saved_filters_are_each_persons_own_links(app, users):
    insert(app, ["charged twice for one order"])
    agent = browser(app, users["agent"].email, 35)
    page = agent.get("/", {"q": "charged", "channel": "x"})
    form = form_with(page, "/inbox/saved")
    form["name"] = "Double charges"
    saved = form.submit().follow()
    assert "Saved “Double charges”" in words(saved)
    link = saved.click(description="Double charges")
    assert "charged twice for one order" in words(link)
    assert 'value="charged"' in link.text
    admin = browser(app, users["admin"].email, 36)
    assert "Double charges" not in admin.get("/inbox").text
    assert "Share with the team" not in words(page)  # an agent saves for themself only
    forged = form_with(page, "/inbox/saved")
    forged["name"] = "Mine to share"
    refused = agent.post("/inbox/saved", {**dict(forged.submit_fields()), "shared": "1"}).follow()
    assert "Only admins share filters with the team." in words(refused)
    team = form_with(admin.get("/", {"q": "refund"}), "/inbox/saved")
    team["name"] = "Refunds"
    team["shared"] = True
    team.submit()
    assert "Refunds (team)" in words(agent.get("/"))
    with app.app_context():
        row = db.session.scalar(sa.select(SavedFilter))
        assert row.query == "status=open&channel=x&q=charged"
    form_with(agent.get("/"), f"/inbox/saved/{row.id}/delete").submit()
    assert "Double charges" not in agent.get("/").text


def ids_found(query: str) -> list[int]:
    found = inbox.list_page(
        db.session, inbox.InboxFilter(search=inbox.Search.parse(query)), page=1, per_page=50
    )
    return sorted(c.id for c in found.items)


@BOTH
def test_word_search_finds_reordered_and_inflected_words_and_reads_no_syntax(ctx):
    twice, charge, once, handle = insert(
        ctx,
        [
            "They charged me TWICE for one order",
            "Why charge twice?",
            "charged once, fine",
            "Where is my parcel",
        ],
    )
    assert ids_found("charged twice") == [twice, charge]  # any order, case, inflection
    assert ids_found("twice charged") == [twice, charge]
    assert ids_found('"charged me twice"') == [twice]  # a phrase, in its order
    assert ids_found('"twice charged"') == []
    assert ids_found("charged -twice") == [twice, charge]  # "-" is no NOT
    assert ids_found("@user3") == [handle]  # the handle, by its words
    for hostile in [
        '"',
        "*",
        "NEAR",
        "-",
        ":",
        "NEAR(charged twice)",
        'charged "',
        "a:b",
        "^",
        "(",
        ")",
        "AND OR NOT",
        "text:charged",
        "'",
        "charged*",
        "\\",
    ]:
        ids_found(hostile)  # a normal search, never an error from the engine
    assert ids_found("text:charged") == []  # "a:b" is the words a and b, side by side


def test_a_hostile_search_is_a_normal_page(app, users):
    insert(app, ['He said "NEAR" twice: charged'])
    agent = browser(app, users["agent"].email, 37)
    for query in ['"', "NEAR(a b", "-:*", 'charged "twice', "^charged"]:
        assert agent.get("/", {"q": query}).status_int == 200


@BOTH
def test_migration_0016_down_and_up_backfills_the_word_index_and_reopens_closed(ctx):
    first, second = insert(ctx, ["charged me TWICE", "a question?"], kind="question")
    db.session.execute(
        sa.update(Complaint).where(Complaint.id == second).values(status=ComplaintStatus.CLOSED)
    )
    db.session.commit()
    db.session.remove()
    downgrade(revision="0015")
    status = db.session.execute(sa.text("SELECT status FROM complaints ORDER BY id")).scalars()
    assert list(status) == ["new", "new"]  # closed is not a status there: back in the inbox
    db.session.remove()
    upgrade()
    assert ids_found("charged twice") == [first]  # the rows already there are indexed
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text("UPDATE complaints SET status = 'spam'"))
    db.session.rollback()


def test_assign_to_a_colleague_from_the_complaint_page(app, users):
    complaint_id = insert(app, ["my order never came"])[0]
    riya = make_user(app, "riya@example.com", Role.AGENT, name="Riya Rao")
    agent = browser(app, users["agent"].email, 38)
    page = agent.get(f"/complaints/{complaint_id}")
    form = form_with(page, "/assignment/colleague")
    assert [label for _, _, label in form["colleague"].options] == [
        "Ada Admin",
        "Alex Agent (you)",
        "Riya Rao",
    ]
    form["colleague"] = str(riya.id)
    done = form.submit().follow()
    assert f"Complaint #{complaint_id} assigned to Riya Rao." in words(done)
    assert "Alex Agent assigned the complaint to Riya Rao" in words(done)  # its history
    reviewer = browser(app, users["reviewer"].email, 39)
    assert "/assignment/colleague" not in reviewer.get(f"/complaints/{complaint_id}").text


def test_a_reply_started_on_a_closed_complaint_reopens_it(ctx, users):
    from app.drafts import composer, operations
    from app.settings.company import CompanyDetails
    from app.tone.policy import TonePolicy

    complaint_id = insert(ctx, ["it was a complaint after all"], kind="question")[0]
    agent = db.session.get(User, users["agent"].id)
    bulk.close(db.session, bulk.Selection(ids=(complaint_id,)), actor=agent, now=T0)
    complaint = db.session.get(Complaint, complaint_id)
    db.session.refresh(complaint)
    assert complaint.status is ComplaintStatus.CLOSED
    company = CompanyDetails(name="Northwind Home")
    composition = composer.compose_for(
        complaint,
        library=ctx.extensions["composure.templates"],
        company=company,
        agent=agent,
        now=T0,
        timezone="UTC",
    )
    tone = composer.tone_setting(complaint, complaint.channel, policy=TonePolicy(), company=company)
    operations.start_draft(db.session, complaint, composition, tone=tone, actor=agent, now=T0)
    assert complaint.status is ComplaintStatus.IN_PROGRESS
