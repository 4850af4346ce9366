"""The Spanish language pack, as a care team in Spain sees it: a complaint is read with its
flags, type and heat; a reply is checked in Spanish, with the idioms that only look bad left
alone. The labelled sets behind the rules are in tests/data/es/ (README there)."""

from __future__ import annotations

import pytest

from app import nlp
from app.analysis import rules as analysis_rules
from app.analysis.analyzer import analyze
from app.channels import ChannelInfo
from app.tone import checker, sentiment
from app.tone import rules as tone_rules
from app.tone.checks import Contact
from tests.fixtures.replies import EMAIL, X, reply_codes

NORTHWIND = Contact(phone="900 100 192", email="care@northwind.example")

LAWYER = (
    "Asunto: Cargo duplicado - pedido NW-50317\n\n"
    "Buenos días:\nMe han cobrado dos veces el sofá (2 x 649,00 €) y llevo diez días "
    "esperando a que me devuelvan uno de los cargos. Nadie me contesta. Si el viernes no "
    "tengo el dinero en la cuenta, el asunto lo llevará mi abogado.\nUn saludo,\nRocío Amador"
)


def codes(text: str, channel: ChannelInfo = X, complaint: str | None = None) -> set[str]:
    return reply_codes(text, "es", channel=channel, complaint=complaint, contact=NORTHWIND)


def wording(text: str) -> set[str]:
    """The codes of a reply judged on its words alone (the four parts not asked for)."""
    report = checker.check(text, channel=X, language="es", contact=NORTHWIND, four_parts=False)
    return set(report.codes())


def test_every_spanish_rule_file_loads_at_start_up():
    nlp.check_all()
    assert "es" in analysis_rules.check_all()
    tone_rules.check_all()
    assert tone_rules.tone_rules("es") is not None


def test_the_double_charge_complaint_threatening_a_lawyer_goes_to_legal():
    reading = analyze(LAWYER, channel="email")
    assert reading.language == "es"
    assert reading.language_supported
    assert {"legal_threat", "billing"} <= set(reading.flags)
    assert reading.heat_label in ("medium", "high")
    assert reading.complainer_type == "aggressive"
    assert reading.category == "billing"


@pytest.mark.parametrize(
    "text",
    [
        "@PollenFoods os denunciaría por hacer una pizza tan buena 😂 la de trufa está de locos.",
        "@NorthwindHome mi hermana es abogada y ni ella entiende la garantía 😅 ¿cubre la batería?",
        "El pollo al curry de Pollen está de muerte, pero esta vez la bandeja venía medio vacía.",
        "@NorthwindHome el móvil nuevo me mata la batería en 4 horas, ¿es normal?",
    ],
)
def test_praise_and_jokes_that_sound_like_threats_raise_no_flag(text):
    reading = analyze(text, channel="x")
    assert not {"legal_threat", "safety"} & set(reading.flags)


def test_a_threat_to_staff_is_harassment_and_a_real_hazard_is_safety():
    threat = analyze("@BrambleAir sé en qué mostrador trabajas, Lucía. Ya nos veremos a la salida.")
    assert "harassment" in threat.flags
    assert threat.heat_label == "high"
    burn = analyze("@NorthwindHome el cargador ha echado chispas y ha quemado la alfombra.")
    assert "safety" in burn.flags


def test_shouting_and_exclamations_make_a_complaint_hot():
    calm = analyze("@NorthwindHome el pedido NW-51882 llegó con una pata rota. ¿Cómo lo cambio?")
    angry = analyze(
        "@NorthwindHome sois unos INÚTILES. Tercera vez que no viene. Devolvedme el dinero YA!!!"
    )
    assert calm.heat_label == "low"
    assert calm.complainer_type == "constructive"
    assert angry.heat_label == "high"
    assert angry.complainer_type == "aggressive"


def test_a_reply_calling_the_customer_an_idiot_is_hostile():
    assert "hostile" in wording("Lo sentimos, pero hay que ser idiota para no ver el botón.")


def test_contradicting_and_blaming_the_customer_are_found():
    assert "argumentative" in wording("Eso no es cierto: el repartidor pasó a las 10 y dejó aviso.")
    assert "argumentative" in wording(
        "Nuestros registros muestran que usted sí aceptó la permanencia."
    )
    assert "blame" in wording("Tendrías que haber revisado la dirección al pagar.")
    assert "blame" in wording("Si hubieras leído las condiciones, sabrías que hay que medir antes.")


def test_capitals_and_runs_of_exclamations_are_shouting_but_acronyms_are_not():
    assert "shouting" in wording("Sentimos el retraso, pero el pedido SE ENVIÓ el lunes.")
    assert "shouting" in wording("Lo sentimos muchísimo!!! Te mandamos otra.")
    assert "shouting" not in wording("Escríbenos por DM con tu DNI o consulta las FAQ.")


