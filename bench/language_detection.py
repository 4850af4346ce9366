"""Which language a short text is in: detectors side by side on real tweets in the six
languages Composure has (or will have) rules for. Prints a table; asserts nothing.

    .venv/bin/python bench/language_detection.py
    .venv/bin/python bench/language_detection.py --lingua-python /path/to/venv/bin/python

Texts: up to 600 per language from ../shared/data (never copied into the repository):
English TweetEval sentiment val; German XLM-T sentiment val and GermEval 2018; Spanish
XLM-T sentiment; Polish PolEval 2019; Latvian LTEC tweets; Dutch XED subtitles (the only
Dutch text there: short film lines, harder than tweets). Handles, links, hashtags and
numbers are removed first, as the app does, and texts with fewer than 12 letters are left
out (the app does not guess those). A dozen one-line complaints in other European
languages check that a text in none of the six is not forced into one of them.

Each detector runs in a fresh process, so its load time and memory are its own:
- the app as it is (app.nlp.detection.detect: py3langid over the languages in
  app/nlp/rules/common.yaml; below 0.9 the default language);
- py3langid restricted to the six (what a six-language product would use), and the same
  with "other" when the unrestricted model is sure of a seventh language;
- lingua (lingua-language-detector) restricted to the six, high and low accuracy modes, if
  importable by --lingua-python (it is not a dependency: 96 MB installed).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"

from bench.report import p99, table  # noqa: E402

SIX = ("en", "nl", "de", "es", "pl", "lv")
PER_LANGUAGE = 600
SHORT = 60  # characters: a short tweet or a one-line complaint
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\S+@\S+|\d+")
_LETTER = re.compile(r"[^\W\d_]")
#: Complaints in languages without rules: the right answer is "other".
OTHERS = {
    "fr": "Bonjour, ma commande n'est toujours pas arrivée et personne ne répond au téléphone.",
    "it": "Buongiorno, il mio ordine non è ancora arrivato e nessuno risponde alle email.",
    "pt": "Olá, a minha encomenda ainda não chegou e ninguém responde às mensagens.",
    "sv": "Hej, min beställning har fortfarande inte kommit och ingen svarar på mejl.",
    "da": "Hej, min ordre er stadig ikke kommet, og ingen svarer på mine mails.",
    "lt": "Sveiki, mano užsakymas vis dar neatkeliavo ir niekas neatsako į laiškus.",
    "et": "Tere, minu tellimus pole ikka veel kohale jõudnud ja keegi ei vasta.",
    "cs": "Dobrý den, moje objednávka stále nedorazila a nikdo neodpovídá na e-maily.",
    "tr": "Merhaba, siparişim hâlâ gelmedi ve kimse e-postalarıma cevap vermiyor.",
    "fi": "Hei, tilaukseni ei ole vieläkään saapunut eikä kukaan vastaa viesteihin.",
    "ro": "Bună ziua, comanda mea încă nu a sosit și nimeni nu răspunde la e-mailuri.",
    "hu": "Jó napot, a rendelésem még mindig nem érkezett meg, és senki sem válaszol.",
}


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def corpora() -> dict[str, list[str]]:
    ml = SHARED / "ml"
    latvian = json.loads((ml / "lv" / "ltec" / "train.json").read_text(encoding="utf-8"))
    return {
        "en": _lines(SHARED / "tweeteval" / "sentiment" / "val_text.txt"),
        "nl": [
            line.split("\t")[0]
            for line in _lines(ml / "nl" / "xed" / "Projections_nl-projections.tsv")
        ],
        "de": _lines(ml / "de" / "xlmt_sentiment" / "val_text.txt")
        + [
            line.split("\t")[0]
            for line in _lines(ml / "de" / "germeval2018" / "germeval2018.training.txt")
        ],
        "es": _lines(ml / "es" / "xlmt_sentiment" / "val_text.txt")
        + _lines(ml / "es" / "xlmt_sentiment" / "train_text.txt"),
        "pl": _lines(ml / "pl" / "poleval2019" / "training_set_clean_only_text.txt"),
        "lv": [row["tweet_text"] for row in latvian],
    }


def samples() -> dict[str, list[str]]:
    """Up to PER_LANGUAGE cleaned texts per language, the same ones every run (seed 16)."""
    chosen = {}
    for language, texts in corpora().items():
        cleaned = [" ".join(_NOISE.sub(" ", text).split()) for text in texts]
        cleaned = [text for text in cleaned if len(_LETTER.findall(text)) >= 12]
        random.Random(16).shuffle(cleaned)
        chosen[language] = cleaned[:PER_LANGUAGE]
    return chosen


# --- the detectors, each built inside its own process ---------------------------------------


def _app_today():
    from app.nlp.detection import detect

    return lambda text: detect(text).language


def _langid(with_other: bool):
    """py3langid's one model: the best of the six, or "other" when the model (over all its
    97 languages) is sure of a seventh. One model in memory: the six's order within the
    full ranking is the same as the restricted model's."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if not with_other:
        identifier.set_languages(list(SIX))
        return lambda text: identifier.classify(text)[0]

    def classify(text: str) -> str:
        ranking = identifier.rank(text)
        top, probability = ranking[0]
        if top not in SIX and probability >= 0.9:
            return "other"
        return next(language for language, _ in ranking if language in SIX)

    return classify


