"""Latvian, end to end, as a care team in Latvia sees it: a complaint is read with its flags,
type and heat; a reply is checked in Latvian, with the idioms that only look bad left alone;
readability is measured with LIX (a language-independent formula) and said so."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis import analyze
from app.analysis import rules as analysis_rules
from app.channels import ChannelInfo
from app.core.datafile import DataFileError
from app.nlp import check_all as nlp_check_all
from app.nlp.rules import endings, strip_ending
from app.tone import checker
from app.tone import rules as tone_rules
from app.tone.readability import lix, measure
from tests.fixtures.replies import EMAIL, FACEBOOK, X, reply_codes

#: The issue's case: a double charge, and a lawyer if it is not refunded.
LAWYER_DOUBLE_CHARGE = (
    "@NorthwindHome jūs man DIVREIZ noņēmāt naudu par vienu un to pašu tējkannu! 34,99 € x2 "
    "izrakstā. Ja līdz piektdienai nauda nav atpakaļ, nododu lietu juristam."
)
#: A good Latvian reply: thanks, owns it, a way to reach us, a promise to report back.
GOOD_REPLY = (
    "Labdien! Paldies, ka uzrakstījāt, un atvainojamies par dubulto maksājumu. Lūdzu, "
    "uzrakstiet mums privātā ziņā pasūtījuma numuru, un vēl šodien to pārbaudīsim. "
    "Sazināsimies ar Jums līdz piektdienai."
)


def codes(text: str, channel: ChannelInfo = FACEBOOK, complaint: str | None = None) -> set[str]:
    return reply_codes(text, "lv", channel=channel, complaint=complaint, contact=None)


def test_the_lawyer_double_charge_complaint_is_read_in_latvian_with_its_legal_threat():
    analysis = analyze(LAWYER_DOUBLE_CHARGE, channel="x")
    assert analysis.language == "lv"
    assert analysis.language_supported
    assert {"legal_threat", "billing"} <= set(analysis.flags)
    assert analysis.heat_label in ("medium", "high")
    assert analysis.complainer_type == "aggressive"
    assert analysis.category == "billing"
    assert "juristam" in [item.text for item in analysis.evidence["legal_threat"]]


def test_a_calm_formal_step_to_the_consumer_centre_is_constructive_but_still_legal():
    analysis = analyze(
        "Labdien! 2. aprīlī no manas kartes divreiz tika noņemti 89,50 € par pasūtījumu "
        "#NW-50177. Ja jautājums netiks atrisināts 14 dienu laikā, iesniegšu sūdzību "
        "Patērētāju tiesību aizsardzības centrā. Ar cieņu, Rasma Ozola",
        channel="email",
    )
    assert {"legal_threat", "billing"} <= set(analysis.flags)
    assert analysis.complainer_type == "constructive"


@pytest.mark.parametrize(
    "text",
    [
        "@PollenFoods jūsu kūkas ir tik labas, ka varētu par tām iesūdzēt tiesā 😂 tikai šodien "
        "kastē bija sasista",
        "mana draudzene ir advokāte un pat viņa nesaprot @NorthwindHome līguma noteikumus 😂",
        "@NorthwindHome tiesa gan, lampa ir skaista, tikai atsūtījāt to bez spuldzes",
    ],
)
def test_a_joke_a_lawyer_friend_and_tiesa_gan_are_no_legal_threat(text):
    assert "legal_threat" not in analyze(text, channel="x").flags


def test_figures_of_speech_are_no_safety_flag_but_a_burn_is():
    praise = analyze(
        "šī atlaide Northwind ir nereāla, cenas vienkārši nāvējošas 😂 tikai lapā pirkuma poga "
        "nestrādā, @NorthwindHome paskatieties",
        channel="x",
    )
    burn = analyze(
        "@NorthwindHome šitā tējkanna uzsprāga man rokās, apdedzināju plaukstu, biju "
        "traumpunktā. Tas ir normāli???",
        channel="x",
    )
    assert "safety" not in praise.flags
    assert "safety" in burn.flags
    assert burn.heat_label == "high"


def test_capitals_and_exclamation_runs_are_shouting_in_a_complaint_and_in_a_reply():
    analysis = analyze(
        "@KestrelBank KĀPĒC MANA KARTE ATKAL BLOĶĒTA??? SAKĀRTOJIET TO TŪLĪT!!!", channel="x"
    )
    assert analysis.complainer_type == "aggressive"
    assert analysis.heat_label == "high"
    assert "shouting" in codes(
        "Paldies par ziņu, un atvainojamies par kavēšanos. Mēs paku NOSŪTĪJĀM pirmdien!!! "
        "Uzrakstiet mums privātā ziņā, pārbaudīsim. Dosim ziņu rīt."
    )


def test_acronyms_and_references_are_not_shouting():
    found = codes(
        "Paldies, ka uzrakstījāt, un atvainojamies par SMS koda kavēšanos! Rakstiet mums DM "
        "(bez PIN koda), un pārbaudīsim. Atbildēsim līdz piektdienai, PTAC termiņu ievērosim."
    )
    assert "shouting" not in found


def test_a_reply_calling_the_customer_an_idiot_is_hostile():
    found = codes(
        "Labdien! Paldies par ziņu, un atvainojamies par kavēšanos. Tikai neesiet idiots un "
        "nerakstiet mums piecas reizes dienā. Uzrakstiet mums privātā ziņā. Sazināsimies rīt."
    )
    assert "hostile" in found


def test_contradiction_and_blame_are_found():
    contradiction = codes(
        "Labdien! Paldies par ziņu. Jūs kļūdāties – mūsu sistēma rāda, ka paka tika piegādāta. "
        "Atvainojamies par neskaidrību. Uzrakstiet mums privātā ziņā. Sazināsimies rīt."
    )
    blame = codes(
        "Labdien! Paldies, ka uzrakstījāt, un atvainojamies. Ja būtu izlasījuši noteikumus, "
        "zinātu, ka lielas preces jānomēra iepriekš. Zvaniet mums pa tālruni 8000 1570. "
        "Sazināsimies ar Jums līdz trešdienai."
    )
    assert "argumentative" in contradiction
    assert "blame" in blame


def test_the_hedged_apology_is_a_non_apology_and_the_usual_one_is_not():
    hedged = codes(
        "Labdien! Paldies par vēstuli. Atvainojamies par iespējamām neērtībām. Lūdzu, "
        "uzrakstiet mums privātā ziņā. Sazināsimies līdz piektdienai."
    )
    sincere = codes(
        "Labdien! Redzam, ka paka atbrauca bojāta. Atvainojamies par sagādātajām neērtībām – "
        "tā nedrīkstēja notikt. Lūdzu, uzrakstiet mums privātā ziņā, un nosūtīsim jaunu preci. "
        "Sazināsimies līdz piektdienai."
    )
    assert "non_apology" in hedged
    assert sincere == set()


@pytest.mark.parametrize(
    "reply",
    [
        GOOD_REPLY,
        # "Diemžēl" before help is ordinary Latvian (German "leider", Dutch "helaas").
        "Labdien! Žēl dzirdēt, ka paka kavējas. Diemžēl tā šodien neatbrauks, un atvainojamies "
        "par to. Uzrakstiet mums privātā ziņā, un vienosimies par jaunu laiku. Dosim ziņu rīt.",
        # "Šausmīgi / traki žēl" is an intensifier, not gloom or an insult.
        "Labdien! Mums ir traki žēl, ka tā notika, un atvainojamies. Uzrakstiet mums privātā "
        "ziņā, un vēl šodien to nokārtosim. Dosim ziņu vakarā.",
        # "Vienkārši uzrakstiet" is a plain "just", not condescension.
        "Labdien! Žēl dzirdēt, ka kaste bija sasista, un atvainojamies. Vienkārši uzrakstiet "
        "mums privātā ziņā, un jaunu nosūtīsim rīt. Dosim ziņu, kad kurjers ceļā.",
        # "Nevaram apsolīt" declines a promise.
        "Labdien! Paldies par vēstuli, un atvainojamies, ka meistars neatbrauca. Nevaram "
        "apsolīt precīzu stundu, bet rezervēsim pirmo rīta laiku otrdien. Zvaniet mums pa "
        "tālruni 8000 1570. Pirmdien Jums piezvanīsim un apstiprināsim laiku.",
    ],
)
def test_good_latvian_replies_and_idioms_that_only_look_bad_get_no_finding(reply):
    assert codes(reply) == set()


def test_a_latvian_phone_number_in_a_public_reply_is_blocked_and_the_companys_is_not():
    public = codes(
        "Paldies, ka uzrakstījāt, un atvainojamies! Piezvanīsim Jums uz +371 20 000 412 "
        "šodien un pārbaudīsim. Dosim ziņu vakarā.",
        X,
    )
    company = codes(
        "Žēl dzirdēt, atvainojamies! Zvaniet mums 8000 1570 vai rakstiet uz "
        "care@northwind.example, un pārbaudīsim. Sazināsimies līdz vakaram.",
        X,
    )
    assert "private_data" in public
    assert "private_data" not in company


def test_a_fix_keeps_the_reply_latvian_and_polite():
    report = checker.check(
        "Žēl dzirdēt, atvainojamies! Nosūtījām jaunu paroli uz ilze.kalnina@example.com. "
        "Rakstiet DM. Dosim ziņu rīt.",
        channel=X,
        language="lv",
    )
    private = next(f for f in report.findings if f.code == "private_data")
    # The polite "Jūsu" keeps its capital mid-sentence, in the case "uz" asks for.
    assert private.suggestion == "Jūsu e-pasta adresi"
    non_apology = checker.check(
        "Paldies par ziņu. Mums žēl, ka Jums tā šķiet. Uzrakstiet mums privātā ziņā. "
        "Sazināsimies rīt.",
        channel=X,
        language="lv",
    )
    fix = next(f for f in non_apology.findings if f.code == "non_apology")
    assert fix.suggestion == "Atvainojamies par notikušo"


def test_an_address_said_back_in_public_is_private_data():
    found = codes(
        "Žēl, atvainojamies! Kurjers atvedīs uz Brīvības ielu 112-7, Rīgā, rīt. Ja neder, "
        "rakstiet DM. Dosim ziņu no rīta.",
        X,
    )
    assert "private_data" in found


def test_the_customers_angry_words_said_back_are_mirrored():
    found = codes(
        "Labdien! Saprotam, ka Jums tas šķiet pilnīgs apsmiekls, un atvainojamies. Zvaniet "
        "mums pa tālruni 8000 1570. Sazināsimies līdz piektdienai.",
        complaint='Northwind "klientu apkalpošana" ir pilnīgs apsmiekls. 7 zvani un nekā.',
    )
    assert "mirrors_anger" in found


def test_a_missing_part_is_named():
    assert "missing_close_loop" in codes(
        "Labdien! Paldies, ka uzrakstījāt, un atvainojamies, ka meistars neatbrauca. Lūdzu, "
        "zvaniet mums pa tālruni 8000 1570."
    )


def test_a_gloomy_reply_reads_negative_in_latvian():
    found = codes(
        "Labdien! Paldies par ziņu, un atvainojamies. Diemžēl mēs neko nevaram darīt, jo prece "
        "vairs nav noliktavā un nebūs. Tā ir ļoti slikta situācija, un diemžēl citu risinājumu "
        "nav. Ja vēlaties, zvaniet 8000 1570. Sazināsimies, ja kas mainīsies."
    )
    assert "negative_tone" in found


def test_corporate_latvian_is_hard_to_read_by_lix_and_the_message_names_the_formula():
    text = (
        "Labdien!\n\nPaldies par Jūsu vēstuli.\n\nAtbilstoši Patērētāju tiesību aizsardzības "
        "likuma normām un ievērojot iepriekš minētā līguma noteikumos paredzēto pretenziju "
        "izskatīšanas kārtību, informējam, ka Jūsu iesniegtā pretenzija tiks izskatīta "
        "normatīvajos aktos noteiktajā termiņā, pēc kura saņemšanas Jums tiks nosūtīta "
        "rakstiska atbilde par pieņemto lēmumu.\n\nAtvainojamies par sagādātajām neērtībām. "
        "Jautājumu gadījumā atbildiet uz šo e-pastu.\n\nSazināsimies ar Jums līdz mēneša "
        "beigām.\n\nAr cieņu\nNorthwind Home"
    )
    report = checker.check(text, channel=EMAIL, language="lv")
    finding = next(f for f in report.findings if f.code == "hard_to_read")
    assert "LIX, a language-independent formula" in finding.message
    assert "or less" in finding.message
    assert report.readability.to_dict()["method"] == "lix"
    assert codes(GOOD_REPLY, EMAIL) == set()


def test_lix_is_words_per_sentence_plus_the_share_of_long_words():
    # 6 words, 2 sentences, 2 words longer than six letters: 3 + 100 * 2 / 6.
    assert lix("Paka atnāca. Atvainojamies par kavēšanos vakar.") == pytest.approx(3 + 200 / 6)
    plain = measure(
        "Īss teksts.",
        "lv",
        words=2,
        sentences=1,
        minimum=50,
        min_words=20,
        formula="lix",
        maximum=63,
    )
    assert plain.score is None
    assert plain.note == "too short to judge"
    hard = measure(
        "x " * 10, "lv", words=40, sentences=1, minimum=50, min_words=20, formula="lix", maximum=5
    )
    assert hard.too_hard
    assert hard.aim == "aim for 5 or less"


def test_a_readability_formula_the_loader_does_not_know_is_a_file_and_line_error(
    tmp_path, monkeypatch
):
    source = tone_rules.RULES_DIR / "lv"
    folder = tmp_path / "lv"
    folder.mkdir()
    for path in source.glob("*.yaml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    context = folder / "context.yaml"
    context.write_text(
        context.read_text(encoding="utf-8").replace("formula: lix", "formula: gunning"),
        encoding="utf-8",
    )
    monkeypatch.setattr(tone_rules, "RULES_DIR", tmp_path)
    tone_rules.tone_rules.cache_clear()
    try:
        with pytest.raises(DataFileError) as error:
            tone_rules.tone_rules("lv")
    finally:
        tone_rules.tone_rules.cache_clear()
    assert Path(error.value.path).name == "context.yaml"
    assert "formula is one of flesch, lix" in str(error.value)


def test_endings_join_the_forms_of_a_word_and_keep_short_words():
    latvian = endings("lv")
    assert {strip_ending(w, latvian) for w in ("advokāts", "advokātam", "advokātu")} == {"advokāt"}
    assert {strip_ending(w, latvian) for w in ("pārdevējs", "pārdevējam", "pārdevēja")} == {
        "pārdev"
    }
    assert {strip_ending(w, latvian) for w in ("atmaksa", "atmaksu", "atmaksājiet")} == {"atmaks"}
    assert strip_ending("kas", latvian) == "kas"


def test_the_start_up_check_loads_the_latvian_rules():
    assert "lv" in nlp_check_all()
    assert "lv" in analysis_rules.check_all()
    tone_rules.check_all()
    rules = tone_rules.tone_rules("lv")
    assert rules.readability_formula == "lix"
    assert rules.lexicon == "own"
    # English keeps VADER and Flesch.
    english = tone_rules.tone_rules("en")
    assert english.readability_formula == "flesch"
    assert english.lexicon == "vader"
