"""The screens in a real browser: Debian's Chromium driven by Playwright, against the app
served on 127.0.0.1 from a thread, on the test clock.

- `browser`: Chromium at /usr/bin/chromium (Playwright never downloads one). In CI
  (CI=true) a missing Chromium or axe-core is a failure, not a skip.
- `live_server`: the per-test app (`app` fixture: migrated database, frozen clock) served
  for the browser.
- `scan(page, screen)`: axe-core from the npm registry (tests/browser/node_modules,
  installed by `make install-dev`), injected into the page; every result is kept for the
  run's accessibility report.
- `shoot(page, name)`: a PNG in SCREENSHOT_DIR (default /tmp/composure-screenshots),
  outside the repository.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.fixtures.app import IN_CI

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = Path(
    os.environ.get("SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "composure-screenshots"
)
WIDTHS = {"desktop": 1280, "phone": 390}
#: What the scan must not find (axe's impact levels).
FORBIDDEN_IMPACTS = ("serious", "critical")


def _missing(message: str) -> None:
    if IN_CI:
        pytest.fail(message + " (CI=true: .ci/run must install it)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _missing(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def serve(app) -> tuple[str, object]:
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}", (server, thread)


def stop(handle) -> None:
    server, thread = handle
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test app served on 127.0.0.1 from a thread, for the browser."""
    base, handle = serve(app)
    yield base
    stop(handle)


#: What each page's console said that a person would call broken: script errors and
#: anything the Content-Security-Policy refused (an inline script or style, a request out).
CONSOLE_PROBLEMS: dict[int, list[str]] = {}


def watch(page) -> None:
    problems = CONSOLE_PROBLEMS.setdefault(id(page), [])
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: _console(problems, message))
    page.on("response", lambda response: _response(problems, response))


def _console(problems: list[str], message) -> None:
    # A page answered with 4xx on purpose (a refused action) logs "Failed to load
    # resource" too: what it loaded is judged by `_response` instead.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(message.text)


def _response(problems: list[str], response) -> None:
    """A stylesheet, script, image or check the page asked for and did not get."""
    if response.status >= 400 and response.request.resource_type != "document":
        problems.append(f"{response.status} for {response.url}")


def problems_on(page) -> list[str]:
    return CONSOLE_PROBLEMS.get(id(page), [])


@pytest.fixture
def page_for(browser, live_server):
    """`page_for(person)`: a page in its own browser context, signed in as that person;
    its console errors are kept (`problems_on(page)`)."""
    contexts = []

    def make(person=None, *, width: int = 1280, password: str | None = None):
        from tests.fixtures.users import PASSWORD

        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch(page)
        if person is not None:
            sign_in(page, live_server, person.email, password or PASSWORD)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


# The accessibility scan ----------------------------------------------------------------


@dataclass
class ScanResult:
    screen: str
    width: str
    url: str
    #: impact -> number of violations (rules) of that impact
    impacts: dict[str, int] = field(default_factory=dict)
    #: every violation: rule id, impact, help text and the first few targets
    violations: list[dict] = field(default_factory=list)
    passes: int = 0

    @property
    def forbidden(self) -> list[dict]:
        return [v for v in self.violations if v["impact"] in FORBIDDEN_IMPACTS]


RESULTS: list[ScanResult] = []


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing(f"axe-core is not installed at {AXE} (make install-dev runs npm ci)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def scan(axe_source):
    """`scan(page, screen, width)`: run axe-core (WCAG 2.x A and AA rules plus best
    practices) on the page as it is; returns a ScanResult and keeps it for the report."""

    def run(page, screen: str, width: str = "desktop") -> ScanResult:
        # Evaluated through the DevTools protocol, so the app's Content-Security-Policy
        # (script-src 'self') stays on and is tested along with the page.
        page.evaluate(axe_source)
        raw = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ['violations']});
                return {
                    passes: result.passes.length,
                    violations: result.violations.map(v => ({
                        id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
                        nodes: v.nodes.length,
                    })),
                };
            }"""
        )
        result = ScanResult(screen=screen, width=width, url=page.url, passes=raw["passes"])
        result.violations = raw["violations"]
        for violation in result.violations:
            impact = violation["impact"] or "minor"
            result.impacts[impact] = result.impacts.get(impact, 0) + 1
        RESULTS.append(result)
        return result

    return run


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"  {v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['targets'])}" for v in violations
    )


def shoot(page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(target), full_page=full_page)
    return target


def pytest_sessionfinish(session) -> None:
    if not RESULTS:
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    report = [
        {
            "screen": r.screen,
            "width": r.width,
            "url": r.url,
            "impacts": r.impacts,
            "passes": r.passes,
            "violations": r.violations,
        }
        for r in RESULTS
    ]
    (SCREENSHOT_DIR / "axe-results.json").write_text(json.dumps(report, indent=2))


def pytest_terminal_summary(terminalreporter) -> None:
    if not RESULTS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("accessibility scan (axe-core) and screenshots")
    write(f"{'screen':28} {'width':8} {'critical':>8} {'serious':>8} {'moderate':>8} {'minor':>6}")
    for r in RESULTS:
        counts = [r.impacts.get(level, 0) for level in ("critical", "serious", "moderate", "minor")]
        write(
            f"{r.screen:28} {r.width:8} "
            + " ".join(f"{n:>8}" for n in counts[:3])
            + f" {counts[3]:>6}"
        )
    others = sorted({v["id"] for r in RESULTS for v in r.violations})
    write(f"{len(RESULTS)} scans; rules with any finding: {', '.join(others) or 'none'}")
    shots = sorted(SCREENSHOT_DIR.glob("*.png"))
    write(f"{len(shots)} screenshots in {SCREENSHOT_DIR}")
