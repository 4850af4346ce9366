"""The inbox: most urgent first, clocks against targets, filters, pages; then the screen
as a care team uses it, through its real forms (WebTest, CSRF on): search, "Take it",
taking over, releasing, the assignment filters, who is drafting what, follow-ups due."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from webtest import TestApp

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.complaints import assignment, inbox, intake
from app.complaints.models import Complaint, ComplaintStatus
from app.core.durations import in_words
from app.drafts.models import Draft, FollowUp
from app.extensions import db
from tests.fixtures.app import T0
from tests.fixtures.users import Person, make_user
from tests.fixtures.web import web_login
from tests.fixtures.workflow import start


def add(channel: str, minutes_ago: int, text: str, **extra: str) -> int:
    channels = intake.load_channels(db.session)
    valid = intake.validate(
        intake.ComplaintInput(
            channel=channel, text=text, received_at=T0 - timedelta(minutes=minutes_ago), **extra
        ),
        channels,
        now=T0,
        max_chars=1000,
    )
    complaint = intake.register(db.session, valid, actor=None, now=T0).complaint
    db.session.commit()
    return complaint.id


@pytest.fixture
def complaints(ctx):
    return {
        "fresh_tweet": add("x", 5, "fresh tweet"),  # due in 55 min
        "late_tweet": add("x", 75, "late tweet"),  # 15 min overdue
        "old_email": add("email", 600, "old email"),  # due in 14 h
        "urgent_tweet": add("x", 50, "urgent tweet"),  # due in 10 min
        "day_old_dm": add("dm", 1500, "day old dm"),  # 1 h overdue
    }


def test_most_urgent_first(ctx, complaints):
    page = inbox.list_page(db.session, inbox.InboxFilter(), page=1, per_page=25)
    assert [c.text for c in page.items] == [
        "day old dm",
        "late tweet",
        "urgent tweet",
        "fresh tweet",
        "old email",
    ]


def test_clocks_say_how_each_stands_against_its_target(ctx, complaints):
    page = inbox.list_page(db.session, inbox.InboxFilter(), page=1, per_page=25)
    urgency = {c.text: inbox.clock(c, T0).urgency for c in page.items}
    assert urgency == {
        "day old dm": inbox.Urgency.OVERDUE,
        "late tweet": inbox.Urgency.OVERDUE,
        "urgent tweet": inbox.Urgency.DUE_SOON,
        "fresh tweet": inbox.Urgency.ON_TRACK,
        "old email": inbox.Urgency.ON_TRACK,
    }
    # One humaniser for every duration: words, hours and days, singular and plural.
    assert in_words(timedelta(hours=3, minutes=5), parts=2) == "3 hours 5 minutes"
    assert in_words(timedelta(days=2, hours=4), parts=2) == "2 days 4 hours"
    assert in_words(timedelta(minutes=20)) == "20 minutes"
    assert in_words(timedelta(minutes=1)) == "1 minute"
    assert in_words(timedelta(minutes=1266)) == "21 hours"
    assert in_words(timedelta(days=-5579), parts=2) == "15 years"
    assert in_words(timedelta(seconds=20)) == "less than a minute"


def test_filters_and_pages(ctx, complaints):
    page = inbox.list_page(db.session, inbox.InboxFilter(channel="x"), page=2, per_page=2)
    assert page.total == 3
    assert page.pages == 2
    assert [c.text for c in page.items] == ["fresh tweet"]
    answered = db.session.get(type(page.items[0]), complaints["late_tweet"])
    answered.status = ComplaintStatus.REPLIED
    db.session.commit()
    open_page = inbox.list_page(db.session, inbox.InboxFilter(status="open"), page=1, per_page=25)
    assert "late tweet" not in [c.text for c in open_page.items]
    replied = inbox.list_page(db.session, inbox.InboxFilter(status="replied"), page=1, per_page=25)
    assert [c.text for c in replied.items] == ["late tweet"]
    beyond = inbox.list_page(db.session, inbox.InboxFilter(), page=99, per_page=2)
    assert beyond.page == 2
    assert beyond.total == 4


def test_the_inbox_page_shows_clocks_and_filters(client_for, app, complaints):
    page = client_for("reviewer").get("/?channel=x").get_data(as_text=True)
    assert "15 minutes overdue" in page
    assert "10 minutes left" in page
    assert "55 minutes left" in page
    assert "(s)" not in page
    assert "old email" not in page
    assert "3 complaints" in page
    rubbish = client_for("reviewer").get("/?status=<script>&channel=nope&page=abc")
    assert rubbish.status_code == 200
    assert "<script>" not in rubbish.get_data(as_text=True)


def test_the_clock_says_how_much_of_the_target_is_used(ctx, complaints):
    page = inbox.list_page(db.session, inbox.InboxFilter(), page=1, per_page=25)
    used = {
        c.text: (inbox.clock(c, T0).used_percent, inbox.clock(c, T0).used_step) for c in page.items
    }
    assert used["fresh tweet"] == (8, 10)  # 5 of 60 minutes
    assert used["urgent tweet"] == (83, 85)  # 50 of 60
    assert used["late tweet"] == (100, 100)  # overdue: the bar is full
    assert used["old email"] == (41, 45)  # 10 of 24 hours


# The screen, as people use it -------------------------------------------------------------

SEARCH_FIELDS = ("q", "status", "channel", "flag", "assignee")


def text_of(markup: str) -> str:
    """What a person reads: the text without tags (inline ones joined to their words),
    entities decoded, spaces collapsed."""
    markup = re.sub(r"</?(?:span|a|strong|em|time)\b[^>]*>", "", markup)
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)))
    return re.sub(r" ([,.;:!?)])", r"\1", text)


def words(page) -> str:
    return text_of(page.text)


def part(page, pattern: str) -> str:
    """What a person reads in one part of the page (the first match of `pattern`)."""
    found = re.search(pattern, page.text, re.S)
    assert found, f"nothing like {pattern!r} on the page"
    return text_of(found.group(0))


def row(page, complaint_id: int) -> str:
    """What a person reads in one complaint's row (or card)."""
    return part(page, rf'<tr id="complaint-{complaint_id}".*?</tr>')


