"""Which language a text is in: each of the six languages Composure knows is recognised on
short real-world text (Latvian included, which used to read as English), and a language it
does not know is named rather than read as the nearest one it knows."""

from __future__ import annotations

import pytest

from app.analysis import analyze
from app.nlp.detection import detect


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Labdien, mans pasūtījums joprojām nav atnācis un neviens neatbild.", "lv"),
        (
            "Nauda noņemta divreiz, rakstīšu savam juristam, ja līdz piektdienai netiks atgriezta",
            "lv",
        ),
        ("Mijn pakket is weer niet bezorgd, wat een puinhoop", "nl"),
        ("Zweimal abgebucht und niemand antwortet, ich schalte meinen Anwalt ein", "de"),
        ("Me habéis cobrado dos veces y nadie contesta, hablaré con mi abogado", "es"),
        ("Pobrano mi dwa razy opłatę i nikt nie odpowiada, sprawę przekażę prawnikowi", "pl"),
        ("charged twice and still no answer from anyone, my lawyer will hear about this", "en"),
    ],
)
def test_each_known_language_is_recognised_in_a_tweet_sized_complaint(text, language):
    assert detect(text).language == language


@pytest.mark.parametrize(
    ("text", "language", "name"),
    [
        ("Sveiki, mano užsakymas vis dar neatkeliavo ir niekas neatsako.", "lt", "Lithuanian"),
        ("Bonjour, ma commande n'est jamais arrivée et personne ne me répond.", "fr", "French"),
        ("Tere, minu tellimus pole ikka veel kohale jõudnud ja keegi ei vasta.", "et", "Estonian"),
    ],
)
def test_a_language_composure_does_not_know_is_named_not_forced_into_one_it_knows(
    text, language, name
):
    """Lithuanian is close to Latvian, and French was once read as the nearest language the
    rules know; each is named, and the reading says it has no rules for it."""
    assert detect(text).language == language
    result = analyze(text)
    assert result.language == language
    assert result.language_supported is False
    assert any(f"no analysis rules for {name}" in notice for notice in result.notices)


def test_a_latvian_complaint_is_not_read_as_english():
    result = analyze("Sveiki! Mans pasūtījums nav atnācis jau trīs nedēļas, un neviens neatbild.")
    assert result.language == "lv"
    assert any("Latvian" in notice for notice in result.notices)
