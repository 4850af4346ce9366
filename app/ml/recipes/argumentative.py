"""`argumentative` (English): contradicting the customer or arguing the facts.

What it learns from and how it is measured: app/ml/recipes/reply_code.py.
"""

from __future__ import annotations

from pathlib import Path

from app.ml.model import TextModel
from app.ml.recipes import reply_code
from app.ml.training import Recipe

NAME = "argumentative"
LABEL = (
    'contradicting the customer or arguing the facts ("your claim is false", "our records show")'
)
#: The hostile model's features (the check featurises each sentence once for both); C
#: and the line: reply_code.py.
RECIPE = Recipe(c=1.0, dual=True)


def train(shared: Path) -> tuple[TextModel, dict]:
    return reply_code.train_code(NAME, LABEL, RECIPE, shared)


markdown = reply_code.markdown
