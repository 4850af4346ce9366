"""`blame` (English): blaming the customer in a reply (the label below).

What it learns from and how it is measured: app/ml/recipes/reply_code.py.
"""

from __future__ import annotations

from pathlib import Path

from app.ml.model import TextModel
from app.ml.recipes import reply_code
from app.ml.training import Recipe

NAME = "blame"
LABEL = "blaming or lecturing the customer, directly or through the policy or the terms"
#: The hostile model's features (the check featurises each sentence once for both); C
#: and the line: reply_code.py.
RECIPE = Recipe(c=1.0, dual=True)


def train(shared: Path) -> tuple[TextModel, dict]:
    return reply_code.train_code(NAME, LABEL, RECIPE, shared)


markdown = reply_code.markdown
