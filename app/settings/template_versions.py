"""The template library edited in the app: versions of reply variants saved by admins.

The files in `response_templates/` are the shipped defaults. An admin may change a
variant, add one or retire one on Admin → Template library; each save adds a
`TemplateVersion` and the latest version of a variant is in force (a variant with none is
the file's). Going back to an earlier version adds a new version equal to it.

A version is for every market (`market` None) or for one market: a complaint's draft uses
its market's version of a variant, else the every-market version, else the file's. Numbers
run per variant over all markets; each market's latest version is the one in force there.

A save is checked the way the library page checks the files, by the same code: it loads
(`response_templates.parse_variant`), passes the tone check filled with sample values and
uses only known placeholders (`template_checks.check_variant`); the length against the
channel is information. A refusal names the line of the typed text at fault.

`LibraryInForce` keeps the combined library (and each market's) per process and builds
them again when the table changed (a cheap count-and-max query per unit of work), so
every worker uses a version from its next request on. No Flask; the caller commits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.permissions import Permission, can
from app.audit import log as audit
from app.complaints.models import Market
from app.core.datafile import DataFileError
from app.core.errors import DomainError, Refused
from app.core.words import N_
from app.drafts.response_templates import (
    PARTS,
    Conditions,
    Library,
    Variant,
    parse_variant,
    with_versions,
)
from app.settings.models import TemplateVersion
from app.settings.template_checks import VariantCheck

logger = logging.getLogger(__name__)

#: Where a typed variant's problems are said to be ("line 3: …").
TYPED = "your text"
#: The audit action of a save, a retirement and a return to an earlier version alike.
SAVED = "settings.template_saved"


# --- the guard ---------------------------------------------------------------------------


def edit_refusal(actor: User) -> Refused | None:
    """Whether `actor` may change the template library: None when they may, else why not.
    Refuses the save, decides whether the library page offers "Edit", and explains."""
    if not can(actor, Permission.MANAGE_SETTINGS):
        return Refused("forbidden", N_("Only admins change the template library."))
    return None


# --- validation --------------------------------------------------------------------------


class TemplateRefused(DomainError):
    """A typed variant that cannot be saved: `problems`, each "line N: what is wrong"."""

    def __init__(self, problems: Sequence[str], check: VariantCheck | None = None) -> None:
        self.problems = tuple(problems)
        self.check = check
        super().__init__("; ".join(self.problems), "invalid", fields={"source": self.problems[0]})


#: Checks a parsed variant against a library (template_checks.check_variant with the
#: app's channels, tone policy, company details and clock bound in).
Checker = Callable[[Variant, Library], VariantCheck]


def _line_of(source: str, key: str) -> int:
    for number, line in enumerate(source.splitlines(), start=1):
        if line.lstrip().startswith(f"{key}:"):
            return number
    return 1


def check(
    source: str,
    *,
    language: str,
    part: str,
    variant_id: str | None,
    library: Library,
    checker: Checker,
) -> tuple[Variant, VariantCheck]:
    """The typed variant and its check, or TemplateRefused naming the lines at fault.
    `variant_id`: the variant being changed (None: a new one)."""
    others = {key: v for key, v in library.by_id.items() if key != variant_id}
    try:
        variant = parse_variant(source, language=language, part=part, others=others, where=TYPED)
    except DataFileError as error:
        raise TemplateRefused([f"line {error.line or 1}: {error.message}"]) from None
    if variant_id is not None and variant.id != variant_id:
        raise TemplateRefused(
            [f"line {_line_of(source, 'id')}: the id stays {variant_id}; add a new variant instead"]
        )
    try:
        combined = with_versions(library, [variant], [])
    except DataFileError as error:
        raise TemplateRefused([f"line 1: {error.message}"]) from None
    result = checker(variant, combined)
    line = _line_of(source, "text")
    problems = [
        f"line {line}: {issue.label} “{issue.words}”: {issue.message}" for issue in result.issues
    ]
    if problems:
        raise TemplateRefused(problems, result)
    return variant, result


# --- the versions ------------------------------------------------------------------------


def as_source(variant: Variant) -> str:
    """A variant as the YAML an admin edits (the keys of a part file's variant)."""
    data: dict[str, object] = {"id": variant.id, "text": variant.text}
    for key in ("suits", "requires", "avoid"):
        conditions: Conditions = getattr(variant, key)
        written = {
            name: sorted(getattr(conditions, name))
            for name in ("types", "categories", "flags", "visibility")
            if getattr(conditions, name)
        }
        if written:
            data[key] = written
    if variant.offline:
        data["offline"] = True
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)