def shown(page) -> list[int]:
    """The complaints listed, in their order."""
    return [int(n) for n in re.findall(r'<tr id="complaint-(\d+)"', page.text)]


def search_form(page):
    return next(form for form in page.forms.values() if "q" in form.fields)


def row_form(page, complaint_id: int, action: str = "assignment"):
    """The row's "Take it" (action "assignment") or "Release" form."""
    path = f"/complaints/{complaint_id}/{action}"
    return next(form for form in page.forms.values() if (form.action or "").endswith(path))


def browser(app, person: Person, number: int) -> TestApp:
    web = TestApp(
        app, extra_environ={"HTTP_HOST": "composure.test", "REMOTE_ADDR": f"198.51.100.{number}"}
    )
    assert web_login(web, person.email).status_int == 302
    return web


@pytest.fixture
def riya(app) -> Person:
    return make_user(app, "riya@example.com", Role.AGENT, name="Riya Rao")


@pytest.fixture
def agent(app, users) -> TestApp:
    return browser(app, users["agent"], 21)


def seed(app, *rows: tuple) -> list[int]:
    with app.app_context():
        return [add(*r) if len(r) == 3 else add(*r[:3], **r[3]) for r in rows]


def take_as(app, person: Person, complaint_id: int) -> None:
    with app.app_context():
        assignment.take(
            db.session,
            db.session.get(Complaint, complaint_id),
            actor=db.session.get(User, person.id),
            now=T0,
        )
        db.session.commit()


def assignment_events(app, complaint_id: int) -> list[tuple[str, int, dict]]:
    with app.app_context():
        return [
            (event.action, event.actor_id, event.details)
            for event in db.session.scalars(
                sa.select(AuditEvent)
                .where(
                    AuditEvent.complaint_id == complaint_id,
                    AuditEvent.action.like("complaint.%"),
                    AuditEvent.action != "complaint.created",
                )
                .order_by(AuditEvent.id)
            )
        ]


