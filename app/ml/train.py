"""Train a model and write it, with its card, into app/ml/models/<language>/.

    python -m app.ml.train hostile            # or: make models (all of them)
    python -m app.ml.train de/hostile         # another language's: <language>/<name>
    python -m app.ml.train hostile --out DIR  # somewhere else (the test compares the two)

Reads the public data in ../shared/data (beside the repository; never copied into it) and
the team's labelled texts in tests/data. Fixed seed; the same data give the same weights.
Beside each model, `<name>.inputs.json` records every file the training opened, the code
and the libraries, with their hashes (app/ml/provenance.py).
What each model learns from is its recipe's docstring (app/ml/recipes/<name>.py).
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from types import ModuleType

from app.ml import provenance
from app.ml.model import MODELS_DIR, TextModel
from app.ml.training import SHARED, write

#: The English models, each a module of app/ml/recipes with `NAME`,
#: `train(shared) -> (model, card)` and `markdown(card) -> str`.
ENGLISH = (
    "hostile",
    "argumentative",
    "dismissive",
    "sarcasm",
    "blame",
    "anger",
    "kind_complaint",
    "kind_question",
    "kind_praise",
)

#: The other languages' models, "<language>/<name>" -> the module of app/ml/recipes that
#: trains it, parametrised by language: `train_in(name, language, shared)`, `markdown(card)`.
IN_LANGUAGES = {
    "de/hostile": "corpus",
    "pl/hostile": "corpus",
    **{f"{language}/anger": "corpus" for language in ("nl", "de", "es", "pl")},
    "lv/negative": "corpus",
    **{
        f"{language}/{name}": "kinds"
        for language in ("nl", "de", "es", "pl", "lv")
        for name in ("kind_complaint", "kind_question", "kind_praise")
    },
}

#: Every model there is a recipe for (`make models` trains them all).
RECIPES = (*ENGLISH, *IN_LANGUAGES)


def key(name: str, language: str = "en") -> str:
    """The recipe's name of a model: "hostile" in English, "de/hostile" in German."""
    return name if language == "en" else f"{language}/{name}"


def recipe(name: str) -> ModuleType:
    if name not in RECIPES:
        raise SystemExit(f"no recipe for {name!r}; known: {', '.join(RECIPES)}")
    return importlib.import_module(f"app.ml.recipes.{IN_LANGUAGES.get(name, name)}")


def train(name: str, shared: Path = SHARED) -> tuple[TextModel, dict]:
    if name in IN_LANGUAGES:
        language, model = name.split("/")
        return recipe(name).train_in(model, language, shared)
    return recipe(name).train(shared)


def markdown(card: dict) -> str:
    return recipe(key(card["name"], card["language"])).markdown(card)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(RECIPES))
    parser.add_argument("--out", type=Path, help="folder (default app/ml/models/<language>)")
    parser.add_argument("--data", type=Path, default=SHARED, help="the shared data folder")
    args = parser.parse_args(argv)
    with provenance.recording() as opened:
        model, card = train(args.name, args.data)
    folder = args.out or MODELS_DIR / model.language
    write(model, card, markdown(card), folder)
    record = provenance.inputs(opened, args.data)
    provenance.write(record, folder / f"{model.name}.npz", folder, model.name)
    print(markdown(card))


if __name__ == "__main__":
    main()
