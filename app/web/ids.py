"""The `int` URL converter, bounded to the ids a row can have (`app.core.ids`).

Registered in place of Werkzeug's `int`, so every `/<int:complaint_id>` route, pages and
API alike, answers 404 for 0, -1, 2147483648 or a 400-digit number before its view runs.
The bound is in the pattern itself, not only in `to_python`: a URL that no rule matches
is a plain 404 (Werkzeug answers 405 when one rule of the path refuses the value and a
sibling rule exists only for another method).
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

from app.core.ids import MAX_ID


def up_to(limit: int) -> str:
    """A regular expression for the whole numbers 1..limit, without leading zeros."""
    digits = str(limit)
    choices = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for position, digit in enumerate(digits):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - position - 1
            choices.append(f"{digits[:position]}[{lowest}-{int(digit) - 1}]" + rf"\d{{{rest}}}")
    choices.append(digits)
    return "(?:" + "|".join(choices) + ")"


class IdConverter(IntegerConverter):
    regex = up_to(MAX_ID)

    def __init__(
        self,
        map: Map,  # noqa: A002  (Werkzeug's own argument names)
        fixed_digits: int = 0,
        min: int | None = 1,  # noqa: A002
        max: int | None = MAX_ID,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