def test_search_finds_by_text_handle_name_and_number_and_keeps_the_filters(app, agent):
    app.config["INBOX_PAGE_SIZE"] = 2
    late, where, lost, fan, other = seed(
        app,
        ("x", 30, "Parcel late AGAIN", {"author_handle": "@late_larry"}),
        ("x", 20, "Where is my PARCEL?", {"author_name": "Wendy Wu"}),
        ("email", 10, "My parcel is lost"),
        ("x", 10, "Billing is wrong", {"author_handle": "@parcelfan"}),
        ("x", 5, "Nothing to see"),
    )
    form = search_form(agent.get("/"))
    form["q"] = "parcel"
    form["channel"] = "x"
    first = form.submit()
    assert "3 complaints matching “parcel”" in words(first)
    assert shown(first) == [late, where]  # still most urgent first
    second = first.click(description="Later due")
    assert shown(second) == [fan]  # found by the handle; the pager kept the search and channel
    again = search_form(second)
    assert (again["q"].value, again["channel"].value) == ("parcel", "x")
    back = second.click(description="Newer due")
    assert shown(back) == [late, where]

    for query, expected in (
        ("@LATE_LARRY", [late]),  # the handle, any case
        ("wendy", [where]),  # the author's name
        (f"#{other}", [other]),  # a complaint number
        (str(lost), [lost]),  # a bare number too (the channel filter still applies: cleared)
    ):
        form = search_form(agent.get("/"))
        form["q"] = query
        assert shown(form.submit()) == expected, query


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_search_matches_wildcards_literally_and_finds_right_to_left_and_emoji(app, agent, users):
    percent, plain, arabic = seed(
        app,
        ("x", 30, "100% fed up with this"),
        ("x", 20, "Fed up with 100 excuses"),
        ("x", 10, "طلبي متأخر جدا 😡"),
    )
    search = lambda query: agent.get("/", {"q": query})  # noqa: E731
    assert shown(search("100%")) == [percent]
    assert shown(search("%")) == [percent]
    assert shown(search("_")) == []
    assert shown(search("متأخر")) == [arabic]
    assert shown(search("😡")) == [arabic]
    page = search("متأخر")
    assert 'dir="auto"' in re.search(r'<input type="search"[^>]*>', page.text).group(0)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "\u200b\u200f",
        "x" * 5000,
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "nul\x00byte",
        "#" + "9" * 30,
        "😡" * 300,
    ],
)
def test_awkward_searches_never_break_the_inbox(app, agent, query):
    seed(app, ("x", 5, "A calm complaint"))
    page = agent.get("/", {"q": query})
    assert page.status_int == 200
    assert "<script>alert" not in page.text
    value = search_form(page)["q"].value
    assert len(value) <= inbox.MAX_SEARCH_CHARS
    if len(query) > inbox.MAX_SEARCH_CHARS:
        assert "only its first 100 were used" in words(page)
    if not query.strip("\u200b\u200f "):
        assert shown(page)  # an empty search shows the inbox
    if query.startswith("#"):
        assert shown(page) == []


def test_take_it_comes_back_to_the_same_page_and_filters(app, agent, users):
    first, second = seed(app, ("x", 30, "first tweet"), ("x", 20, "second tweet"))
    page = agent.get("/?channel=x&q=tweet")
    assert "Nobody yet" in row(page, second)
    done = row_form(page, second).submit()
    assert done.status_int == 302
    where = urlsplit(done.location)
    assert where.path == "/inbox"
    assert parse_qs(where.query) == {
        "page": ["1"],
        "status": ["open"],
        "channel": ["x"],
        "q": ["tweet"],
    }
    assert where.fragment == f"complaint-{second}"
    after = done.follow()
    assert f"Complaint #{second} is yours." in words(after)
    assert "You have it" in row(after, second)
    assert "Release" in row(after, second)
    assert "Nobody yet" in row(after, first)
    [(action, actor, details)] = assignment_events(app, second)
    assert (action, actor, details["to"], details["from"]) == (
        "complaint.assign",
        users["agent"].id,
        users["agent"].id,
        None,
    )


def test_a_double_take_is_harmless(app, agent, users):
    [complaint_id] = seed(app, ("x", 30, "a tweet"))
    form = row_form(agent.get("/"), complaint_id)
    form.submit().follow()
    again = form.submit().follow()  # the same form sent twice
    assert f"You already have complaint #{complaint_id}." in words(again)
    assert len(assignment_events(app, complaint_id)) == 1


