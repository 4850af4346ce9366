"""The API against its own contract: schemathesis over /api/v1/openapi.json, in process.

    python bench/api_fuzz.py [--examples 100] [--seed 17] [--token act|read]

Builds the app on a fresh SQLite database (a temporary folder) with the demo complaints
and replies and a person who holds every role, then lets schemathesis send what the
OpenAPI document allows and what it forbids to every operation, with that person's API
token. Prints a table per operation: requests sent, server errors, and contract
violations (a response not in the document, a schema-valid request refused, a
schema-violating one accepted); then each distinct failure with a curl line to replay it.
Exit 1 when anything failed. tests/test_api_contract.py runs the same with few examples.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import schemathesis  # noqa: E402
from schemathesis.engine import events, from_schema  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

OPENAPI = "/api/v1/openapi.json"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

#: What every response is held to. `schema_valid_request_accepted` is schemathesis's
#: positive_data_acceptance with the refusals below allowed.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "schema_valid_request_accepted",
    "unsupported_method",
    "allow_header_conformance",
)

#: Refusals of schema-valid requests that JSON Schema cannot state, each said in words in
#: the document: operation -> the fields a 422 may name. `received_at` may not be in the
#: future nor before 2000 (relative to the server's clock).
UNSTATED_RULES = {"POST /api/v1/complaints": {"received_at"}}

#: Operations that analyse or tone-check the text they get: the coverage phase's boundary
#: values (texts of 20,000 and 50,000 characters) take seconds each there.
ANALYSING = (
    "POST /api/v1/analyze",
    "POST /api/v1/drafts/compose",
    "POST /api/v1/tone-check",
    "POST /api/v1/complaints",
    "POST /api/v1/complaints/{complaint_id}/drafts",
)


#: schemathesis's phases used here (the stateful one needs links the document has not).
PHASES = ("examples", "coverage", "fuzzing")


@schemathesis.check
def schema_valid_request_accepted(ctx, response, case):
    """positive_data_acceptance, except a 422 that names only fields of UNSTATED_RULES."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except AssertionError:
        allowed = UNSTATED_RULES.get(case.operation.label)
        if response.status_code == 422 and allowed:
            fields = set((response.json() or {}).get("error", {}).get("fields") or {})
            if fields and fields <= allowed:
                return None
        raise


@dataclass
class Tally:
    """One operation's run: requests sent, responses with a 5xx, and failures by check."""

    requests: int = 0
    server_errors: int = 0
    seconds: float = 0.0
    violations: Counter = field(default_factory=Counter)
    #: (check, title, curl) once each
    failures: dict = field(default_factory=dict)


def prepare(app) -> dict[str, str]:
    """The demo complaints and replies, and one person with every role (signing off for
    legal and pr): their API tokens by scope, `act` (everything) and `read`."""
    from app.accounts import operations
    from app.accounts.models import Role, TokenScope
    from app.demo import load_demo, load_demo_drafts
    from app.extensions import db
    from app.services import Services

    with app.app_context():
        load_demo(db.session, now=T0)
        db.session.commit()
        services = Services.of(app, db.session)
        load_demo_drafts(
            db.session,
            library=services.library,
            tone_policy=services.tone_policy,
            workflow_policy=services.workflow_policy,
            now=T0,
        )
        user = operations.create_user(
            db.session,
            email="fuzz@example.com",
            name="Fen Fuzz",
            roles=set(Role),
            groups={"legal", "pr"},
            password="correct horse battery",
            actor=None,
            now=T0,
        )
        db.session.flush()
        tokens = {
            scope.value: operations.create_api_token(
                db.session, user=user, name="fuzz", scope=scope, actor=None, now=T0
            )[1]
            for scope in (TokenScope.ACT, TokenScope.READ)
        }
        db.session.commit()
    return tokens


