"""Demo history: a believable past fortnight behind the demo's live inbox, so the dashboard
has something to show on first run.

About forty older complaints, each answered through the real operations with the time
passed in (`now=`): intake, the first draft from the template library, what the tone
checks caught while the agent typed (`note_tone_catches`; sometimes the tired wording was
saved and then fixed), submission and cooling-off, a colleague's review (sometimes asking
for changes first), legal's or PR's sign-off where the case needs it, publishing with the
link of the posted reply, and for most, resolution. Every step writes its audit event as
the live product does, so the hash chain holds. Most replies go out on time, some late.

The plan is fixed (a seeded generator), the complaints are recognised by their external
id, and a complaint already there is left alone: loading the demo again adds nothing.
All people, handles and texts are fictional, about the demo's made-up company.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import operations
from app.accounts.models import User
from app.complaints import intake
from app.complaints.models import Complaint
from app.drafts import composer, workflow
from app.drafts import operations as drafts
from app.drafts.catches import note_tone_catches
from app.drafts.policy import WorkflowPolicy
from app.drafts.response_templates import Library
from app.notifications.models import Notification
from app.publishing import outbox
from app.publishing.adapters import MANUAL
from app.settings.company import CompanyDetails
from app.tone.policy import TonePolicy

#: The fortnight's complaints: "channel | handle (or -) | name", then the text, indented.
#: Written for the demo; every one is fictional.
COMPLAINTS_TEXT = """
x | @mo_bakes | Maureen Obi
    @NorthwindHome my mixer arrived with a cracked bowl. Order #NW-51002. Can I get a
    replacement sent out?

facebook | - | Tom Harker
    Waited in all day for the sofa delivery, nobody came and no call. Really disappointed,
    what happened?

x | @pixel_pete | Peter Lund
    @NorthwindHome broadband down again in BS3 since 6am. Any news on a fix?