def test_taking_a_colleagues_complaint_asks_first_then_takes_it_over(app, agent, users, riya):
    [complaint_id] = seed(app, ("x", 30, "a tweet"))
    take_as(app, riya, complaint_id)
    page = agent.get("/?assignee=")
    assert "Riya Rao has it" in row(page, complaint_id)
    asked = row_form(page, complaint_id).submit()
    assert parse_qs(urlsplit(asked.location).query)["confirm"] == [str(complaint_id)]
    asked = asked.follow()
    assert "Riya Rao has complaint #" in words(asked)
    assert "Riya Rao has it — take it over?" in row(asked, complaint_id)
    assert "Leave it with Riya Rao" in row(asked, complaint_id)
    with app.app_context():  # asking changed nothing
        assert db.session.get(Complaint, complaint_id).assignee_id == riya.id

    form = row_form(asked, complaint_id)
    assert form["take_over"].value == "1"
    taken = form.submit()
    assert "confirm" not in parse_qs(urlsplit(taken.location).query)
    taken = taken.follow()
    assert f"You took complaint #{complaint_id} over from Riya Rao." in words(taken)
    assert "You have it" in row(taken, complaint_id)
    events = assignment_events(app, complaint_id)
    assert events[-1][2]["from"] == riya.id
    assert events[-1][2]["to"] == users["agent"].id
    assert events[-1][2]["take_over"] is True


def test_release_gives_it_back_to_the_team(app, agent, users):
    [complaint_id] = seed(app, ("x", 30, "a tweet"))
    taken = row_form(agent.get("/"), complaint_id).submit().follow()
    released = row_form(taken, complaint_id, "assignment/release").submit().follow()
    assert f"Complaint #{complaint_id} is released" in words(released)
    assert "Nobody yet" in row(released, complaint_id)
    assert [a for a, _, _ in assignment_events(app, complaint_id)] == [
        "complaint.assign",
        "complaint.release",
    ]


def test_a_reviewer_reads_who_has_it_but_cannot_take(app, users, riya):
    [complaint_id] = seed(app, ("x", 30, "a tweet"))
    take_as(app, riya, complaint_id)
    reviewer = browser(app, users["reviewer"], 22)
    page = reviewer.get("/inbox")
    assert "Riya Rao has it" in row(page, complaint_id)
    assert "Take it" not in row(page, complaint_id)
    token = next(iter(page.forms.values()))["csrf_token"].value  # the sign-out form's
    for path in ("assignment", "assignment/release"):
        reviewer.post(f"/complaints/{complaint_id}/{path}", {"csrf_token": token}, status=403)
    with app.app_context():
        assert db.session.get(Complaint, complaint_id).assignee_id == riya.id


def test_filters_to_me_and_unassigned(app, agent, users, riya):
    mine, hers, nobodys = seed(app, ("x", 30, "mine"), ("x", 20, "hers"), ("x", 10, "nobody's"))
    take_as(app, users["agent"], mine)
    take_as(app, riya, hers)
    page = agent.get("/")
    assert shown(page) == [mine, hers, nobodys]
    assert [label for _, _, label in search_form(page)["assignee"].options] == [
        "Anyone",
        "To me",
        "Unassigned",
    ]
    form = search_form(page)
    form["assignee"] = "me"
    to_me = form.submit()
    assert shown(to_me) == [mine]
    assert search_form(to_me)["assignee"].value == "me"
    form = search_form(to_me)
    form["assignee"] = "none"
    assert shown(form.submit()) == [nobodys]


