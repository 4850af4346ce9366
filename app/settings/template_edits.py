"""The edit page of one reply variant (Admin → Template library → Edit): what it shows and
what its buttons do, in plain Python (the view only translates HTTP).

It shows the variant in force as YAML, a preview of what was typed (filled with sample
values in the variant's language and the market's company details, the tone findings
marked), the problems by line when a save is refused (what was typed stays), and the
variant's versions with who saved each. A page is for every market (`market` None) or for
one market's own version of the variant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.drafts.response_templates import PART_LABELS, PARTS, Library
from app.settings import template_versions
from app.settings.models import TemplateVersion
from app.settings.template_checks import Issue, VariantCheck

#: What a new variant's textarea starts with.
NEW_SOURCE = "id: {part}-{language}-new\ntext: \n"


@dataclass(frozen=True)
class Piece:
    """A stretch of the preview: plain, or words a tone finding is about."""

    text: str
    issue: Issue | None = None


def marked(check: VariantCheck) -> list[Piece]:
    """The filled text in pieces, the words of each tone finding apart to be marked."""
    pieces = [Piece(check.filled)]
    for issue in check.issues:
        if not issue.words:
            continue
        for index, piece in enumerate(pieces):
            at = piece.text.find(issue.words) if piece.issue is None else -1
            if at >= 0:
                pieces[index : index + 1] = [
                    Piece(piece.text[:at]),
                    Piece(issue.words, issue),
                    Piece(piece.text[at + len(issue.words) :]),
                ]
                break
    return [piece for piece in pieces if piece.text]


@dataclass(frozen=True)
class VersionLine:
    number: int
    author: str
    at: datetime
    note: str
    retired: bool
    text: str
    in_force: bool


@dataclass
class EditPage:
    language: str
    part: str
    variant_id: str | None
    library: Library
    source: str
    note: str = ""
    problems: tuple[str, ...] = ()
    check: VariantCheck | None = None
    versions: list[VersionLine] = field(default_factory=list)
    #: The variant is in the files (so "back to the file's text" is offered).
    shipped: bool = False
    retired: bool = False
    #: The market whose own version this page edits (key and name); None: every market.
    market: str | None = None
    market_name: str | None = None

    @property
    def part_label(self) -> str:
        return PART_LABELS[self.part]

    @property
    def preview(self) -> list[Piece]:
        return marked(self.check) if self.check else []

    @classmethod
    def of(
        cls,
        session: Session,
        *,
        library: Library,
        files: Library,
        language: str,
        part: str,
        variant_id: str | None,
        market: str | None = None,
        market_name: str | None = None,
    ) -> EditPage | None:
        """The page for `variant_id` (None: a new variant) in `market` (None: every
        market; `library` is the one in force there), or None when there is none."""
        if part not in PARTS or language not in library.languages:
            return None
        if variant_id is None:
            source = NEW_SOURCE.format(part=part, language=language)
            return cls(
                language, part, None, library, source, market=market, market_name=market_name
            )
        rows = template_versions.versions_of(session, variant_id, market)
        current = library.by_id.get(variant_id) or files.by_id.get(variant_id)
        if current is None and not rows:
            return None
        if current is not None and (current.language, current.part) != (language, part):
            return None
        source = template_versions.as_source(current) if current else ""
        if variant_id not in library.by_id:
            source = next((row.source for row in rows if not row.retired), source)
        return cls(
            language,
            part,
            variant_id,
            library,
            source,
            versions=[_line(row, index == 0) for index, row in enumerate(rows)],
            shipped=variant_id in files.by_id,
            retired=variant_id not in library.by_id,
            market=market,
            market_name=market_name,
        )

    def typed(self, source: str, note: str) -> None:
        self.source, self.note = source, note

    def preview_check(self, checker: template_versions.Checker) -> None:
        self.check = template_versions.check(
            self.source,
            language=self.language,
            part=self.part,
            variant_id=self.variant_id,
            library=self.library,
            checker=checker,
        )[1]

    def save(
        self, session: Session, checker: template_versions.Checker, *, actor: User, now: datetime
    ) -> TemplateVersion:
        return template_versions.save(
            session,
            self.source,
            language=self.language,
            part=self.part,
            variant_id=self.variant_id,
            note=self.note,
            library=self.library,
            checker=checker,
            actor=actor,
            now=now,
            market=self.market,
        ).version

    def refused(self, refusal: template_versions.TemplateRefused) -> None:
        self.problems, self.check = refusal.problems, refusal.check

    def submit(
        self,
        session: Session,
        action: str | None,
        checker: template_versions.Checker,
        *,
        actor: User,
        now: datetime,
    ) -> TemplateVersion | None:
        """Preview (`action` other than "save") or save what was typed: the version saved,
        or None with the preview or the problems on the page."""
        try:
            if action == "save":
                return self.save(session, checker, actor=actor, now=now)
            self.preview_check(checker)
        except template_versions.TemplateRefused as refusal:
            self.refused(refusal)
        return None


def _line(row: TemplateVersion, latest: bool) -> VersionLine:
    return VersionLine(
        number=row.number,
        author=row.created_by.name if row.created_by else "someone",
        at=row.created_at,
        note=row.note,
        retired=row.retired,
        text=row.source,
        in_force=latest,
    )


def where_is(
    session: Session, library: Library, files: Library, variant_id: str, market: str | None = None
) -> tuple[str, str]:
    """The language and part of a variant in force, in the files or saved (for `market`)."""
    variant = library.by_id.get(variant_id) or files.by_id.get(variant_id)
    if variant is not None:
        return variant.language, variant.part
    rows = template_versions.versions_of(session, variant_id, market)
    return (rows[0].language, rows[0].part) if rows else ("en", PARTS[0])


def version_action(
    session: Session,
    variant_id: str,
    *,
    action: str,
    number: int,
    library: Library,
    files: Library,
    checker: template_versions.Checker,
    actor: User,
    now: datetime,
    market: str | None = None,
) -> TemplateVersion:
    """The history's buttons: "retire" the variant, or go back to version `number`, in
    `market` (None: every market; `library` is the one in force there)."""
    if action == "retire":
        return template_versions.retire(
            session,
            variant_id,
            note="retired",
            library=library,
            actor=actor,
            now=now,
            market=market,
        ).version
    return template_versions.restore(
        session,
        variant_id,
        number,
        files=files,
        library=library,
        checker=checker,
        actor=actor,
        now=now,
        market=market,
    ).version