def fuzz(
    app,
    token: str,
    *,
    max_examples: int,
    seed: int,
    phases: tuple[str, ...] = PHASES,
    analysing: tuple[str, ...] = PHASES,
) -> dict[str, Tally]:
    """Run schemathesis on every operation with `token`; a Tally per operation label.
    `analysing`: the phases the ANALYSING operations run (CI: only their examples)."""
    config = schemathesis.Config.from_dict(
        {
            "seed": seed,
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {"max-examples": max_examples, "deterministic": True},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "phases": {
                "stateful": {"enabled": False},
                **{phase: {"enabled": phase in phases} for phase in PHASES},
            },
            "operations": [
                {
                    "include-name": label,
                    "phases": {
                        phase: {"enabled": phase in analysing and phase in phases}
                        for phase in PHASES
                    },
                }
                for label in ANALYSING
                if set(analysing) != set(PHASES)
            ],
        }
    )
    schema = schemathesis.openapi.from_wsgi(OPENAPI, app, config=config)
    tallies: dict[str, Tally] = {}
    for event in from_schema(schema).execute():
        if isinstance(event, events.FatalError):
            raise event.exception
        if isinstance(event, events.NonFatalError):
            raise event.value
        if not isinstance(event, events.ScenarioFinished):
            continue
        recorder = event.recorder
        tally = tallies.setdefault(recorder.label, Tally())
        tally.seconds += event.elapsed_time
        for interaction in recorder.interactions.values():
            tally.requests += 1
            if interaction.response is not None and interaction.response.status_code >= 500:
                tally.server_errors += 1
        for checks in recorder.checks.values():
            for check in checks:
                if check.failure_info is None:
                    continue
                tally.violations[check.name] += 1
                failure = check.failure_info.failure
                key = (check.name, failure.title, getattr(failure, "message", ""))
                tally.failures.setdefault(key, check.failure_info.code_sample)
    return tallies


def table(tallies: dict[str, Tally]) -> str:
    width = max(len(label) for label in tallies)
    lines = [f"{'operation':{width}}  requests  seconds  5xx  violations"]
    for label in sorted(tallies, key=lambda label: label.split(" ", 1)[::-1]):
        tally = tallies[label]
        named = ", ".join(f"{name} {count}" for name, count in sorted(tally.violations.items()))
        lines.append(
            f"{label:{width}}  {tally.requests:8}  {tally.seconds:7.1f}  {tally.server_errors:3}  "
            f"{sum(tally.violations.values()):10}{'  ' + named if named else ''}"
        )
    total = Tally()
    for tally in tallies.values():
        total.requests += tally.requests
        total.server_errors += tally.server_errors
        total.seconds += tally.seconds
        total.violations.update(tally.violations)
    lines.append(
        f"{'total':{width}}  {total.requests:8}  {total.seconds:7.1f}  {total.server_errors:3}  "
        f"{sum(total.violations.values()):10}"
    )
    return "\n".join(lines)


def failures(tallies: dict[str, Tally]) -> str:
    lines = []
    for label, tally in sorted(tallies.items()):
        for (check, title, message), curl in tally.failures.items():
            lines += [f"{label}: {check}: {title}", f"  {message}".rstrip(), f"  {curl}"]
    return "\n".join(lines)


def make_app(folder: Path):
    from flask_migrate import upgrade

    from app import create_app
    from app.core.clock import FrozenClock
    from app.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'fuzz.sqlite3'}",
            "CLOCK": FrozenClock(T0),
            "SECRET_KEY": "api-fuzz",
        }
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100, help="per operation and phase")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--token", choices=("act", "read"), default="act")
    args = parser.parse_args()
    from argon2 import PasswordHasher

    from app.accounts import passwords

    # A throwaway database: the demo people need no real Argon2 cost.
    passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    app = make_app(Path(tempfile.mkdtemp(prefix="composure-fuzz-")))
    tokens = prepare(app)
    started = datetime.now(UTC)
    tallies = fuzz(app, tokens[args.token], max_examples=args.examples, seed=args.seed)
    seconds = (datetime.now(UTC) - started).total_seconds()
    print(
        f"schemathesis {schemathesis.__version__}, {args.examples} examples, seed {args.seed}, "
        f"{args.token} token, {seconds:.0f} s"
    )
    print(table(tallies))
    found = failures(tallies)
    if found:
        print("\n" + found)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