def test_who_is_drafting_shows_in_the_inbox_and_on_the_complaint_page(app, agent, users, riya):
    with app.app_context():
        draft_id = start(app, users, author=db.session.get(User, riya.id))
        complaint_id = db.session.get(Draft, draft_id).complaint_id
    page = agent.get("/")
    assert "Riya Rao has it" in row(page, complaint_id)
    drafting = f"Riya Rao is drafting (draft #{draft_id}, Draft, not submitted)"
    assert drafting in row(page, complaint_id)
    assert f'href="/drafts/{draft_id}"' in page.text

    show = agent.get(f"/complaints/{complaint_id}")
    text = words(show)
    assert "Riya Rao is drafting a reply" in text
    assert "Riya Rao has had this complaint since today 09:00." in text
    started = f"Riya Rao started draft #{draft_id} today 09:00"
    assert f"{started}; its state: Draft, not submitted, revision 1." in text
    assert "You can still open it." in text
    notice = re.search(r'<div class="handling-notice".*?</div>', show.text, re.S).group(0)
    assert f'href="/drafts/{draft_id}"' in notice
    assert 'Take it over from <span translate="no">Riya Rao</span>' in notice
    # The notice comes before anything that starts or opens a reply.
    assert show.text.index("handling-notice") < show.text.index("A reply is in the works")

    # Riya sees her own work as hers, with no warning about herself.
    own = browser(app, riya, 23)
    assert f"You are drafting (draft #{draft_id}" in row(own.get("/"), complaint_id)
    assert "handling-notice" not in own.get(f"/complaints/{complaint_id}").text


def test_take_over_and_release_from_the_complaint_page(app, agent, users, riya):
    [complaint_id] = seed(app, ("x", 30, "a tweet"))
    take_as(app, riya, complaint_id)
    page = agent.get(f"/complaints/{complaint_id}")
    assert "Riya Rao has it — take it over?" in words(page)
    taken = next(form for form in page.forms.values() if "take_over" in form.fields).submit()
    assert urlsplit(taken.location).path == f"/complaints/{complaint_id}"
    taken = taken.follow()
    assert "Who has it You, since today 09:00" in words(taken)
    assert "handling-notice" not in taken.text
    released = row_form(taken, complaint_id, "assignment/release").submit().follow()
    assert "Who has it Nobody yet" in words(released)
    retaken = row_form(released, complaint_id).submit().follow()
    assert "Who has it You" in words(retaken)


def test_follow_ups_due_are_listed_overdue_first(app, agent, users, clock):
    assert "Follow-ups due" not in agent.get("/").text  # none: no list
    soon, overdue, later, done = seed(
        app,
        ("x", 30, "soon one", {"author_name": "Sunita Soon"}),
        ("dm", 30, "overdue one", {"author_name": "Otto Overdue"}),
        ("x", 30, "later one"),
        ("x", 30, "done one"),
    )
    take_as(app, users["agent"], soon)
    with app.app_context():
        for complaint_id, due in (
            (soon, T0 + timedelta(hours=3)),
            (overdue, T0 - timedelta(hours=2)),
            (later, T0 + timedelta(days=3)),
            (done, T0 - timedelta(hours=5)),
        ):
            db.session.add(FollowUp(complaint_id=complaint_id, due_at=due, created_at=T0))
        db.session.flush()
        finished = db.session.scalar(sa.select(FollowUp).where(FollowUp.complaint_id == done))
        finished.done_at, finished.done_by_id = T0, users["agent"].id
        db.session.commit()
        due = inbox.follow_ups_due(db.session, now=T0, within=timedelta(days=1))
        assert [(item.complaint_id, item.overdue) for item in due] == [
            (overdue, True),
            (soon, False),
        ]
        assert due[1].owner.name == "Alex Agent"
        assert due[0].owner is None

    page = agent.get("/")
    section = part(page, r'<section class="panel follow-ups-due".*?</section>')
    assert section.index(f"#{overdue}") < section.index(f"#{soon}")
    assert (
        f"Overdue today 07:00: check back on #{overdue} with Otto Overdue · "
        "Direct message · nobody has it"
    ) in section
    assert f"Due today 12:00: check back on #{soon} with Sunita Soon · X (Twitter) · you" in section
    assert f"#{later}" not in section
    assert f"#{done}" not in section
    assert f'href="/complaints/{overdue}"' in page.text


def test_rows_show_the_clock_bar_with_words_and_compact_dates(app, agent):
    [complaint_id, ancient] = seed(app, ("x", 45, "a tweet"), ("x", 5579 * 1440, "years old"))
    inbox_page = agent.get("/")
    text = row(inbox_page, complaint_id)
    assert "15 minutes left (Due soon)" in text
    assert "15 years overdue" in row(inbox_page, ancient)  # not "5579 d 0 h over"
    assert "75% of the 1 hour target used" in text
    assert "today 08:15" in text  # received
    page = agent.get("/")
    assert 'class="used-75"' in page.text
    assert "css/inbox.css" in page.text