def _for_market(market: str | None):
    """Rows for `market` alone (None: the versions for every market)."""
    if market is None:
        return TemplateVersion.market.is_(None)
    return TemplateVersion.market == market


def versions_of(
    session: Session, variant_id: str, market: str | None = None
) -> list[TemplateVersion]:
    """A variant's saved versions for `market` (None: for every market), newest first."""
    return list(
        session.scalars(
            select(TemplateVersion)
            .where(TemplateVersion.variant_id == variant_id, _for_market(market))
            .order_by(TemplateVersion.number.desc())
        )
    )


def in_force(session: Session, market: str | None = None) -> list[TemplateVersion]:
    """The latest version of each variant saved for `market` (None: for every market)."""
    latest: dict[str, TemplateVersion] = {}
    rows = session.scalars(
        select(TemplateVersion)
        .where(_for_market(market))
        .order_by(TemplateVersion.variant_id, TemplateVersion.number)
    )
    for row in rows:
        latest[row.variant_id] = row
    return list(latest.values())


def market_versions(session: Session) -> dict[str, list[str]]:
    """Variant id -> the keys of the markets with a version of their own (sorted)."""
    rows = session.execute(
        select(TemplateVersion.variant_id, TemplateVersion.market)
        .where(TemplateVersion.market.is_not(None))
        .distinct()
    )
    found: dict[str, list[str]] = {}
    for variant_id, market in rows:
        found.setdefault(variant_id, []).append(market)
    return {variant_id: sorted(keys) for variant_id, keys in found.items()}


def market_name(session: Session, market: str | None) -> str | None:
    """The name of the market keyed `market` (None: every market); Refused when unknown."""
    if market is None:
        return None
    stored = session.get(Market, market)
    if stored is None:
        raise Refused("not_found", f"No market {market}.")
    return stored.name


def retired(session: Session, market: str | None = None) -> list[TemplateVersion]:
    """The variants retired now for `market` (None: for every market; their edit pages
    bring them back)."""
    return [version for version in in_force(session, market) if version.retired]


def combine(files: Library, versions: Sequence[TemplateVersion]) -> Library:
    """The files' library with the versions in force. A version that no longer loads (the
    files changed under it) is left out, with a warning in the log, rather than stopping
    every draft."""
    changed, retired = [], []
    for version in versions:
        if version.retired:
            retired.append(version.variant_id)
            continue
        try:
            changed.append(
                parse_variant(
                    version.source,
                    language=version.language,
                    part=version.part,
                    others={},
                    where=f"saved version {version.number}",
                )
            )
        except DataFileError as error:
            logger.warning("template %s version %s: %s", version.variant_id, version.number, error)
    try:
        return with_versions(files, changed, retired)
    except DataFileError as error:
        logger.warning("saved template versions left out: %s", error)
        return files


@dataclass(frozen=True)
class Saved:
    version: TemplateVersion
    check: VariantCheck | None


def _add(
    session: Session,
    *,
    language: str,
    part: str,
    variant_id: str,
    market: str | None,
    source: str,
    retired: bool,
    note: str,
    old_text: str,
    new_text: str,
    actor: User,
    now: datetime,
) -> TemplateVersion:
    name = market_name(session, market)
    number = (
        session.scalar(
            select(func.max(TemplateVersion.number)).where(TemplateVersion.variant_id == variant_id)
        )
        or 0
    ) + 1
    version = TemplateVersion(
        language=language,
        part=part,
        variant_id=variant_id,
        market=market,
        number=number,
        source=source,
        retired=retired,
        note=note.strip()[:200],
        created_by_id=actor.id,
        created_at=now,
    )
    try:
        with session.begin_nested():  # two admins saving the same variant at once
            session.add(version)
    except IntegrityError:
        # Refused like a bad line, so the page keeps what was typed.
        raise TemplateRefused(
            [
                "Someone saved a version of this variant a moment ago, so yours was not "
                "saved: open the variant again to see theirs, then save yours on top."
            ]
        ) from None
    audit.record(
        session,
        action=SAVED,
        entity_type="template_variant",
        entity_id=version.id,
        actor_id=actor.id,
        now=now,
        details={
            "variant_id": variant_id,
            "language": language,
            "market": market,
            "number": number,
            "retired": retired,
            "old": old_text,
            "new": new_text,
            "changes": [
                f"{variant_id}{f' for the market {name} ({market})' if market else ''}: "
                f"{f'“{old_text}”' if old_text else 'none in force'} → "
                f"{f'“{new_text}”' if new_text else 'retired'}"
            ],
        },
    )
    return version


