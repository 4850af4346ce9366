"""Cases (issue 18): the twcs import builds them from its reply links, messages join by
handle, agents link and split by hand, internal notes notify whom they mention, a
customer's history by handle, entities decoded once, history imported as handled, and the
migration's backfill."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from webtest import Upload

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.complaints import case_notes, case_timeline, cases, importers, intake
from app.complaints.models import Case, CaseNote, Complaint, ImportedReply
from app.core.errors import DomainError
from app.extensions import db
from app.notifications.models import Notification
from tests.fixtures.app import T0, twcs_sample
from tests.fixtures.complaints import add_complaint
from tests.fixtures.web import form_with, main_form, web_login, words

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)

#: The sample's first rows: the threads of customers 115712 to 115722, every kind of row.
SAMPLE_ROWS = 40
TWCS_HEADER = (
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
)


def test_the_twitter_sample_builds_cases_with_the_brand_replies_between(app, users, web, tmp_path):
    """Customer 115712 wrote four tweets, each answering sprintcare's reply to the one
    before; with the handle window shut (0 hours) only the reply links can join them."""
    path, rows = twcs_sample(tmp_path, SAMPLE_ROWS)
    app.config["CASE_OPEN_HOURS"] = 0
    result = app.test_cli_runner().invoke(
        args=["complaints", "import", str(path), "--history-handled"]
    )
    assert result.exit_code == 0, result.output
    customers = sum(row["inbound"] == "True" for row in rows)
    assert f"marked as handled:    {customers} (history" in result.output
    assert "brand replies kept:" in result.output
    with app.app_context():
        by_tweet = {c.external_id: c for c in db.session.scalars(sa.select(Complaint))}
        thread = [by_tweet[tweet] for tweet in ("8", "5", "3", "2")]
        assert len({c.case_id for c in thread}) == 1
        case = db.session.get(Case, thread[0].case_id)
        entries = case_timeline.timeline(db.session, case, case_timeline.messages(db.session, case))
        said = [(e.kind, e.text.split()[1] if e.kind != "event" else "") for e in entries]
        assert [kind for kind, _ in said] == [
            "message",  # 8 "is the worst customer service"
            "imported_reply",  # 6 "Can you please send us a private message"
            "message",  # 5 "I did."
            "imported_reply",  # 4 "Please send us a Private Message"
            "message",  # 3 "I have sent several private messages"
            "imported_reply",  # 1 "I understand."
            "message",  # 2 "and how do you propose we do that"
        ]
        assert entries[1].who == "sprintcare"
        assert [e.at for e in entries] == sorted(e.at for e in entries)
        # Another customer's thread is a case of its own.
        assert by_tweet["12"].case_id != case.id
        # History already handled: nothing from 2017 is open or overdue in the inbox.
        assert not any(c.is_open for c in by_tweet.values())
        replies = db.session.scalar(sa.select(sa.func.count()).select_from(ImportedReply))
        case_id = case.id
    # Importing the file again keeps one of everything.
    again = app.test_cli_runner().invoke(args=["complaints", "import", str(path)])
    assert "imported:             0" in again.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportedReply)) == replies
    # The case page reads as a conversation, the author as a customer, not a number.
    web_login(web, users["agent"].email)
    page = words(web.get(f"/cases/{case_id}"))
    assert "Our reply (imported) from @sprintcare" in page
    assert "customer 115712" in page
    assert "Customer history: every case of customer 115712" in page
    history = words(web.get("/customers", {"handle": "115712"}))
    assert "1 case, across channels" in history


def test_html_entities_are_decoded_once_at_import():
    text = (
        TWCS_HEADER
        + '1,42,True,Tue Oct 31 22:10:47 +0000 2017,"AT&amp;T &lt;3 &gt; and &amp;amp;",,\n'
        '2,Brand,False,Tue Oct 31 22:11:47 +0000 2017,"Sorry &amp; thanks",,1.0\n'
    )
    customer, brand = importers.read_twcs(text, max_field=10_000)
    assert customer.data.text == "AT&T <3 > and &amp;"  # "&amp;amp;" decoded once only
    assert brand.ignored
    assert brand.post.text == "Sorry & thanks"
    assert brand.post.in_response_to == "1"


def test_a_thread_imported_in_two_files_stays_one_case(app, tmp_path):
    """The corpus is too big for one upload: a follow-up four days later (past the open
    window) that answers a brand reply of an earlier file joins the earlier case."""
    first = tmp_path / "part1.csv"
    first.write_text(
        TWCS_HEADER + "101,900,True,Mon Oct 30 10:00:00 +0000 2017,@Brand my router died,102,\n"
        "102,Brand,False,Mon Oct 30 10:05:00 +0000 2017,@900 Sorry! Restart it?,103,101\n"
    )
    second = tmp_path / "part2.csv"
    second.write_text(
        TWCS_HEADER + "103,900,True,Fri Nov 03 10:00:00 +0000 2017,@Brand still dead,104,102\n"
        "104,Brand,False,Fri Nov 03 10:05:00 +0000 2017,@900 DM us please,,103\n"
        "105,901,True,Fri Nov 03 11:00:00 +0000 2017,@Brand mine too,,102\n"
    )
    for path in (first, second):
        result = app.test_cli_runner().invoke(args=["complaints", "import", str(path)])
        assert result.exit_code == 0, result.output
    with app.app_context():
        case_of = dict(
            db.session.execute(sa.select(Complaint.external_id, Complaint.case_id)).all()
        )
        replies = dict(
            db.session.execute(sa.select(ImportedReply.external_id, ImportedReply.case_id)).all()
        )
    assert case_of["103"] == case_of["101"]
    assert case_of["105"] != case_of["101"]  # another customer in the thread: their own
    assert replies == {"102": case_of["101"], "104": case_of["101"]}


def _add(app, text, *, channel="x", handle="@ana_b", at=T0, name=""):
    with app.app_context():
        result = intake.add(
            db.session,
            intake.ComplaintInput(
                channel=channel, text=text, author_handle=handle, author_name=name, received_at=at
            ),
            actor=None,
            now=at,
            max_chars=50_000,
        )
        db.session.commit()
        return result.complaint.id, result.complaint.case_id


def test_messages_join_the_open_case_of_their_handle_and_channel(app):
    _, first = _add(app, "My order NW-1 is late", at=T0)
    five_hours = T0 + timedelta(hours=5)
    _, second = _add(app, "Still nothing, @NorthwindHome", handle="ANA_B", at=five_hours)
    _, later = _add(app, "A new problem: the lamp broke", at=T0 + timedelta(days=4))
    _, email = _add(app, "About order NW-1", channel="email", handle="ana_b", at=T0)
    _, nameless = _add(app, "Who am I", handle="", at=T0)
    _, nameless_too = _add(app, "Nobody either", handle="", at=T0 + timedelta(minutes=1))
    assert first == second  # same handle (any case), same channel, within 72 hours
    assert later != first  # four days after the last message: the case was no longer open
    assert email not in (first, later)  # another channel
    assert nameless != nameless_too  # no handle, never joined
    with app.app_context():
        history = case_timeline.customer_history(db.session, "@Ana_B")
        assert {item.case.id for item in history} == {first, later, email}
        joined = next(item for item in history if item.case.id == first)
        assert (joined.messages, joined.open_messages, len(joined.channels)) == (2, 2, 1)


def test_an_agent_links_and_splits_by_hand_under_the_guard_and_in_the_audit(app, users, web):
    tweet, case_id = _add(app, "Charged twice for order NW-7")
    mail, mail_case = _add(
        app, "Following up by e-mail on NW-7", channel="email", handle="ana@example.com"
    )
    with app.app_context():
        agent = db.session.get(User, users["agent"].id)
        reviewer = db.session.get(User, users["reviewer"].id)
        complaint = db.session.get(Complaint, mail)
        target = cases.named_case(db.session, f"#{case_id}")
        with pytest.raises(cases.Refused) as refused:
            cases.move(db.session, complaint, target, actor=reviewer, now=T0)
        assert refused.value.code == "forbidden"
        with pytest.raises(cases.Refused, match="No case 'nobody'"):
            cases.named_case(db.session, "nobody")
        assert cases.named_case(db.session, "@ana_b").id == case_id  # by handle too
        cases.move(db.session, complaint, target, actor=agent, now=T0)
        with pytest.raises(cases.Refused) as refused:
            cases.move(db.session, complaint, target, actor=agent, now=T0)
        assert refused.value.code == "same_case"
        db.session.commit()
        assert complaint.case_id == case_id
        assert db.session.get(Case, mail_case) is None  # left empty: removed
        event = db.session.scalar(
            sa.select(AuditEvent).where(
                AuditEvent.complaint_id == mail, AuditEvent.action.like("case.%")
            )
        )
        assert event.action == "case.complaint_moved"
        assert event.details == {"from_case": mail_case, "to_case": case_id}
        tweet_complaint = db.session.get(Complaint, tweet)
        assert cases.split_refusal(db.session, reviewer, tweet_complaint).code == "forbidden"
    # Split, through the complaint page's button; then it is alone and cannot split again.
    web_login(web, users["agent"].email)
    page = web.get(f"/complaints/{mail}")
    assert "one of 2 messages of case #" in words(page)
    moved = form_with(page, "/case/split").submit().follow()
    assert f"Complaint #{mail} has a case of its own now" in words(moved)
    with app.app_context():
        own = db.session.get(Complaint, mail).case_id
        assert own not in (case_id, mail_case)
        assert db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.complaint_id == mail, AuditEvent.action.like("case.%"))
            .order_by(AuditEvent.id)
        ).all() == ["case.complaint_moved", "case.complaint_split"]
    page = web.get(f"/complaints/{mail}")
    assert "Split it out" not in page.text
    form = form_with(page, f"/complaints/{mail}/case")
    form["case"] = "#999999"
    assert "No case '#999999'" in words(form.submit().follow())


def test_internal_notes_notify_whom_they_mention_and_are_refused_when_empty_or_huge(
    app, users, web
):
    _, case_id = _add(app, "My sofa arrived broken")
    app.config["CASE_NOTE_MAX_CHARS"] = 200
    web_login(web, users["agent"].email)
    page = web.get(f"/cases/{case_id}")
    form = form_with(page, "/notes")
    for text, said in (
        ("  \u200b ", "The note is empty"),
        ("x" * 201, "The note is 201 characters long; the limit is 200."),
        ("Ask @nobody about it", "Nobody on the team is @nobody"),
    ):
        form["text"] = text
        refused = form.submit(status=400)
        assert said in words(refused)
        assert 'aria-invalid="true"' in refused.text
    form["text"] = "Refund approved by @Reviewer. <b>not bold</b>, mail me at x@reviewer.test"
    page = form.submit().follow()
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page.text  # stored plain, escaped on display
    assert "internal: never published" in words(page)
    with app.app_context():
        note = db.session.scalar(sa.select(CaseNote))
        assert note.mentioned_ids == [users["reviewer"].id]
        notices = db.session.scalars(sa.select(Notification)).all()
        assert [(n.user_id, n.kind, n.link) for n in notices] == [
            (users["reviewer"].id, "mentioned", f"/cases/{case_id}#note-{note.id}")
        ]
        assert "Alex Agent mentioned you in an internal note" in notices[0].message
        norole = db.session.get(User, users["norole"].id)
        with pytest.raises(DomainError):
            case_notes.add(
                db.session, db.session.get(Case, case_id), "hi", actor=norole, now=T0, max_chars=9
            )


def test_history_is_imported_as_handled_before_a_date_or_the_channels_target(
    app, users, web, tmp_path
):
    path = tmp_path / "h.csv"
    path.write_text(
        "external_id,channel,text,received_at,author_handle\n"
        "1,x,Old complaint about order NW-1,2026-01-10T10:00:00Z,@old\n"
        "2,x,Recent complaint about order NW-2,2026-11-22T10:00:00Z,@new\n"
    )
    result = app.test_cli_runner().invoke(
        args=["complaints", "import", str(path), "--handled-before", "2026-06-01"]
    )
    assert "marked as handled:    1" in result.output, result.output
    # From the form, without a date: what was past the channel's target (X: 1 hour) when
    # the file came is handled; what is still within it stays open.
    web_login(web, users["agent"].email)
    form = main_form(web.get("/imports"))
    form["history_handled"] = True
    form["file"] = Upload(
        "h.csv",
        b"external_id,channel,text,received_at\n"
        b"3,x,Late parcel NW-3,2026-11-23T07:30:00Z\n"
        b"4,x,Late parcel NW-4,2026-11-23T08:30:00Z\n",
        "text/csv",
    )
    job_page = form.submit().follow()
    assert "History marked as already handled" in words(job_page)
    with app.app_context():
        rows = dict(db.session.execute(sa.select(Complaint.external_id, Complaint.is_open)).all())
    assert rows == {"1": False, "2": True, "3": False, "4": True}


@BOTH
def test_the_migration_backfills_one_case_per_complaint_and_goes_down_again(ctx):
    first = add_complaint(ctx, "@NorthwindHome my parcel is late", author_handle="@Ana")
    second = add_complaint(ctx, "@NorthwindHome still late", author_handle="@Ana")
    db.session.remove()
    downgrade(revision="0014")
    inspector = sa.inspect(db.engine)
    assert "cases" not in inspector.get_table_names()
    assert "case_id" not in {c["name"] for c in inspector.get_columns("complaints")}
    upgrade()
    rows = db.session.execute(
        sa.select(Complaint.id, Complaint.case_id, Case.customer_handle).join(
            Case, Case.id == Complaint.case_id
        )
    ).all()
    assert sorted(rows) == [(first, first, "ana"), (second, second, "ana")]
    # New cases are numbered after the backfilled ones (PostgreSQL's sequence moved on).
    third = add_complaint(ctx, "@NorthwindHome a different matter", author_handle="")
    assert db.session.get(Complaint, third).case_id > second
