"""Refuse, offer, explain: the three uses of the workflow's guards agree for every person,
every draft state and every action.

For each draft below (every state, with and without a sign-off to give, with a blocking
finding, edited by a second person), each person and each button: if the page offers the
button, pressing it succeeds; if not, pressing it is refused with the code and the words
the page gives as its reason — on the review, sign-off and publish pages themselves.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from app.accounts.models import Role, User
from app.complaints import intake
from app.complaints.models import Complaint
from app.core.errors import Refused
from app.drafts import composer, operations, queues, workflow
from app.drafts.models import Draft, DraftState
from app.drafts.policy import WorkflowPolicy
from app.drafts.workflow import Action
from app.extensions import db
from app.settings.company import CompanyDetails
from app.tone.policy import TonePolicy
from tests.fixtures.app import T0
from tests.fixtures.users import login, make_user

CALM = "@NorthwindHome my parcel #NW-48213 is a week late, can you check where it is?"
LEGAL = "@NorthwindHome charged twice for my sofa. My solicitor will be in touch about this."
POLICY = WorkflowPolicy()
#: While the drafts below cool off, and once every cooling-off is over.
TIMES = {"cooling": T0 + timedelta(minutes=1), "later": T0 + timedelta(days=3)}
#: The people: each role, an agent who did not write the drafts, a reviewer who also signs
#: for legal, and (on the "edited" draft) an admin who wrote words of the revision.
PEOPLE = ("agent", "other_agent", "reviewer", "signoff", "double", "admin", "norole")


def _complaint(text: str, external_id: str) -> int:
    valid = intake.validate(
        intake.ComplaintInput(
            channel="x", text=text, author_name="Chinedu Okafor", external_id=external_id
        ),
        intake.load_channels(db.session),
        now=T0,
        max_chars=50_000,
    )
    return intake.register(db.session, valid, actor=None, now=T0).complaint.id


def _tone(draft: Draft) -> composer.ToneSetting:
    return composer.tone_setting(
        draft.complaint, draft.complaint.channel, policy=TonePolicy(), company=CompanyDetails()
    )


@dataclass
class World:
    app: object
    people: dict[str, int]

    def person(self, name: str) -> User:
        return db.session.get(User, self.people[name])

    def start(self, key: str, text: str = CALM) -> int:
        complaint = db.session.get(Complaint, _complaint(text, key))
        draft = operations.start_draft(
            db.session,
            complaint,
            None,
            tone=composer.tone_setting(
                complaint, complaint.channel, policy=TonePolicy(), company=CompanyDetails()
            ),
            actor=self.person("agent"),
            now=T0,
            text="Sorry about the wait. I have checked your parcel; it arrives tomorrow.",
        ).draft
        db.session.commit()
        return draft.id

    def act(self, draft_id: int, action: Action, who: str, **inputs) -> None:
        draft = db.session.get(Draft, draft_id)
        workflow.transition(
            db.session,
            draft,
            action,
            actor=self.person(who),
            now=T0,
            revision_number=draft.current_revision,
            policy=POLICY,
            **inputs,
        )
        db.session.commit()

    def edit(self, draft_id: int, text: str, who: str) -> None:
        draft = db.session.get(Draft, draft_id)
        operations.edit_parts(
            db.session,
            draft,
            {composer.FREE_TEXT: text},
            tone=_tone(draft),
            actor=self.person(who),
            now=T0,
            based_on=draft.current_revision,
            policy=POLICY,
            replace=True,
        )
        db.session.commit()


def _drafts(world: World) -> dict[str, int]:
    """One draft in each state the buttons care about, reached by the workflow itself."""
    w = world
    drafts = {name: w.start(name, LEGAL if "legal" in name else CALM) for name in NAMES}
    for name in NAMES:
        if name != "draft" and name != "blocking draft":
            w.act(drafts[name], Action.SUBMIT, "agent")
    w.edit(drafts["blocking draft"], "Thanks, idiot.", "agent")
    w.act(drafts["changes requested"], Action.REQUEST_CHANGES, "reviewer", comment="Date?")
    for name in ("approved", "legal approved", "legal signed", "published", "blocking resubmitted"):
        w.act(drafts[name], Action.APPROVE, "reviewer")
    w.act(drafts["legal signed"], Action.SIGN_OFF, "signoff", group="legal")
    w.act(
        drafts["legal refused"],
        Action.SIGN_OFF,
        "signoff",
        group="legal",
        approved=False,
        comment="Not this wording.",
    )
    w.edit(drafts["blocking resubmitted"], "Thanks, idiot.", "agent")
    w.edit(drafts["edited by admin"], "Sorry: it arrives tomorrow, tracked.", "admin")
    w.act(drafts["withdrawn"], Action.WITHDRAW, "agent")
    draft = db.session.get(Draft, drafts["published"])
    workflow.publish(
        db.session,
        draft,
        actor=w.person("agent"),
        now=TIMES["later"],
        revision_number=draft.current_revision,
        policy=POLICY,
    )
    db.session.commit()
    return drafts


NAMES = (
    "draft",
    "blocking draft",
    "cooling off",
    "changes requested",
    "approved",
    "legal cooling off",
    "legal approved",
    "legal signed",
    "legal refused",
    "blocking resubmitted",
    "edited by admin",
    "withdrawn",
    "published",
)


@pytest.fixture
def world(app, users) -> World:
    people = {name: users[name].id for name in ("agent", "reviewer", "signoff", "admin", "norole")}
    people["other_agent"] = make_user(app, "other@example.com", Role.AGENT).id
    people["double"] = make_user(
        app, "double@example.com", Role.REVIEWER, Role.SIGNOFF, groups={"legal"}
    ).id
    return World(app, people)


#: What pressing "Publish" on a published draft does: nothing, and no error (a second
#: click, or a second server, gets the one publication back).
ALREADY = "already published"


def _attempt(world: World, draft_id: int, action: Action, who: str, now, group: str | None):
    """Press the button: the refusal, or None when it went through. Nothing is kept."""
    draft = db.session.get(Draft, draft_id)
    try:
        created = workflow.act(
            db.session,
            draft,
            action,
            actor=world.person(who),
            now=now,
            revision_number=draft.current_revision,
            policy=POLICY,
            **({} if action == Action.PUBLISH else {"comment": "Looked at it.", "group": group}),
        )
    except Refused as refusal:
        return refusal
    finally:
        db.session.rollback()
    return ALREADY if created is False else None


def _status(draft_id: int, now) -> workflow.DraftStatus:
    return workflow.status(db.session, db.session.get(Draft, draft_id), now=now, policy=POLICY)


def test_refuse_offer_and_explain_agree(ctx, world):
    drafts = _drafts(world)
    checked = {"offered": 0, "refused": 0}
    for when, now in TIMES.items():
        for name, draft_id in drafts.items():
            # Every press below is rolled back, so the draft's standing is read once.
            status = _status(draft_id, now)
            for who in PEOPLE:
                actor = world.person(who)
                for action in workflow.BUTTONS:
                    where = f"{who} / {action.value} / {name} / {when}"
                    if action == Action.SIGN_OFF:
                        _check_sign_off(world, draft_id, actor, who, now, status, where, checked)
                        continue
                    offered = status.allowed(actor, action) and not (
                        action == Action.PUBLISH and status.publish_refusals
                    )
                    why = status.refusal(actor, action)
                    refusal = _attempt(world, draft_id, action, who, now, None)
                    if refusal == ALREADY:
                        assert (name, why.code) == ("published", "invalid_state"), where
                        continue
                    # Offered exactly when the guards find nothing, and then it goes through.
                    assert (why is None) == (refusal is None), where
                    if action != Action.SUBMIT:  # saving a fix and submitting is one click
                        assert offered == (refusal is None), where
                    if refusal is None:
                        checked["offered"] += 1
                        continue
                    checked["refused"] += 1
                    assert (refusal.code, str(refusal)) == (why.code, str(why)), where
                    if action == Action.PUBLISH and status.allowed(actor, action):
                        # The button is there, disabled, beside the reasons listed.
                        assert refusal.code in [r.code for r in status.publish_refusals], where
    assert checked["offered"] > 40, checked
    assert checked["refused"] > 400, checked


def _check_sign_off(world, draft_id, actor, who, now, status, where, checked) -> None:
    """Sign-off is offered per group: each group offered signs, every other is refused;
    with no group to offer, the refusal is the page's reason."""
    signable = status.signable_groups(actor)
    assert status.allowed(actor, Action.SIGN_OFF) == bool(signable), where
    for group in status.missing_signoff or [None]:
        refusal = _attempt(world, draft_id, Action.SIGN_OFF, who, now, group)
        assert (refusal is None) == (group in signable), f"{where} / {group}"
        checked["offered" if refusal is None else "refused"] += 1
    if not signable:
        why = status.refusal(actor, Action.SIGN_OFF)
        first = (status.missing_signoff or [None])[0]
        refusal = _attempt(world, draft_id, Action.SIGN_OFF, who, now, first)
        assert (refusal.code, str(refusal)) == (why.code, str(why)), where


