"""Screenshots of the main screens for the README, taken in Debian's Chromium.

Serves the app with demo data on 127.0.0.1 (a throwaway SQLite database), signs in as the
demo agent and photographs each screen at 1280 px and 390 px wide. Playwright drives the
browser at /usr/bin/chromium; it never downloads one.

    .venv/bin/python .ci/screenshots.py OUT_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.demo_server import demo_server  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENS = [
    ("login", "/login", False),
    ("inbox", "/", True),
    ("complaint", "/complaints/3", True),
    ("paste", "/complaints/new", True),
]
#: Full-page pictures for screens whose point is below the fold.
FULL_PAGE = {"complaint", "draft"}
WIDTHS = {"desktop": 1280, "phone": 390}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with demo_server() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        for size, width in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": 900})
            signed_in = False
            for name, path, needs_account in SCREENS:
                if needs_account and not signed_in:
                    page.goto(base + "/login")
                    page.fill("#email", "agent@example.com")
                    page.fill("#password", "agent-demo-1")
                    page.click("button[type=submit]")
                    page.wait_for_url(base + "/")
                    signed_in = True
                page.goto(base + path)
                target = out / f"{name}-{size}.png"
                page.screenshot(path=str(target), full_page=name in FULL_PAGE)
                print(target)
            # The draft editor: "Draft a reply" on the same complaint.
            page.goto(base + "/complaints/3")
            if page.locator("button", has_text="Draft a reply").count():
                page.click("button:has-text('Draft a reply')")
            else:  # started in the first width: open it
                page.click("a[href*='/drafts/']")
            page.wait_for_url("**/drafts/*")
            target = out / f"draft-{size}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
            # A tired agent's edit, checked as they type (nothing is saved).
            page.fill(
                "#part-validate",
                "Sorry you feel that way, but you should have read the delivery "
                "terms. We DID send it!!",
            )
            page.locator("#tone-panel").get_by_text("Non-apology").wait_for()
            target = out / f"tone-{size}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
            page.close()
            # The second pair of eyes and the sign-off, on the demo replies in the works.
            for role, queue, link in (
                ("reviewer", "/reviews", "a[href$='/review']"),
                ("signoff", "/sign-offs", "a[href$='/sign-off']"),
            ):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(base + "/login")
                page.fill("#email", f"{role}@example.com")
                page.fill("#password", f"{role}-demo-1")
                page.click("button[type=submit]")
                page.wait_for_url(base + "/")
                page.goto(base + queue)
                name = queue.strip("/")
                page.screenshot(path=str(out / f"{name}-{size}.png"), full_page=True)
                page.locator(link).first.click()
                page.wait_for_load_state()
                target = out / f"{name.removesuffix('s')}-page-{size}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
                page.close()
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots")
