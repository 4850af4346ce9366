"""Working copies (app/drafts/working_copy.py) without HTTP: who may hold one, keeping and
replacing it moves nothing in the workflow, what the editor does with it when it opens,
and a save clearing it; the migration that makes the table, down and up, on both
databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.audit.models import AuditEvent
from app.drafts import composer, operations, workflow, working_copy
from app.drafts.models import Draft, DraftState, WorkingCopy
from app.drafts.workflow import Action
from app.drafts.working_copy import NotKept, Pending
from app.extensions import db
from app.settings.company import CompanyDetails
from app.tone.policy import TonePolicy
from tests.fixtures.app import T0
from tests.fixtures.workflow import POLICY, act, edit, person, start

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def keep(draft: Draft, parts, actor, *, base: int | None = None, now=T0) -> WorkingCopy:
    revision = workflow.current_revision(db.session, draft)
    base = draft.current_revision if base is None else base
    return working_copy.keep(
        db.session, draft, revision, parts, base_revision=base, actor=actor, now=now
    )


def moves(draft_id: int) -> tuple:
    draft = db.session.get(Draft, draft_id)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    return draft.state, draft.current_revision, draft.cooling_off_until, draft.version, events


def test_only_someone_who_may_edit_the_draft_holds_a_working_copy(ctx, users):
    draft_id = start(ctx, users)
    draft = db.session.get(Draft, draft_id)
    agent, admin = person(users, "agent"), person(users, "admin")
    assert working_copy.holding_refusal(agent, draft) is None
    assert working_copy.holding_refusal(admin, draft) is None
    assert "Only agents" in working_copy.holding_refusal(person(users, "reviewer"), draft)
    with pytest.raises(NotKept) as refused:
        keep(draft, {"validate": "Sorry."}, person(users, "reviewer"))
    assert refused.value.code == "forbidden"

    act(draft_id, Action.WITHDRAW, agent)
    draft = db.session.get(Draft, draft_id)
    assert "withdrawn" in working_copy.holding_refusal(agent, draft)
    with pytest.raises(NotKept) as refused:
        keep(draft, {"validate": "Sorry."}, agent)
    assert refused.value.code == "invalid_state"


def test_keeping_text_on_a_submitted_draft_moves_nothing_and_one_copy_per_person(ctx, users):
    draft_id = start(ctx, users)
    agent, admin = person(users, "agent"), person(users, "admin")
    act(draft_id, Action.SUBMIT, agent)
    act(draft_id, Action.APPROVE, person(users, "reviewer"))
    draft = db.session.get(Draft, draft_id)
    assert draft.state == DraftState.APPROVED
    before = moves(draft_id)

    keep(draft, {"validate": "First words."}, agent)
    later = keep(draft, {"validate": "Second words."}, agent, now=T0 + timedelta(minutes=2))
    keep(draft, {"direction": "The admin's words."}, admin)
    db.session.commit()
    assert moves(draft_id) == before
    copies = db.session.scalars(sa.select(WorkingCopy).order_by(WorkingCopy.user_id)).all()
    assert len(copies) == 2
    mine = working_copy.find(db.session, draft, agent)
    assert mine is later
    assert mine.parts == {"validate": "Second words."}
    assert mine.updated_at == T0 + timedelta(minutes=2)

    for parts, base in (
        ({"nonsense": "x"}, None),
        ({"validate": 3}, None),
        ("text", None),
        ({"validate": "x" * 20_001}, None),
        ({"validate": "ok"}, 9),
    ):
        with pytest.raises(NotKept):
            keep(draft, parts, agent, base=base)


def test_the_editor_restores_a_copy_of_the_current_revision_and_shows_an_older_as_a_conflict(
    ctx, users
):
    draft_id = start(ctx, users)
    agent = person(users, "agent")
    draft = db.session.get(Draft, draft_id)
    revision = workflow.current_revision(db.session, draft)
    assert working_copy.pending(None, draft, revision) is Pending.NONE
    same = keep(draft, {"validate": revision.parts["validate"]}, agent)
    assert working_copy.pending(same, draft, revision) is Pending.NONE  # nothing to restore
    copy = keep(draft, {"validate": "Words not yet saved."}, agent)
    assert working_copy.pending(copy, draft, revision) is Pending.RESTORE
    db.session.commit()

    # A colleague (an admin) saves revision 2: the copy from revision 1 is a conflict.
    edit(draft, {"close_loop": "The admin's words."}, person(users, "admin"))
    revision = workflow.current_revision(db.session, draft)
    copy = working_copy.find(db.session, draft, agent)
    assert copy.base_revision == 1
    assert working_copy.pending(copy, draft, revision) is Pending.CONFLICT


def test_saving_a_revision_clears_the_copy_and_discard_drops_it(ctx, users):
    draft_id = start(ctx, users)
    agent = person(users, "agent")
    draft = db.session.get(Draft, draft_id)
    keep(draft, {"validate": "Words not yet saved."}, agent)
    setting = composer.tone_setting(
        draft.complaint, draft.complaint.channel, policy=TonePolicy(), company=CompanyDetails()
    )
    saved = operations.save_from_editor(
        db.session,
        draft,
        {"validate": "Words not yet saved."},
        chosen={},
        compose=lambda: None,
        tone=setting,
        actor=agent,
        now=T0,
        based_on=1,
        policy=POLICY,
    )
    assert saved.created
    assert working_copy.find(db.session, draft, agent) is None

    keep(draft, {"validate": "More words."}, agent)
    assert working_copy.discard(db.session, draft, actor=agent)
    assert not working_copy.discard(db.session, draft, actor=agent)


@BOTH
def test_migration_0013_makes_the_working_copies_table_and_takes_it_away(ctx):
    assert "draft_working_copies" in sa.inspect(db.engine).get_table_names()
    db.session.remove()
    downgrade(revision="0012")
    assert "draft_working_copies" not in sa.inspect(db.engine).get_table_names()
    upgrade()
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("draft_working_copies")}
    assert columns == {"id", "draft_id", "user_id", "parts", "base_revision", "updated_at"}