def _refuse_unless_admin(actor: User) -> None:
    refusal = edit_refusal(actor)
    if refusal:
        raise refusal


def save(
    session: Session,
    source: str,
    *,
    language: str,
    part: str,
    variant_id: str | None,
    note: str,
    library: Library,
    checker: Checker,
    actor: User,
    now: datetime,
    market: str | None = None,
) -> Saved:
    """Check the typed variant and add it as the variant's next version (a new variant
    when `variant_id` is None) for `market` (None: every market); audited with the old and
    the new text. `library`: the one in force in that market."""
    _refuse_unless_admin(actor)
    if part not in PARTS:
        raise TemplateRefused([f"line 1: unknown part {part!r}"])
    variant, result = check(
        source,
        language=language,
        part=part,
        variant_id=variant_id,
        library=library,
        checker=checker,
    )
    old = library.by_id.get(variant.id)
    version = _add(
        session,
        language=language,
        part=part,
        variant_id=variant.id,
        market=market,
        source=source.strip() + "\n",
        retired=False,
        note=note,
        old_text=old.text if old else "",
        new_text=variant.text,
        actor=actor,
        now=now,
    )
    return Saved(version, result)


def retire(
    session: Session,
    variant_id: str,
    *,
    note: str,
    library: Library,
    actor: User,
    now: datetime,
    market: str | None = None,
) -> Saved:
    """A version that takes the variant out of the library of `market` (None: of every
    market; its part keeps another)."""
    _refuse_unless_admin(actor)
    variant = library.by_id.get(variant_id)
    if variant is None:
        raise Refused("not_found", f"No variant {variant_id} is in force.")
    try:
        with_versions(library, [], [variant_id])
    except DataFileError as error:
        raise Refused("conflict", f"{variant_id} cannot be retired: {error.message}.") from None
    version = _add(
        session,
        language=variant.language,
        part=variant.part,
        variant_id=variant_id,
        market=market,
        source="",
        retired=True,
        note=note,
        old_text=variant.text,
        new_text="",
        actor=actor,
        now=now,
    )
    return Saved(version, None)


def restore(
    session: Session,
    variant_id: str,
    number: int,
    *,
    files: Library,
    library: Library,
    checker: Checker,
    actor: User,
    now: datetime,
    market: str | None = None,
) -> Saved:
    """Go back to version `number` of a variant (0: the file's): a new version equal to it
    for `market` (None: every market), checked again (the tone policy may have changed)."""
    _refuse_unless_admin(actor)
    if number == 0:
        shipped = files.by_id.get(variant_id)
        if shipped is None:
            raise Refused("not_found", f"{variant_id} is not in the files.")
        language, part, source, retired = shipped.language, shipped.part, as_source(shipped), False
    else:
        old = session.scalar(
            select(TemplateVersion).where(
                TemplateVersion.variant_id == variant_id, TemplateVersion.number == number
            )
        )
        if old is None:
            raise Refused("not_found", f"{variant_id} has no version {number}.")
        language, part, source, retired = old.language, old.part, old.source, old.retired
    note = f"back to version {number}" if number else "back to the file's text"
    if retired:
        return retire(
            session, variant_id, note=note, library=library, actor=actor, now=now, market=market
        )
    return save(
        session,
        source,
        language=language,
        part=part,
        variant_id=variant_id,
        note=note,
        library=library,
        checker=checker,
        actor=actor,
        now=now,
        market=market,
    )


# --- the library in force, per process ---------------------------------------------------


class LibraryInForce:
    """The files' library combined with the versions in force, and each market's over that,
    built again when the `template_versions` table changed (its row count and highest id:
    versions are only added), so a save in one worker reaches the others on their next
    request."""

    def __init__(self, files: Library) -> None:
        self.files = files
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._library = files
        self._markets: dict[str, Library] = {}

    def get(self, session: Session, market: str | None = None) -> Library:
        """The library in force for `market` (None: every market's, without its own)."""
        count, highest = session.execute(
            select(func.count(TemplateVersion.id), func.max(TemplateVersion.id))
        ).one()
        stamp = (count, highest or 0)
        with self._lock:
            if stamp != self._stamp:
                library = combine(self.files, in_force(session)) if count else self.files
                self._library, self._markets, self._stamp = library, {}, stamp
            if market is None or not count:
                return self._library
            found = self._markets.get(market)
            if found is None:
                own = in_force(session, market)
                found = combine(self._library, own) if own else self._library
                self._markets[market] = found
            return found

    def forget(self) -> None:
        """Build again on the next `get` (after a save in this process)."""
        self._stamp = None