def test_lamentamos_que_se_sienta_asi_is_a_non_apology():
    found = codes("Lamentamos que se sienta así con nuestro servicio. Le escribiremos esta semana.")
    assert {"non_apology", "missing_responsibility"} <= found


@pytest.mark.parametrize(
    "reply",
    [
        "Lamentablemente el técnico no pudo ir ayer y sabemos que eso te descoloca el día. "
        "Es culpa nuestra. Llámanos al "
        "900 100 192 y te damos otra cita. Te la confirmamos mañana.",
        "Por desgracia hay una avería en tu zona y lo sentimos de verdad. Te avisamos aquí en "
        "cuanto vuelva la conexión; mientras, escríbenos por privado.",
        "Menuda espera has tenido, lo sentimos muchísimo. Escríbenos por privado y lo "
        "resolvemos hoy. Te avisamos por la tarde.",
        "Tienes toda la razón, y sentimos haberte hecho esperar. Escríbenos por privado y nos "
        "ponemos con ello. Te decimos algo antes del viernes.",
        "No podemos garantizarte la hora exacta, pero escríbenos por privado y te damos la "
        "franja. Sentimos la espera. Te avisamos mañana.",
    ],
)
def test_idioms_that_only_look_bad_give_no_finding(reply):
    assert codes(reply) == set()


def test_a_defeatist_reply_reads_negative_and_a_helpful_one_does_not():
    gloomy = codes(
        "Lamentablemente no hay nada que podamos hacer con tu pedido. Es una situación "
        "terrible y lo sentimos. Escríbenos por privado si quieres. Te avisaremos."
    )
    assert "negative_tone" in gloomy
    helpful = codes(
        "Lamentablemente ese color está agotado, y lo sentimos. Escríbenos por privado y te "
        "avisamos cuando vuelva. Te decimos algo la semana que viene."
    )
    assert "negative_tone" not in helpful


def test_with_its_own_lexicon_only_the_defeatist_phrases_score():
    """A language VADER cannot read (`lexicon: own`, no word scores of its own) scores
    sentences on their defeatist nudges alone."""
    assert tone_rules.tone_rules("es").lexicon == "own"
    assert tone_rules.tone_rules("en").lexicon == "vader"
    text = "Terrible news. Wonderful news."  # VADER would score both words strongly
    sentences = [(0, 14), (15, 30)]
    result = sentiment.score(text, sentences, {}, [(0, -0.4)], own_lexicon=True)
    assert result.worst == (0, 14, pytest.approx(-0.4))
    assert result.compound == pytest.approx(-0.2)  # -0.4 on 2 words, 0 on 2 words


def test_the_customers_data_in_public_is_private_but_the_companys_number_is_not():
    assert "private_data" in codes(
        "Perdona el lío. Te llamamos al 600 900 412 esta tarde. Escríbenos por privado. "
        "Te avisamos mañana."
    )
    assert "private_data" not in codes(
        "Sentimos lo del cargo. Llámanos al 900 100 192 o escríbenos a care@northwind.example. "
        "Te contamos el jueves."
    )


def test_the_customers_angry_words_said_back_are_mirrored():
    complaint = "@NorthwindHome TRES semanas esperando una silla. Qué cachondeo tenéis montado!!!"
    mirrored = codes(
        "Entendemos que esto te parezca un cachondeo, y lo sentimos. Escríbenos por privado. "
        "Te contamos mañana.",
        complaint=complaint,
    )
    assert "mirrors_anger" in mirrored
    calm = codes(
        "Sentimos mucho que la silla no haya llegado en tres semanas. Escríbenos por privado. "
        "Te decimos algo mañana.",
        complaint=complaint,
    )
    assert "mirrors_anger" not in calm


def test_a_good_private_reply_in_usted_passes_clean():
    reply = (
        "Hola, Rocío:\n\nGracias por escribirnos y disculpe que haya tenido que esperar diez "
        "días. Le cobramos dos veces el sofá y es un error nuestro.\n\nHoy hemos tramitado la "
        "devolución; la verá en cinco días hábiles. Si no es así, llámenos al 900 100 192.\n\n"
        "Le escribiré el viernes para comprobarlo.\n\nUn saludo,\nMarta"
    )
    assert codes(reply, channel=EMAIL) == set()


@pytest.mark.parametrize(
    ("reply", "detail"),
    [
        ("Ya hemos visto el pedido NW-60077 y sale mañana.", "NW-60077"),
        ("Sentimos el rechazo de la tarjeta acabada en 4417.", "4417"),
        ("Hemos revisado el cliente 77451203 y los devolveremos.", "77451203"),
        ("Tu pedido va a C/ Falsa 123, 3ºB, ¿es correcto?", "C/ Falsa 123, 3ºB"),
    ],
)
def test_details_named_in_spanish_are_the_customers_data_in_public(reply, detail):
    report = checker.check(reply, channel=X, language="es", contact=NORTHWIND, four_parts=False)
    found = [report.text[f.start : f.end] for f in report.findings if f.code == "private_data"]
    assert detail in found