def test_who_has_what_costs_the_same_queries_for_two_rows_or_twenty(app, agent, users, riya):
    """The holders and live drafts of a whole page come in one query, not one per row."""
    from sqlalchemy import event

    def queries_for_inbox() -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, *args) -> None:
            seen.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            agent.get("/")
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    def add_handled(count: int, start_at: int) -> None:
        """Half held by the agent, half being drafted (and so held) by Riya."""
        with app.app_context():
            riya_user = db.session.get(User, riya.id)
            for n in range(start_at, start_at + count):
                if n % 2:
                    start(app, users, text=f"complaint {n}", author=riya_user)
                else:
                    [complaint_id] = seed(app, ("x", 30, f"complaint {n}"))
                    take_as(app, users["agent"], complaint_id)

    add_handled(2, 0)
    few = queries_for_inbox()
    add_handled(18, 2)
    page = agent.get("/")
    assert len(shown(page)) == 20
    assert words(page).count("Riya Rao is drafting") == 10
    assert queries_for_inbox() == few


@pytest.mark.parametrize("inbox_filter", ["search", "assignee"])
def test_every_page_of_a_filter_that_reads_rows_lists_each_match_once_in_order(
    ctx, users, inbox_filter
):
    """Dense early pages walk the due-date index, sparse late ones scan the table (on
    SQLite): together they list the same complaints, most urgent first."""
    agent = db.session.get(User, users["agent"].id)
    expected = []
    for n in range(30):
        complaint_id = add("x", 59 - n, f"parcel {n}" if n % 3 else f"other {n}")
        if n % 3:
            expected.append(complaint_id)
            assignment.take(
                db.session, db.session.get(Complaint, complaint_id), actor=agent, now=T0
            )
    db.session.commit()
    wanted = (
        inbox.InboxFilter(search=inbox.Search.parse("PARCEL"))
        if inbox_filter == "search"
        else inbox.InboxFilter(assignee="me", viewer_id=agent.id)
    )
    listed = []
    for number in range(1, 12):
        page = inbox.list_page(db.session, wanted, page=number, per_page=2)
        assert page.total == 20
        listed += [c.id for c in page.items] if page.page == number else []
    assert listed == expected


def test_the_api_lists_with_the_same_search(app, plain_app, token_for):
    parcel, other = seed(app, ("x", 30, "Where is my 50% PARCEL"), ("dm", 20, "Nothing here"))
    client = plain_app.test_client()
    headers = {"Authorization": f"Bearer {token_for('reviewer')}"}

    def listed(query: str) -> list[int]:
        body = client.get("/api/v1/complaints", query_string={"q": query}, headers=headers)
        assert body.status_code == 200
        return [item["id"] for item in body.get_json()["items"]]

    assert listed("parcel") == [parcel]
    assert listed("50%") == [parcel]
    assert listed("%") == [parcel]
    assert listed(f"#{other}") == [other]
    assert listed("") == [parcel, other]


def test_a_triager_lists_the_questions_and_the_complaints_stay_out(app, agent):
    question, complaint, thanks = seed(
        app,
        ("x", 30, "@NorthwindHome do you ship to Riga?"),
        ("x", 20, "@NorthwindHome why has my refund still not arrived? It's been three weeks."),
        ("x", 10, "@NorthwindHome thanks for the quick fix, all working now"),
    )
    everything = agent.get("/")
    assert shown(everything) == [question, complaint, thanks]
    # Non-complaints carry their kind; a complaint needs no badge.
    assert "Question" in row(everything, question)
    assert "Praise" in row(everything, thanks)
    assert "Question" not in row(everything, complaint)

    form = search_form(everything)
    form["kind"] = "question"
    questions = form.submit()
    assert shown(questions) == [question]
    assert "1 complaint" in words(questions)
    assert search_form(questions)["kind"].value == "question"  # the filter is kept
    assert shown(agent.get("/?kind=complaint")) == [complaint]
    assert shown(agent.get("/?kind=rubbish")) == [question, complaint, thanks]  # ignored