email | - | Anita Desai
    Hello, I returned a rug three weeks ago (order #NW-49877) and still have no refund. Could
    you check please?

review | - | K. Morgan
    Lovely lamp but the delivery took 12 days instead of 3. Customer service never replied to
    my chat.

x | @jkwrites | Jenny King
    @NorthwindHome ordered a kettle, received a toaster. Order #NW-51233. How do I swap it?

dm | @harrowgate_dan | Dan Price
    My router has been dropping out every evening for a week. Tried everything on your help
    page.

instagram | @sofia.makes | Sofia Reyes
    The cushion covers faded after one wash. Not what the photos showed at all.

x | @gareth_w | Gareth Wynn
    @NorthwindHome your app keeps logging me out when I try to track my order. Very
    frustrating.

facebook | - | Lena Novak
    Paid for next day delivery, it came four days later. I'd like the delivery charge back
    please.

email | - | Robert Ashe
    You charged my card twice for order #NW-50560. My bank says it's on your side. Please
    refund the second payment.

x | @ellie_r | Ellie Rowe
    @NorthwindHome the courier left my parcel in the rain by the bins. Box soaked through.

review | - | Samir H.
    Third time my order has been split into four deliveries. Please sort out your warehouse.

dm | @cath_lin | Cath Lin
    I was told on the phone someone would call me back yesterday. Nobody did. Still no working
    internet.

x | @bridgetm | Bridget Moss
    @NorthwindHome the wardrobe instructions are missing page 4. Stuck halfway through
    building it.

instagram | @homewithraj | Raj Patel
    Bought the oak shelf, one bracket missing from the box. Can you send one?

x | @northern_nat | Natalie Shaw
    @NorthwindHome been on hold for 50 minutes. Is anyone actually answering the phones today?

facebook | - | Owen Bryce
    My order says delivered but nothing arrived. Neighbours haven't got it either. Order
    #NW-52011.

email | - | Helen Grant
    The dining chairs wobble badly, two of the legs are uneven. I'd like to return them.

x | @mike_ontrack | Mike Turner
    @NorthwindHome no signal on my landline since the engineer visit on Monday.

review | - | Priya N.
    Good prices but the website crashed twice at checkout and I was charged for an order that
    never went through.

dm | @sarah_kemp | Sarah Kemp
    I cancelled my order within the hour and was still charged. Can you look into it?

x | @ayo_says | Ayo Bello
    @NorthwindHome tracking hasn't updated in 6 days. Is my parcel lost?

instagram | @the.greenhouse | Mia Green
    Plant pots arrived smashed. Packaging was just a thin bag. Such a waste.

facebook | - | Graham Lowe
    I've emailed three times about my faulty heater and had no answer. I'm going to Trading
    Standards if this isn't fixed.

x | @lucy_draws | Lucy Adams
    @NorthwindHome the desk I ordered is a different colour from the website. Can I exchange
    it?

email | - | Victor Hale
    My direct debit went up without any notice. I'd like an explanation of the new price.

x | @tom_on_tech | Tom Fielding
    @NorthwindHome speed test shows 8 Mbps on a 100 Mbps plan. Been like this all week.

review | - | Dee W.
    Delivery driver was rude and refused to bring the parcel to the door. Not acceptable.

dm | @ben_carver | Ben Carver
    Still waiting on the engineer appointment you promised for Thursday. Nobody turned up.

x | @kezia_b | Kezia Brown
    @NorthwindHome the blender lid doesn't fit properly and leaks everywhere. Only had it a
    week.

facebook | - | Irene Walsh
    Why does it take 10 days to process a refund? I returned the item on the 2nd.

instagram | @loft.living | Jonah Ellis
    Ordered the large rug, got the small one. Second time this has happened.

x | @amira_k | Amira Khan
    @NorthwindHome the electric heater I bought smells of burning when switched on. Is it
    safe?

email | - | Patrick Doyle
    I am a journalist writing about delivery delays this winter. Could Northwind comment on
    the backlog?

x | @sam_rides | Sam Ortiz
    @NorthwindHome promo code WINTER20 doesn't work at checkout. Says expired but the email
    said valid till Sunday.

review | - | Claire B.
    Ordered a bed frame in October, delivery date moved three times. Please give me a real
    date.

dm | @fionaj | Fiona James
    I can't log into my account, the reset email never arrives. Tried three times today.

facebook | - | Marcus Reid
    Engineer was lovely but left without fixing the fault. Internet still down. What next?

x | @hannah_h | Hannah Hughes
    @NorthwindHome got a 'delivery failed' text but I was home all day and nobody knocked.

instagram | @studio.nine | Ivy Chen
    Mirror arrived with a chip in the corner. Photo attached. Can this be replaced?

x | @leo_m | Leo Marsh
    @NorthwindHome your chatbot just keeps sending me in circles. I need a person please.
"""


def _complaints(text: str) -> list[tuple[str, str, str, str]]:
    """(channel, handle, name, text) for each block of COMPLAINTS_TEXT."""
    out = []
    for block in text.strip().split("\n\n"):
        head, *body = block.splitlines()
        channel, handle, name = (part.strip() for part in head.split("|"))
        words = " ".join(line.strip() for line in body)
        out.append((channel, "" if handle == "-" else handle, name, words))
    return out


COMPLAINTS = _complaints(COMPLAINTS_TEXT)

#: What a tired agent types before the tone checks catch it (prepended to "validate").
TIRED_WORDING = [
    "You should have checked the tracking page first.",
    "We're sorry you feel that way.",
    "As we already told you, simply wait for the courier.",
    "That's not true, our records show it was dispatched.",
    "This will never happen again, guaranteed.",
    "We DID send it!!",
    "Thanks for the lecture.",
    "Per our policy, there is nothing more we can do.",
]

CHANGE_REQUESTS = [
    "Give them a date for the update rather than “soon”.",
    "Open by saying sorry for the wait before the next step.",
    "Move the order details to DM; don't ask for them in public.",
    "Say who will call them back, and when.",
    "Too formal for this channel: shorten the first sentence.",
]
#: The agent's fix after a reviewer asked for changes (added to "close the loop").
CLOSE_LOOP_FIXES = [
    "We'll message you again by tomorrow evening with an update.",
    "Our team will get back to you by the end of the day.",
    "We'll check back with you on Friday to make sure it is sorted.",
]
#: Complaints a day, by weekday (Monday first): quieter at the weekend.
PER_WEEKDAY = (4, 4, 3, 4, 3, 2, 1)
HISTORY_DAYS = 14
SEED = 20261123


@dataclass
class HistoryReport:
    complaints_added: int = 0
    replies_published: int = 0


@dataclass(frozen=True)
class People:
    agent: User
    reviewer: User
    signer: User  #: legal
    pr: User
    admin: User

    def signer_for(self, group: str) -> User:
        return self.pr if group == "pr" else self.signer


def _people(session: Session, emails: list[str]) -> People | None:
    found = [operations.find_user(session, email) for email in emails]
    if any(user is None for user in found):
        return None
    return People(*found)


def _schedule(now: datetime, rng: random.Random) -> list[datetime]:
    """When each history complaint arrived: over the last fortnight, busiest midweek,
    never in the last day (the live demo complaints are the last day)."""
    times = []
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = now - timedelta(days=days_ago)
        for _ in range(PER_WEEKDAY[day.weekday()]):
            times.append(day - timedelta(minutes=rng.randint(60, 11 * 60)))
    return sorted(times)


def load_history(
    session: Session,
    *,
    emails: list[str],
    library: Library,
    company: CompanyDetails,
    tone_policy: TonePolicy,
    workflow_policy: WorkflowPolicy,
    now: datetime,
) -> HistoryReport:
    """The past fortnight, answered; nothing when it is there already. `emails` are the
    demo's agent, reviewer, sign-off and admin, in that order."""
    report = HistoryReport()
    people = _people(session, emails)
    if people is None:
        return report
    rng = random.Random(SEED)  # noqa: S311  (a fixed demo plan, not a secret)
    channels = intake.load_channels(session)
    arrivals = _schedule(now, rng)
    for number, ((channel, handle, name, text), received) in enumerate(
        zip(COMPLAINTS, arrivals, strict=False), start=1
    ):
        if channel not in channels:
            continue
        valid = intake.validate(
            intake.ComplaintInput(
                channel=channel,
                text=text,
                received_at=received,
                author_handle=handle,
                author_name=name,
                external_id=f"history-{number}",
                source="demo",
            ),
            channels,
            now=received,
            max_chars=50_000,
        )
        result = intake.register(session, valid, actor=None, now=received)
        if not result.created:
            continue
        report.complaints_added += 1
        if _answer(
            session,
            result.complaint,
            number=number,
            people=people,
            rng=rng,
            library=library,
            company=company,
            tone_policy=tone_policy,
            workflow_policy=workflow_policy,
            now=now,
        ):
            report.replies_published += 1
    if report.complaints_added:
        _read_old_notifications(session, before=now - timedelta(hours=12))
    return report


def _answer(
    session: Session,
    complaint: Complaint,
    *,
    number: int,
    people: People,
    rng: random.Random,
    library: Library,
    company: CompanyDetails,
    tone_policy: TonePolicy,
    workflow_policy: WorkflowPolicy,
    now: datetime,
) -> bool:
    """One complaint's reply from first draft to resolution, at the plan's times."""
    received = complaint.received_at
    public = complaint.channel.is_public
    late = rng.random() < 0.15
    author = people.admin if number % 7 == 0 else people.agent
    reviewer = people.reviewer if author is people.admin or rng.random() < 0.7 else people.admin
    if public:
        wait = rng.randint(55, 150) if late else rng.randint(1, 6)
    else:
        # A private reply has a day; a late one only when the plan still ends in the past.
        late = late and received < now - timedelta(days=2)
        wait = rng.randint(24 * 60 + 10, 26 * 60) if late else rng.randint(30, 240)
    at = received + timedelta(minutes=wait)

    composition = composer.compose_for(
        complaint,
        library=library,
        company=company,
        agent=author,
        now=at,
        timezone="UTC",
    )
    tone = composer.tone_setting(complaint, complaint.channel, policy=tone_policy, company=company)
    draft = drafts.start_draft(
        session, complaint, composition, tone=tone, actor=author, now=at
    ).draft
    revision = workflow.current_revision(session, draft)
    note_tone_catches(draft, revision.findings)  # the editor's first live check

    at += timedelta(minutes=rng.randint(2, 6))
    if "validate" in revision.parts and rng.random() < 0.6:
        tired = {"validate": f"{rng.choice(TIRED_WORDING)} {revision.parts['validate']}"}
        note_tone_catches(draft, tone.check_parts({**revision.parts, **tired}).findings)
        if rng.random() < 0.35:  # saved before the fix: both revisions stay
            saved = _edit(session, draft, tired, tone, author, at, workflow_policy)
            note_tone_catches(draft, saved.findings)
            at += timedelta(minutes=rng.randint(1, 3))
            _edit(
                session,
                draft,
                {"validate": revision.parts["validate"]},
                tone,
                author,
                at,
                workflow_policy,
            )
        at += timedelta(minutes=rng.randint(1, 4))

    _act(session, draft, workflow.Action.SUBMIT, author, at, workflow_policy)
    if rng.random() < 0.25:
        at += timedelta(minutes=rng.randint(3, 9))
        _act(
            session,
            draft,
            workflow.Action.REQUEST_CHANGES,
            reviewer,
            at,
            workflow_policy,
            comment=rng.choice(CHANGE_REQUESTS),
        )
        at += timedelta(minutes=rng.randint(3, 8))
        current = workflow.current_revision(session, draft)
        if "close_loop" in current.parts:
            fixed = {"close_loop": f"{current.parts['close_loop']} {rng.choice(CLOSE_LOOP_FIXES)}"}
        else:
            key = next(iter(current.parts))
            fixed = {key: f"{current.parts[key]} {rng.choice(CLOSE_LOOP_FIXES)}"}
        _edit(session, draft, fixed, tone, author, at, workflow_policy)
        at += timedelta(minutes=1)
        _act(session, draft, workflow.Action.SUBMIT, author, at, workflow_policy)
    at += timedelta(minutes=rng.randint(2, 7))
    _act(session, draft, workflow.Action.APPROVE, reviewer, at, workflow_policy)
    for group in sorted({reason["group"] for reason in draft.signoff_reasons}):
        at += timedelta(minutes=rng.randint(4, 15))
        _act(
            session,
            draft,
            workflow.Action.SIGN_OFF,
            people.signer_for(group),
            at,
            workflow_policy,
            group=group,
        )
    at = max(at, draft.cooling_off_until) + timedelta(minutes=rng.randint(1, 5))
    publication, _ = workflow.publish(
        session,
        draft,
        actor=author,
        now=at,
        revision_number=draft.current_revision,
        policy=workflow_policy,
    )
    if publication.adapter == MANUAL:
        outbox.record_link(
            session,
            publication,
            f"https://social.example/northwind/{complaint.channel_key}/{complaint.id}",
            actor=author,
            now=at + timedelta(minutes=1),
        )
    resolved_at = at + timedelta(hours=rng.randint(3, 40))
    if resolved_at < now - timedelta(days=3) and number % 9 != 0:
        workflow.resolve(session, complaint, actor=author, now=resolved_at, note="Sorted.")
    return True


def _act(session, draft, action, actor, at, policy, **options) -> None:
    workflow.transition(
        session,
        draft,
        action,
        actor=actor,
        now=at,
        revision_number=draft.current_revision,
        policy=policy,
        **options,
    )


def _edit(session, draft, parts, tone, actor, at, policy):
    return drafts.edit_parts(
        session,
        draft,
        parts,
        tone=tone,
        actor=actor,
        now=at,
        based_on=draft.current_revision,
        policy=policy,
    )


def _read_old_notifications(session: Session, *, before: datetime) -> None:
    """The team read the notices about the fortnight's replies back then: only today's
    demo work waits unread."""
    for notice in session.scalars(
        select(Notification).where(Notification.read_at.is_(None), Notification.created_at < before)
    ):
        notice.read_at = notice.created_at + timedelta(minutes=5)
    session.flush()