def _lingua(low: bool):
    from lingua import Language, LanguageDetectorBuilder

    languages = {
        "en": Language.ENGLISH,
        "nl": Language.DUTCH,
        "de": Language.GERMAN,
        "es": Language.SPANISH,
        "pl": Language.POLISH,
        "lv": Language.LATVIAN,
    }
    back = {value: key for key, value in languages.items()}
    builder = LanguageDetectorBuilder.from_languages(*languages.values())
    if low:
        builder = builder.with_low_accuracy_mode()
    detector = builder.with_preloaded_language_models().build()
    return lambda text: back.get(detector.detect_language_of(text), "other")


DETECTORS = {
    "app today (py3langid, 20 languages)": _app_today,
    "py3langid, the six": lambda: _langid(with_other=False),
    "py3langid, the six + other": lambda: _langid(with_other=True),
    "lingua, the six (high accuracy)": lambda: _lingua(low=False),
    "lingua, the six (low accuracy)": lambda: _lingua(low=True),
}


def run_one(name: str) -> dict:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    classify = DETECTORS[name]()
    classify("A few words to load everything.")
    load = time.perf_counter() - started
    memory = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    right = {language: 0 for language in SIX}
    short = [0, 0]
    times = []
    chosen = samples()
    for language, texts in chosen.items():
        for text in texts:
            began = time.perf_counter()
            found = classify(text)
            times.append(time.perf_counter() - began)
            right[language] += found == language
            if len(text) <= SHORT:
                short[0] += found == language
                short[1] += 1
    others = sum(classify(text) == "other" for text in OTHERS.values())
    total = sum(len(texts) for texts in chosen.values())
    return {
        "accuracy": {language: right[language] / len(chosen[language]) for language in SIX},
        "all": sum(right.values()) / total,
        "short": short[0] / short[1] if short[1] else 0.0,
        "short_count": short[1],
        "others": others,
        "median_ms": statistics.median(times) * 1000,
        "p99_ms": p99(times) * 1000,
        "load_s": load,
        "memory_mb": memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--lingua-python", default=sys.executable)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    chosen = samples()
    rows = []
    results = {}
    for name in DETECTORS:
        python = args.lingua_python if name.startswith("lingua") else sys.executable
        done = subprocess.run(
            [python, __file__, "--one", name], capture_output=True, text=True, check=False
        )
        if done.returncode:
            error = (done.stderr.strip().splitlines() or ["failed"])[-1]
            rows.append([name, *["-"] * (len(SIX) + 7), error[:60]])
            continue
        results[name] = result = json.loads(done.stdout)
        rows.append(
            [
                name,
                *(f"{result['accuracy'][language]:.3f}" for language in SIX),
                f"{result['all']:.3f}",
                f"{result['short']:.3f}",
                f"{result['others']}/{len(OTHERS)}",
                f"{result['median_ms']:.3f}",
                f"{result['p99_ms']:.2f}",
                f"{result['load_s']:.2f}",
                f"{result['memory_mb']:.0f}",
                "",
            ]
        )
    sizes = ", ".join(f"{language} {len(texts)}" for language, texts in chosen.items())
    short = next(iter(results.values()), {}).get("short_count", 0)
    table(
        f"Language of real short texts ({sizes}; {short} of them ≤ {SHORT} characters)",
        [
            "detector",
            *SIX,
            "all",
            f"≤{SHORT} chars",
            "other as other",
            "median ms",
            "p99 ms",
            "load s",
            "+MB",
            "",
        ],
        rows,
        "Target (issue 16): ≥ 0.97 on tweet-length text in each language, Latvian included. "
        "+MB: peak memory the detector adds to a process.",
    )


if __name__ == "__main__":
    main()
