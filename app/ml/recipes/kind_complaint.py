"""`kind_complaint` (English): one of the three models of a complaint's kind; what they learn
from, how they are combined and why there are three: app/ml/recipes/kinds.py."""

from __future__ import annotations

from pathlib import Path

from app.ml.model import TextModel
from app.ml.recipes import kinds

NAME = "kind_complaint"


def train(shared: Path) -> tuple[TextModel, dict]:
    return kinds.train(NAME, shared)


def markdown(card: dict) -> str:
    return kinds.markdown(card)
