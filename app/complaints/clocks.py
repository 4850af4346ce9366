"""The clocks' warnings before a breach: a complaint still without a reply as its response
target nears. No Flask: `flask worker run` calls `warn_due` with its own transactions and
the words in each person's language (`say`).

A complaint's due time is fixed at intake (`response_due_at`: received plus its market's
target on its channel, counted on its market's clock; the inbox's "due soon" and "overdue"
read the same). Once the business time left is within `margin` of it (counted on the
market's clock: a market with hours does not warn while paused, and its margin is working
time) with no reply out, whoever holds it (the assignee) is told, or, while nobody does,
the market's team: everyone who can answer it (`Permission.DRAFT_REPLIES`) and reads one
of the market's languages, or everyone who can answer when no such team can be told apart.
The in-app notice is e-mailed on by the mail step when mail is configured.

Once per complaint and due time: a `breach_warnings` row claimed with an insert that does
nothing on conflict, in the same transaction as the notices, so two workers never warn
twice; a complaint given a new due time is warned about again. `due_warning_at` keeps the
moment of the last warning.

Only due times around now are looked at (up to `margin` ahead in business time, or passed
less than `margin` ago): a file of last year's complaints imported today warns nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.accounts.models import User, UserRole
from app.accounts.permissions import GRANTS, Permission, can
from app.complaints import markets
from app.complaints.models import BreachWarning, Complaint
from app.core.durations import in_words
from app.core.words import N_
from app.notifications import notify

KIND = "clock_warning"
#: How far past `margin` (real time) a due time may lie and still be within `margin` of
#: business time: the longest pause a market's clock takes (a long weekend with holidays).
LONGEST_PAUSE = timedelta(days=7)

#: The warning's words (English message ids; the worker says them in each person's
#: language). The holder's and the team's, before and after the due time.
DUE = N_(
    "Complaint #%(number)s from %(who)s on %(channel)s is due in %(left)s and has no reply yet."
)
LATE = N_(
    "Complaint #%(number)s from %(who)s on %(channel)s is %(late)s overdue and has no reply yet."
)
DUE_UNTAKEN = N_(
    "Complaint #%(number)s from %(who)s on %(channel)s is due in %(left)s and has no "
    "reply yet. Nobody has taken it."
)
LATE_UNTAKEN = N_(
    "Complaint #%(number)s from %(who)s on %(channel)s is %(late)s overdue and has no "
    "reply yet. Nobody has taken it."
)
A_CUSTOMER = N_("a customer")


@dataclass(frozen=True)
class Words:
    """A message before it is said in someone's language: an English message id and its
    named params (a `timedelta` is a duration, a `Words` is said in turn)."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)


#: (the person's language or None, the words) -> the text they read.
Say = Callable[[str | None, Words], str]


def say_in_english(_language: str | None, words: Words) -> str:
    """The words in English, durations as every page says them ("1 hour 5 minutes")."""

    def shown(value: Any) -> Any:
        if isinstance(value, timedelta):
            return in_words(value, parts=2)
        if isinstance(value, Words):
            return say_in_english(None, value)
        return value

    return words.msgid % {name: shown(value) for name, value in words.params.items()}


@dataclass(frozen=True)
class Warning:
    complaint_id: int
    due_at: datetime
    people: int
    to_holder: bool


def margin_for(target: timedelta, margin: timedelta) -> timedelta:
    """The warning margin of one complaint: `margin`, at most a quarter of its target (the
    inbox's "due soon"), so a short target is not warned about as it arrives."""
    return min(margin, target / 4)


def team(session: Session, market: markets.MarketInfo | None = None) -> list[User]:
    """Everyone who can answer a complaint nobody holds: in `market`, those who read one of
    its languages; everyone who can answer when the market names no language or nobody
    reads one (no team of its own can be told apart)."""
    roles = GRANTS[Permission.DRAFT_REPLIES]
    people = session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles), User.active.is_(True))
        .order_by(User.id)
    ).unique()
    everyone = [person for person in people if can(person, Permission.DRAFT_REPLIES)]
    spoken = set(market.languages) if market is not None else set()
    own = [person for person in everyone if spoken & set(person.languages or ())]
    return own or everyone