def _words(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))))


@pytest.mark.parametrize("when", ["cooling", "later"])
def test_the_pages_explain_with_the_same_words(app, plain_app, world, clock, when):
    """The review page's and the sign-off page's "why not", and the publish page's list,
    say what a press of the button would be refused with."""
    with app.app_context():
        drafts = _drafts(world)
    clock.set(TIMES[when])
    emails = {
        "reviewer": "reviewer@example.com",
        "signoff": "signoff@example.com",
        "double": "double@example.com",
        "admin": "admin@example.com",
        "agent": "agent@example.com",
    }
    explained = 0
    for who, email in emails.items():
        client = plain_app.test_client()
        assert login(client, email).status_code == 302
        for name, draft_id in drafts.items():
            with app.app_context():
                actor = world.person(who)
                status = _status(draft_id, TIMES[when])
                pages = {
                    Action.REQUEST_CHANGES: "review",
                    Action.SIGN_OFF: "sign-off",
                    Action.PUBLISH: "publish",
                }
                reasons = {action: status.refusal(actor, action) for action in pages}
            for action, page in pages.items():
                response = client.get(f"/drafts/{draft_id}/{page}")
                if response.status_code == 403:
                    continue  # the role does not open this page at all
                why = reasons[action]
                if why is not None and (action != Action.PUBLISH or why.code in READINESS):
                    assert str(why) in _words(response), f"{who} / {page} / {name}"
                    explained += 1
    assert explained > 40, explained


