"""A complaint's kind (issue 15): complaint, question, praise or other, each with a score,
read by the three `kind` models; the words that weigh most are its evidence."""

from __future__ import annotations

import numpy as np
import pytest

from app.analysis import analyze
from app.analysis.kind import KINDS, combine
from app.ml import model as text_models
from tests.fixtures.complaints import add_complaint

SHIPPED = text_models.MODELS_DIR / "en"
KIND_MODELS = ("kind_complaint", "kind_question", "kind_praise")


def test_the_complaint_model_beats_the_target_and_the_baseline_on_the_measured_corpus():
    metrics = text_models.load("kind_complaint").card["metrics"]
    assert metrics["corpus_measured_rows"] == 764
    assert metrics["corpus_measured_auc"] >= 0.80
    assert metrics["corpus_measured_auc"] > metrics["baseline_tfidf_lr_corpus_measured_auc"]
    card = (SHIPPED / "kind_complaint.md").read_text(encoding="utf-8")
    # The corpus's licence note: none stated, cite the paper.
    assert "Preoţiuc-Pietro" in card
    assert "none stated" in card


def kind_of(text: str) -> tuple[str, list[str]]:
    result = analyze(text)
    return result.kind.label, [item.text for item in result.evidence.get("kind", ())]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@NorthwindHome do you ship to Riga?", "question"),
        ("Morning! Is the Harrogate shop open on bank holidays?", "question"),
        ("@KestrelBank why has my refund still not arrived? You said 5 days.", "complaint"),
        (
            "@BrambleAir how is it fair to charge £45 to change a name YOUR site got wrong?",
            "complaint",
        ),
        ("@NorthwindHome my order never arrived and nobody answers", "complaint"),
        ("@NorthwindHome thanks for the quick fix on the broadband, all working now", "praise"),
        ("Dear Kestrel Bank, thank you for sorting my pension so quickly. Norah", "praise"),
        ("🔥 EARN £500 A DAY FROM HOME 🔥 no experience needed, link in bio 💰", "other"),
        ("We're hiring! Part-time barista, weekends, Leeds. DM for details", "other"),
    ],
)
def test_realistic_texts_read_as_their_kind_and_say_which_words(text, expected):
    label, words = kind_of(text)
    assert label == expected
    if expected != "other":
        assert words  # the words that weigh most, shown on the page
        assert all(word in text for word in words)


def test_a_complaint_phrased_as_a_question_is_a_complaint_because_of_its_words():
    result = analyze("@KestrelBank why has my refund still not arrived?")
    assert result.kind.label == "complaint"
    assert result.kind.scores["complaint"] > 0.8
    reason = result.reasons["kind"][0]
    assert reason.startswith("Reads as a complaint; the words that weigh most: “")
    assert "“still”" in reason or "“not”" in reason or "“refund”" in reason


def test_the_scores_are_one_per_kind_and_sum_to_one():
    for text in ("do you ship to Riga?", "thanks!", "my parcel is lost", "lol"):
        scores = analyze(text).kind.scores
        assert set(scores) == set(KINDS)
        assert sum(scores.values()) == pytest.approx(1, abs=1e-3)
        assert all(0 <= value <= 1 for value in scores.values())
    assert sum(combine(0.2, 0.9, 0.7).values()) == pytest.approx(1, abs=1e-3)


@pytest.mark.parametrize(
    "text", ["", "   ", "😂" * 40, "🙏🙏🙏", "Please refund the card" + " " * 49_000, "a" * 50_000]
)
def test_bad_input_still_gets_a_kind(text):
    result = analyze(text)
    assert result.kind.label in KINDS
    assert sum(result.kind.scores.values()) == pytest.approx(1, abs=1e-3)
    assert result.to_dict()["kind"]["label"] == result.kind.label


def test_a_long_text_names_at_most_three_words():
    text = "My order never arrived and nobody answers the phone. " * 900  # ~48,000 characters
    label, words = kind_of(text)
    assert label == "complaint"
    assert 1 <= len(words) <= 3


@pytest.fixture
def api(plain_app, token_for):
    client = plain_app.test_client()
    token = token_for("agent")

    def call(method: str, path: str, **kwargs):
        return client.open(
            path, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs
        )

    return call


def test_the_api_gives_the_kind_with_a_score_per_kind(api, app):
    analysed = api("POST", "/api/v1/analyze", json={"text": "@NorthwindHome do you ship to Riga?"})
    assert analysed.status_code == 200
    body = analysed.get_json()
    assert body["kind"]["label"] == "question"
    assert set(body["kind"]["scores"]) == set(KINDS)
    assert body["kind"]["scores"]["question"] > 0.5
    assert body["evidence"]["kind"]  # its words, as spans into body["text"]
    for span in body["evidence"]["kind"]:
        assert body["text"][span["start"] : span["end"]] == span["text"]

    question = add_complaint(app, "@NorthwindHome do you ship to Riga?")
    complaint = add_complaint(app, "@NorthwindHome my sofa arrived ripped and nobody answers")
    stored = api("GET", f"/api/v1/complaints/{question}").get_json()
    assert stored["kind"]["label"] == "question"
    assert stored["kind"]["scores"] == body["kind"]["scores"]
    listed = api("GET", "/api/v1/complaints?kind=question").get_json()
    assert [item["id"] for item in listed["items"]] == [question]
    complaints = api("GET", "/api/v1/complaints?kind=complaint").get_json()
    assert [item["id"] for item in complaints["items"]] == [complaint]
    refused = api("GET", "/api/v1/complaints?kind=spam")
    assert refused.status_code == 422

    document = api("GET", "/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert "kind" in schemas["Analysis"]["properties"]
    assert "kind" in schemas["Complaint"]["properties"]


def test_the_complaint_page_shows_the_kind_with_its_score_and_words(client_for, app):
    question = add_complaint(app, "@NorthwindHome do you ship to Riga?")
    page = client_for("agent").get(f"/complaints/{question}").get_data(as_text=True)
    assert ">Kind</dt>" in page
    assert "Question" in page
    assert "Asks something without reporting a problem" in page
    assert "weigh most" in page
    assert "of 1" in page


def test_the_three_models_read_together_score_as_each_alone():
    models = [text_models.load(name) for name in KIND_MODELS]
    group = text_models.Models(models)
    text = "@NorthwindHome why has my refund still not arrived?? 😡 https://t.co/x"
    together, words = group.read(text)
    alone = [model.probabilities([text])[0] for model in models]
    np.testing.assert_allclose(together, alone, atol=1e-12)
    complaint_words = [text[w.start : w.end] for w in words[0]]
    assert 1 <= len(complaint_words) <= 3
    assert set(complaint_words) <= {"why", "has", "my", "refund", "still", "not", "arrived"}
