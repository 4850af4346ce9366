"""The seeds' languages end to end, in Chromium (issue 16, Done when 1).

The same double charge with a threat of a lawyer, written as a customer in each market
writes it, pasted by an agent: each is read in its own language with the legal threat and
the billing problem, routed to legal sign-off, and drafted in its own language. A
screenshot of each complaint page and draft lands in SCREENSHOT_DIR.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.nlp.detection import detect
from tests.fixtures.browser import shoot

#: language -> (the complaint, the language's name as the complaint page shows it)
LAWYER_COMPLAINTS = {
    "en": (
        "@NorthwindHome you took the money for order NW-50177 TWICE. I want the second "
        "payment back this week or my lawyer will be in touch.",
        "English",
    ),
    "nl": (
        "@NorthwindHome jullie hebben bestelling NW-50177 gewoon twee keer afgeschreven. "
        "Ik wil dat geld deze week terug, anders schakel ik mijn advocaat in.",
        "Dutch",
    ),
    "de": (
        "@NorthwindHome Sie haben meine Bestellung NW-50177 zweimal abgebucht. Wenn das "
        "Geld nicht diese Woche zurück ist, geht die Sache an meinen Anwalt.",
        "German",
    ),
    "es": (
        "@NorthwindHome me habéis cobrado dos veces el pedido NW-50177. O me devolvéis el "
        "dinero esta semana o lo pongo en manos de mi abogado.",
        "Spanish",
    ),
    "pl": (
        "@NorthwindHome pobraliście ode mnie dwa razy pieniądze za zamówienie NW-50177. "
        "Jeśli do końca tygodnia nie oddacie, sprawą zajmie się mój prawnik.",
        "Polish",
    ),
    "lv": (
        "@NorthwindHome jūs man divreiz noņēmāt naudu par pasūtījumu NW-50177. Ja līdz "
        "nedēļas beigām nauda nebūs atpakaļ, vērsīšos pie sava jurista.",
        "Latvian",
    ),
}


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


@pytest.mark.parametrize("language", list(LAWYER_COMPLAINTS))
def test_a_lawyer_threat_is_read_routed_to_legal_and_drafted_in_its_own_language(
    language, users, page_for, live_server
):
    text, name = LAWYER_COMPLAINTS[language]
    agent = page_for(users["agent"])
    agent.goto(live_server + "/complaints/new")
    agent.select_option("#channel", "x")
    agent.fill("#author_handle", f"@customer_{language}")
    agent.fill("#text", text)
    press(agent, "Add to inbox")
    expect(agent.locator(".flashes")).to_contain_text("is in the inbox")

    main = agent.locator("main")
    expect(main).to_contain_text(name)
    expect(main).to_contain_text("Legal threat")
    expect(main).to_contain_text("Billing")
    expect(main).not_to_contain_text("not read")
    shoot(agent, f"language-{language}-complaint")

    press(agent, "Draft a reply")
    agent.wait_for_url(re.compile(r"/drafts/\d+$"))
    expect(agent.locator(".workflow")).to_contain_text(re.compile("Legal sign-off will be needed"))
    parts = [
        agent.locator(f"#part-{part}").input_value()
        for part in ("validate", "responsibility", "direction", "close_loop")
    ]
    draft = " ".join(part for part in parts if part)
    assert detect(draft).language == language, draft
    shoot(agent, f"language-{language}-draft")