#: What the publish page lists beside its (disabled) button.
READINESS = {"not_submitted", "cooling_off", "needs_approval", "needs_signoff", "blocking_findings"}


def test_an_edit_after_submission_is_a_move_of_the_table_and_no_button(app, world, client_for):
    """Saving an edit of a submitted draft takes the `edit` move back to cooling off (the
    audit log keeps one entry, the edit's); the move has no button of its own."""
    assert workflow.TRANSITIONS[Action.EDIT] == {
        DraftState.COOLING_OFF: DraftState.COOLING_OFF,
        DraftState.APPROVED: DraftState.COOLING_OFF,
    }
    with app.app_context():
        draft_id = world.start("edit")
        world.act(draft_id, Action.SUBMIT, "agent")
        world.act(draft_id, Action.APPROVE, "reviewer")
        world.edit(draft_id, "Sorry: it arrives tomorrow, tracked.", "agent")
        draft = db.session.get(Draft, draft_id)
        assert (draft.state, draft.current_revision) == (DraftState.COOLING_OFF, 2)
        revision = draft.current_revision
    response = client_for("agent").post(
        f"/drafts/{draft_id}/act", data={"action": "edit", "revision": revision}
    )
    assert response.status_code == 400


def test_the_queues_list_exactly_what_each_person_may_decide_or_sign(ctx, world):
    """The review and sign-off queues offer what the guards allow, and nothing else: no
    draft a contributor, its author or a signer cannot act on. The review queue is what
    waits for a first decision (cooling off); an approved draft can still be sent back
    from its page."""
    drafts = _drafts(world)
    listed = 0
    for now in TIMES.values():
        for who in PEOPLE:
            actor = world.person(who)
            review = {
                i.draft.id for i in queues.review_queue(db.session, actor, now=now, policy=POLICY)
            }
            sign = {
                i.draft.id for i in queues.signoff_queue(db.session, actor, now=now, policy=POLICY)
            }
            for name, draft_id in drafts.items():
                status = _status(draft_id, now)
                where = f"{who} / {name}"
                waiting = status.draft.state == DraftState.COOLING_OFF
                decides = waiting and status.allowed(actor, Action.REQUEST_CHANGES)
                assert (draft_id in review) == decides, where
                assert (draft_id in sign) == bool(status.signable_groups(actor)), where
                listed += decides + (draft_id in sign)
    assert listed > 10, listed
