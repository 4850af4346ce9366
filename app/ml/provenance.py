"""What a shipped model was made from: every data file its training opened, the training
code and the libraries, each with its SHA-256, written beside the model as
`<name>.inputs.json` by `python -m app.ml.train`.

The tests compare it with the files as they are now, for every model, in milliseconds: a
labelled set, a shared corpus or the training code changed since the model was trained
means it must be retrained (`make models`). Retraining a model takes seconds to minutes, so
the suite retrains one model of each recipe (the weights must come out byte for byte the
same: training is deterministic) and `make models-check` retrains them all.

Files are recorded as training opens them (an audit hook on `open`), so a recipe cannot
forget to declare one. Only the team's labelled sets (tests/data) and the shared data
(../shared/data) are data; code is app/ml and the data-file reader it uses.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from app.ml import training

_HERE = Path(__file__).resolve()
#: The code every model's weights depend on (a change to any of it may change them all).
CODE = (
    *sorted(
        path
        for path in Path(__file__).resolve().parent.rglob("*.py")
        if path.name != "provenance.py"
    ),
    training.REPOSITORY / "app" / "core" / "datafile.py",
)
LIBRARIES = ("numpy", "scipy", "scikit-learn", "mmh3")

_recording: list[set[Path]] = []
_hooked = False


#: Audit events of files opened and folders listed (a recipe globs "tone_dev_*.yaml": a new
#: file in the folder may be a new input).
_EVENTS = {"open": "file", "os.scandir": "folder", "os.listdir": "folder"}


def _on_open(event: str, args: tuple) -> None:
    kind = _EVENTS.get(event)
    if kind and _recording and args and isinstance(args[0], str | Path):
        _recording[-1].add((kind, Path(args[0]).resolve()))


@contextmanager
def recording() -> Iterator[set[tuple[str, Path]]]:
    """("file" or "folder", path) of what is opened and listed inside the block. The
    process's caches of parsed labelled sets and corpus features are emptied first, so
    that a file read by an earlier model of the same process is opened (and recorded)
    again."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_on_open)  # hooks cannot be removed: it only records when asked
        _hooked = True
    training.clear_caches()
    opened: set[tuple[str, Path]] = set()
    _recording.append(opened)
    try:
        yield opened
    finally:
        _recording.pop()


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _name(path: Path, shared: Path) -> str | None:
    """How a data file or folder is written in the record, or None when it is not data."""
    for root, prefix in (
        (training.REPOSITORY / "tests" / "data", "tests/data"),
        (shared, "../shared/data"),
    ):
        root = root.resolve()
        if path == root or path.is_relative_to(root):
            return f"{prefix}/{path.relative_to(root).as_posix()}".removesuffix("/.")
    return None


def _path(name: str, shared: Path) -> Path:
    if name.startswith("../shared/data"):
        return shared / name.removeprefix("../shared/data").lstrip("/")
    return training.REPOSITORY / name


def _listing(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir() if entry.is_file())


def inputs(opened: set[tuple[str, Path]], shared: Path) -> dict:
    """The record of a training that opened and listed `opened`."""
    data, folders = {}, {}
    for kind, path in opened:
        name = _name(path, shared)
        if name is None:
            continue
        if kind == "file" and path.is_file():
            data[name] = _digest(path)
        elif kind == "folder" and path.is_dir():
            folders[name] = _listing(path)
    return {
        "data": dict(sorted(data.items())),
        "folders": dict(sorted(folders.items())),
        "code": {path.relative_to(training.REPOSITORY).as_posix(): _digest(path) for path in CODE},
        "libraries": {name: metadata.version(name) for name in LIBRARIES},
    }


def record_path(folder: Path, name: str) -> Path:
    return folder / f"{name}.inputs.json"


def write(record: dict, model_file: Path, folder: Path, name: str) -> None:
    record = {"model": {model_file.name: _digest(model_file)}, **record}
    record_path(folder, name).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def changes(folder: Path, name: str, shared: Path) -> list[str]:
    """What differs between the record beside a shipped model and the files as they are
    now, one line each ("tests/data/tone_dev_a.yaml changed"); empty when nothing does."""
    path = record_path(folder, name)
    if not path.exists():
        return [f"{path.name} is missing"]
    record = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for model_file, digest in record["model"].items():
        if _digest(folder / model_file) != digest:
            found.append(f"{model_file} is not the file training wrote")
    for kind in ("data", "code"):
        for relative, digest in record[kind].items():
            file = _path(relative, shared)
            if not file.exists():
                found.append(f"{relative} is gone")
            elif _digest(file) != digest:
                found.append(f"{relative} changed")
    for relative, names in record["folders"].items():
        folder = _path(relative, shared)
        now = _listing(folder) if folder.is_dir() else []
        found += [f"{relative}/{name} is new" for name in sorted(set(now) - set(names))]
    current = {path.relative_to(training.REPOSITORY).as_posix() for path in CODE}
    found += [f"{relative} is new" for relative in sorted(current - set(record["code"]))]
    for library, version in record["libraries"].items():
        if metadata.version(library) != version:
            found.append(f"{library} is {metadata.version(library)}, trained with {version}")
    return found