def _coming_due(
    session: Session, book: markets.Markets, *, now: datetime, margin: timedelta, limit: int
) -> list[tuple[int, datetime, markets.MarketInfo]]:
    """(id, due time, market) of the complaints to warn about now, the soonest due first."""
    paused = any(market.calendar.hours is not None for market in book.markets)
    ahead = margin + (LONGEST_PAUSE if paused else timedelta(0))
    warned = exists().where(
        BreachWarning.complaint_id == Complaint.id,
        BreachWarning.due_at == Complaint.response_due_at,
    )
    rows = session.execute(
        select(
            Complaint.id,
            Complaint.received_at,
            Complaint.response_due_at,
            Complaint.channel_key,
            Complaint.language,
        )
        .where(
            Complaint.is_open.is_(True),
            Complaint.first_replied_at.is_(None),
            ~warned,
            Complaint.response_due_at > now - margin,
            Complaint.response_due_at <= now + ahead,
        )
        .order_by(Complaint.response_due_at, Complaint.id)
    ).all()
    due = []
    for complaint_id, received, due_at, channel_key, language in rows:
        market = book.market_for(channel_key, language)
        calendar = market.calendar
        if calendar.is_paused(now):
            continue  # nobody is at work: the warning comes once the clock runs again
        own = margin_for(calendar.business_between(received, due_at), margin)
        if -own < calendar.business_between(now, due_at) <= own:
            due.append((complaint_id, due_at, market))
            if len(due) >= limit:
                break
    return due


def _claim(session: Session, complaint_id: int, due_at: datetime, now: datetime) -> bool:
    """Take the warning of this complaint and due time (False: another worker has it)."""
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    won = session.execute(
        insert(BreachWarning)
        .values(complaint_id=complaint_id, due_at=due_at, warned_at=now, to_holder=False)
        .on_conflict_do_nothing(index_elements=["complaint_id", "due_at"])
        .returning(BreachWarning.id)
    ).scalar()
    return won is not None


def warn_due(
    session: Session,
    *,
    now: datetime,
    margin: timedelta,
    checkpoint: Callable[[], None],
    on_warning: Callable[[Warning], None] | None = None,
    say: Say = say_in_english,
    book: markets.Markets | None = None,
    limit: int = 200,
) -> list[Warning]:
    """Warn about each complaint coming due (see the module's docstring); `checkpoint`
    (the worker's commit) runs after each attempt to claim one."""
    book = book or markets.load(session)
    candidates = _coming_due(session, book, now=now, margin=margin, limit=limit)
    warned = []
    for complaint_id, due_at, market in candidates:
        if not _claim(session, complaint_id, due_at, now):
            checkpoint()  # end the write transaction the attempt opened (SQLite's lock)
            continue
        complaint = session.get(Complaint, complaint_id)
        warning = _notify(session, complaint, market, now=now, say=say)
        session.execute(
            update(BreachWarning)
            .where(BreachWarning.complaint_id == complaint_id, BreachWarning.due_at == due_at)
            .values(to_holder=warning.to_holder, people=warning.people)
        )
        complaint.due_warning_at = now
        checkpoint()
        warned.append(warning)
        if on_warning is not None:
            on_warning(warning)
    return warned


def _notify(
    session: Session, complaint: Complaint, market: markets.MarketInfo, *, now: datetime, say: Say
) -> Warning:
    holder = complaint.assignee
    to_holder = holder is not None and can(holder, Permission.DRAFT_REPLIES)
    people = [holder] if to_holder else team(session, market)
    left = market.calendar.business_between(now, complaint.response_due_at)
    late = left <= timedelta(0)
    msgid = {
        (True, False): DUE,
        (True, True): LATE,
        (False, False): DUE_UNTAKEN,
        (False, True): LATE_UNTAKEN,
    }[to_holder, late]
    words = Words(
        msgid,
        {
            "number": complaint.id,
            "who": complaint.author_handle or complaint.author_name or Words(A_CUSTOMER),
            "channel": complaint.channel.name,
            "left" if not late else "late": abs(left),
        },
    )
    by_language: dict[str | None, list[User]] = {}
    for person in people:
        by_language.setdefault(person.language, []).append(person)
    count = 0
    for language, group in by_language.items():
        count += notify.send(
            session,
            group,
            kind=KIND,
            message=say(language, words),
            link=f"/complaints/{complaint.id}",
            now=now,
        )
    session.flush()
    return Warning(complaint.id, complaint.response_due_at, count, to_holder)
