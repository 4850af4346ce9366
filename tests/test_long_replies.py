"""What bench/fuzz_text.py found: work per reply that grew with the square of its length.

Both were linear in the number of findings or posts, each paying for the whole reply: a
reply of 50,000 characters of order numbers took 3.5 s in the private-data check (every
one-click fix listed the whole reply's tokens), and one of 50,000 characters with no
sentence break on X took 1.8 s to cut into a thread (every post measured the rest of the
reply, 16 times).
"""

from __future__ import annotations

import time

from app import channels
from app.channels import ChannelInfo, LengthCounting
from app.tone import checker

X = ChannelInfo("x", "X", True, 280, True, LengthCounting.X_WEIGHTED)


def test_private_data_fixes_on_a_reply_of_many_numbers_take_linear_time():
    text = ("Your order 12345678 is on its way. " * 1500)[: checker.MAX_CHARS]
    timings: dict[str, float] = {}
    checker.check(text, channel=X, language="en", timings=timings, check_fixes=False)
    print(f"\nprivate_data on {len(text):,} characters: {timings['private_data']:.3f} s")
    assert timings["private_data"] < 1.0  # 3.5 s before, 0.07 s after, on 2 busy cores


def test_a_thread_is_cut_measuring_about_a_post_per_post(monkeypatch):
    measured = []
    real = channels.measure

    def counting(text, channel):
        measured.append(len(text))
        return real(text, channel)

    monkeypatch.setattr(channels, "measure", counting)
    text = "a" * 50_000  # one sentence, one word: every post is cut by position_past
    started = time.perf_counter()
    thread = channels.fit(text, X).thread
    seconds = time.perf_counter() - started
    assert "".join(post.split(" ", 1)[1] for post in thread) == text
    print(f"\n{len(thread)} posts, {sum(measured):,} characters measured in {seconds:.3f} s")
    # Before: about 16 × 50,000 per post (some 150 million); now a few posts' worth each.
    assert sum(measured) < 100 * len(text)


def test_one_cue_word_said_thousands_of_times_is_checked_in_linear_time():
    """Each finding's one-click fix looked for its sentence's ends from the start of the
    span: 50,000 characters of one Polish cue word, 5,000 findings, took 9 s."""
    text = ("człowieku\n" * 5_000)[: checker.MAX_CHARS]
    timings: dict[str, float] = {}
    checker.check(text, channel=X, language="pl", timings=timings, check_fixes=False)
    slowest = max(timings, key=timings.get)
    print(f"\nslowest check on {len(text):,} characters: {slowest} {timings[slowest]:.3f} s")
    assert sum(timings.values()) < 3.0  # 9 s in one check before, under 0.5 s in all after
