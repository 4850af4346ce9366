"""A channel's room for one reply: how it counts length, and whether a reply fits in one
post or goes out as a numbered thread.

`fit()` is the one place that decides. The draft builder, the tone check, the editor, the
template library check and the outbox all ask it, so a reply shown as a thread in the
editor goes out as that thread. How a channel counts is the channel's data
(`channels.length_counting`), not its key. No Flask, no database.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Protocol


class LengthCounting(enum.StrEnum):
    """How a channel counts a reply's length."""

    CHARACTERS = "characters"  #: every character (code point) once
    X_WEIGHTED = "x_weighted"  #: X's weighting: links as 23, emoji and CJK twice


#: X counts every link as 23 characters, whatever its length.
LINK_LENGTH = 23
_LINK = re.compile(r"https?://\S+")
#: Characters X counts once; everything else (emoji, CJK) counts twice.
_LIGHT = re.compile(r"[\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
#: Parts of an emoji sequence that X does not count separately.
_JOINERS = re.compile(r"[\u200d\ufe0f\U0001f3fb-\U0001f3ff]")
#: Room a thread post keeps for its number ("12/12 ").
NUMBER_ROOM = 6


class ChannelLike(Protocol):
    """What deciding the fit needs of a channel: a `ChannelInfo` or a stored `Channel`."""

    @property
    def char_limit(self) -> int: ...

    @property
    def supports_threads(self) -> bool: ...

    @property
    def length_counting(self) -> str: ...


@dataclass(frozen=True)
class ChannelInfo:
    """A channel as the domain code sees it, detached from the database row."""

    key: str
    name: str
    is_public: bool
    char_limit: int
    supports_threads: bool
    length_counting: LengthCounting = LengthCounting.CHARACTERS

    @property
    def visibility(self) -> str:
        return "public" if self.is_public else "private"

    @classmethod
    def of(cls, channel: ChannelLike) -> ChannelInfo:
        """The channel row's facts (`app.complaints.models.Channel`)."""
        return cls(
            key=channel.key,
            name=channel.name,
            is_public=channel.is_public,
            char_limit=channel.char_limit,
            supports_threads=channel.supports_threads,
            length_counting=LengthCounting(channel.length_counting),
        )


def measure(text: str, channel: ChannelLike) -> int:
    """The length of `text` as the channel counts it."""
    if channel.length_counting != LengthCounting.X_WEIGHTED:
        return len(text)
    links = _LINK.findall(text)
    rest = _JOINERS.sub("", _LINK.sub("", text))
    light = len(_LIGHT.findall(rest))
    return light + 2 * (len(rest) - light) + LINK_LENGTH * len(links)


def position_past(text: str, channel: ChannelLike, limit: int | None = None) -> int:
    """The first character of `text` past `limit` (one post, unless given), as the channel
    counts (binary search on the prefix)."""
    limit = channel.char_limit if limit is None else limit
    # The answer lies about `limit` characters in: search below a bound found by doubling,
    # not the whole text (a 50,000-character reply cut into a thread measured the rest of
    # it 16 times per post: seconds).
    high = min(len(text), max(limit, 1))
    while high < len(text) and measure(text[:high], channel) <= limit:
        high = min(len(text), 2 * high)
    low = 0
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle], channel) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


@dataclass(frozen=True)
class Fit:
    """How a reply sits on its channel."""

    length: int
    limit: int
    fits: bool
    #: The numbered posts ("1/3 …"): set exactly when the reply does not fit one post
    #: and the channel carries threads.
    thread: list[str] = field(default_factory=list)

    @property
    def over(self) -> int:
        """Characters over the limit (0 when it fits)."""
        return max(self.length - self.limit, 0)


def fit(text: str, channel: ChannelLike) -> Fit:
    """Whether `text` fits one post on `channel`; if not, and the channel has threads,
    the thread it goes out as."""
    length = measure(text, channel)
    fits = length <= channel.char_limit
    thread = [] if fits or not channel.supports_threads else _split(text, channel)
    return Fit(length=length, limit=channel.char_limit, fits=fits, thread=thread)


def _fits(text: str, channel: ChannelLike, room: int) -> bool:
    """measure(text) <= room, measuring about `room` characters however long the text."""
    return position_past(text, channel, room) >= len(text)


def _split(text: str, channel: ChannelLike) -> list[str]:
    """A numbered thread of posts that each fit, split between sentences where it can."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    room = channel.char_limit - NUMBER_ROOM
    pieces: list[str] = []
    for sentence in sentences:
        while not _fits(sentence, channel, room):
            words = sentence.split(" ")
            head = ""
            while words and _fits((head + " " + words[0]).strip(), channel, room):
                head = (head + " " + words.pop(0)).strip()
            if not head:  # one word longer than a post (or no spaces, as in CJK): cut it
                cut = max(position_past(sentence, channel, room), 1)
                head, words = sentence[:cut], [sentence[cut:]]
            pieces.append(head)
            sentence = " ".join(words)
        if sentence:
            pieces.append(sentence)
    posts: list[str] = []
    for piece in pieces:
        candidate = f"{posts[-1]} {piece}" if posts else piece
        if posts and measure(candidate, channel) <= room:
            posts[-1] = candidate
        else:
            posts.append(piece)
    return [f"{number}/{len(posts)} {post}" for number, post in enumerate(posts, start=1)]
