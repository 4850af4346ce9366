"""Admin-set values stored as `settings` rows under a prefix ("company.", "tone."), with
every change audited. Shared by the company details and the tone policy. No Flask."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import log as audit
from app.core.words import N_
from app.settings.models import Setting


def _under(prefix: str):
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Setting.key.like(pattern + "%", escape="\\")


def stored(
    session: Session,
    prefix: str,
    names: list[str] | None = None,
    *,
    rows: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The stored values under `prefix` (only `names`, when given), keyed without it.
    Read from `rows` (`stored_under`) when given, else from the database."""
    if rows is None:
        query = select(Setting)
        if names is None:
            query = query.where(_under(prefix))
        else:
            query = query.where(Setting.key.in_([prefix + name for name in names]))
        rows = {row.key: row.value for row in session.scalars(query)}
    return {
        key.removeprefix(prefix): value
        for key, value in rows.items()
        if key.startswith(prefix) and (names is None or key.removeprefix(prefix) in names)
    }


def stored_under(session: Session, prefixes: tuple[str, ...]) -> dict[str, Any]:
    """Every stored value under any of `prefixes`, keyed in full: what a request reads of
    the settings, in one query instead of one per kind."""
    query = select(Setting).where(or_(*(_under(prefix) for prefix in prefixes)))
    return {row.key: row.value for row in session.scalars(query)}


def save(
    session: Session,
    prefix: str,
    values: dict[str, Any],
    *,
    action: str,
    actor: User,
    now: datetime,
    defaults: dict[str, Any] | None = None,
    describe: Callable[[str, Any, Any], str] | None = None,
    in_force: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Store `values`; a value equal to its default is not written when nothing is stored
    yet. Audits `action` with what changed: the new values (`changed`), the ones they
    replaced (`before`: the stored value, else the default, else `in_force`: what applied
    before anything was stored) and each real change in words (`changes`, "Base
    cooling-off: 10 minutes → 30 minutes", by `describe(name, old, new)`; a value written
    for the first time but already in force is no change). Returns the new values."""
    describe = describe or change_words
    changed, before = {}, {}
    for name, value in values.items():
        row = session.get(Setting, prefix + name)
        if row is None:
            if defaults is not None and defaults.get(name) == value:
                continue
            session.add(
                Setting(key=prefix + name, value=value, updated_at=now, updated_by_id=actor.id)
            )
            changed[name], before[name] = value, (defaults or in_force or {}).get(name)
        elif row.value != value:
            before[name] = row.value
            row.value, row.updated_at, row.updated_by_id = value, now, actor.id
            changed[name] = value
    if changed:
        session.flush()
        audit.record(
            session,
            action=action,
            entity_type="settings",
            entity_id=None,
            actor_id=actor.id,
            now=now,
            details={
                "changed": changed,
                "before": before,
                "changes": [
                    describe(name, before[name], new)
                    for name, new in changed.items()
                    if before[name] != new
                ],
            },
        )
    return changed


#: How an empty setting reads in an audit sentence (English as recorded; translated where
#: it is shown).
NOT_SET = N_("not set")


def change_words(name: str, old: Any, new: Any) -> str:
    """ "Greeting: Hi → Hello": a setting's change for the audit log, when its owner has no
    better words."""

    def shown(value: Any) -> str:
        return NOT_SET if value in (None, "", [], {}) else str(value)

    label = name.replace(".", " ").replace("_", " ")
    return f"{label[:1].upper()}{label[1:]}: {shown(old)} → {shown(new)}"
