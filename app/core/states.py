"""Small tables of allowed status moves, for the records whose status is not a workflow of
its own (complaints, publications, imports): one place says which moves exist, and a
status changes only through `Moves.check`.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from typing import Generic, TypeVar

from app.core.errors import DomainError

S = TypeVar("S", bound=enum.Enum)


class IllegalMove(DomainError):
    """A status move the table does not allow: a bug, or a race lost to another change."""

    default_code = "invalid_state"


class Moves(Generic[S]):
    """The allowed moves of one status: {from: {to, …}}."""

    def __init__(self, what: str, allowed: Mapping[S, Collection[S]]) -> None:
        self.what = what
        self.allowed = {before: frozenset(after) for before, after in allowed.items()}

    def sources(self, after: S) -> tuple[S, ...]:
        """Every status that may move to `after`: the WHERE of a set-based move."""
        return tuple(before for before, allowed in self.allowed.items() if after in allowed)

    def check(self, before: S, after: S) -> S:
        """`after`, when the move from `before` is allowed; else IllegalMove."""
        if after not in self.allowed.get(before, frozenset()):
            raise IllegalMove(f"A {self.what} that is {before.value} cannot become {after.value}.")
        return after
