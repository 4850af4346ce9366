"""The dashboard's figures in words and charts: what each chart is called, the headline
its description says, and the short texts of the figures. No Flask; the view passes the
result to the template.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from markupsafe import Markup

from app.core.durations import in_words
from app.nlp.detection import language_name
from app.reports import charts
from app.reports.metrics import OUTCOME_LABELS, OUTCOMES, Dashboard, Replies
from app.reports.ranges import DateRange

#: What the dashboard means by "caught", in one line.
CAUGHT_MEANS = (
    "“Caught” means the tone checks flagged at least one warning or blocking problem while "
    "the draft was written, before it first went to review, whether the agent fixed it "
    "while typing or left it for the reviewer."
)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def human(delta: timedelta | None) -> str:
    """ "12 minutes", "3 hours 5 minutes", "2 days 4 hours", "less than a minute"; "—"
    when there is none."""
    if delta is None:
        return "—"
    return in_words(delta, parts=2)


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    note: str = ""


def headlines(data: Dashboard) -> list[Headline]:
    totals = data.replies.totals
    return [
        Headline("Complaints received", f"{totals.total:,}"),
        Headline(
            "Replied on time",
            percent(totals.on_time_share),
            f"{totals.on_time:,} of {totals.judged:,} answered or overdue" if totals.judged else "",
        ),
        Headline("Median first response", human(data.replies.median_first_reply)),
        Headline("Drafts published", f"{data.published:,}"),
        Headline(
            "Caught before review",
            percent(data.catches.caught_share),
            f"{data.catches.caught:,} of {plural(data.catches.submitted, 'draft')}"
            if data.catches.submitted
            else "",
        ),
        Headline(
            "Not read (no rules for the language)",
            f"{sum(data.not_read.values()):,}",
            ", ".join(f"{language_name(code)} {count:,}" for code, count in data.not_read.items())
            + "; heat and type unknown, each reply signed off"
            if data.not_read
            else "",
        ),
    ]


def replies_charts(replies: Replies, period: DateRange) -> tuple[Markup, Markup]:
    """The chart of replies per day or week: columns for wide screens, rows for phones
    (the page shows one of them)."""
    totals = replies.totals
    unit = "week" if replies.by_week else "day"
    if totals.total:
        busiest = max(replies.buckets, key=lambda b: b.counts.total)
        desc = (
            f"Of {plural(totals.total, 'complaint')} received {period.label()}: "
            f"{totals.on_time:,} answered on time, {totals.late:,} answered late, "
            f"{totals.open_overdue:,} overdue with no reply and {totals.open_within:,} "
            f"waiting within their target. The busiest {unit} was {busiest.label()} "
            f"with {busiest.counts.total:,}."
        )
    else:
        desc = f"No complaints were received {period.label()}."
    columns = []
    previous_month = None
    for bucket in replies.buckets:
        month = f"{bucket.first:%b}"
        columns.append(
            charts.Column(
                label=f"{bucket.first.day}",
                sublabel=month if month != previous_month else "",
                segments=[(key, bucket.counts.get(key)) for key in OUTCOMES],
                name=bucket.label(),
            )
        )
        previous_month = month
    title = f"Complaints received per {unit}, by how the first reply met its target"
    wide = charts.stacked_columns(
        "chart-replies",
        title=title,
        desc=desc,
        columns=columns,
        fills=charts.OUTCOME_FILLS,
        series_labels=OUTCOME_LABELS,
    )
    narrow = charts.stacked_rows(
        "chart-replies-rows",
        title=title,
        desc=desc,
        rows=columns,
        fills=charts.OUTCOME_FILLS,
        series_labels=OUTCOME_LABELS,
    )
    return wide, narrow


def legend() -> list[tuple[Markup, str]]:
    return [(charts.swatch(charts.OUTCOME_FILLS[key]), OUTCOME_LABELS[key]) for key in OUTCOMES]


def versus_target(median: timedelta | None, target: timedelta) -> str:
    if median is None:
        return "no replies yet"
    return "within target" if median <= target else "over target"


def channels_chart(replies: Replies) -> Markup:
    groups, words = [], []
    for channel in replies.channels:
        counts = channel.counts
        if not counts.total:
            continue
        on_time = counts.on_time_share
        text = (
            f"{percent(on_time)} on time · median {human(channel.median_first_reply)}"
            if on_time is not None
            else f"none due yet · median {human(channel.median_first_reply)}"
        )
        groups.append(
            charts.BarGroup(
                f"{channel.name} · target {human(channel.target)}",
                [charts.Bar(on_time or 0, text, charts.OK)],
            )
        )
        words.append(
            f"{channel.name}: {percent(on_time)} answered on time, median first reply "
            f"{human(channel.median_first_reply)} against a {human(channel.target)} target "
            f"({versus_target(channel.median_first_reply, channel.target)})"
        )
    desc = "; ".join(words) + "." if words else "No complaints on any channel in this period."
    return charts.horizontal_bars(
        "chart-channels",
        title="Share answered on time and median first reply, by channel",
        desc=desc,
        groups=groups,
        max_value=1,
        track=True,
    )


def states_chart(data: Dashboard) -> Markup:
    groups, words = [], []
    for row in data.state_times:
        if not row.count:
            groups.append(
                charts.BarGroup(row.label, [charts.Bar(0, "no draft left this state", "#fff")])
            )
            words.append(f"{row.label}: no draft left this state")
            continue
        groups.append(
            charts.BarGroup(
                row.label,
                [
                    charts.Bar(row.median.total_seconds(), f"median {human(row.median)}"),
                    charts.Bar(
                        row.p90.total_seconds(),
                        f"9 in 10 within {human(row.p90)}",
                        charts.ACCENT_LIGHT,
                    ),
                ],
            )
        )
        words.append(
            f"{row.label}: median {human(row.median)}, 9 in 10 within {human(row.p90)} "
            f"({plural(row.count, 'stay')})"
        )
    return charts.horizontal_bars(
        "chart-states",
        title="Time drafts spent in each state before moving on",
        desc="; ".join(words) + ".",
        groups=groups,
    )


def catches_chart(data: Dashboard) -> Markup:
    codes = data.catches.codes
    if codes:
        desc = (
            f"Caught on {data.catches.caught:,} of "
            f"{plural(data.catches.submitted, 'draft')} first submitted in the period. Most "
            "often: " + "; ".join(f"{c.label}: {plural(c.drafts, 'draft')}" for c in codes) + "."
        )
    elif data.catches.submitted:
        desc = f"Nothing caught on the {plural(data.catches.submitted, 'draft')} submitted."
    else:
        desc = "No draft was first submitted in this period."
    return charts.horizontal_bars(
        "chart-catches",
        title="What the tone checks caught most before review",
        desc=desc,
        groups=[
            charts.BarGroup(code.label, [charts.Bar(code.drafts, plural(code.drafts, "draft"))])
            for code in codes
        ],
    )


REVIEW_LABELS = {"approved": "Approved", "changes_requested": "Changes requested"}


def reviews_chart(data: Dashboard) -> Markup:
    reviews = data.reviews
    total = reviews.total
    bars = [
        ("approved", reviews.approved, charts.OK),
        ("changes_requested", reviews.changes_requested, charts.WARN),
    ]
    if total:
        desc = (
            f"{plural(total, 'review')} in the period: {reviews.approved:,} approved and "
            f"{reviews.changes_requested:,} asked for changes. "
            f"{percent(reviews.first_approved_share)} of drafts were approved at their first "
            "review."
        )
    else:
        desc = "No reviews in this period."
    return charts.horizontal_bars(
        "chart-reviews",
        title="Review decisions",
        desc=desc,
        groups=[
            charts.BarGroup(
                REVIEW_LABELS[key],
                [
                    charts.Bar(
                        count, f"{count:,} ({percent(count / total if total else None)})", fill
                    )
                ],
            )
            for key, count, fill in bars
        ],
        max_value=max(total, 1),
    )


def build(data: Dashboard, period: DateRange) -> dict:
    """Everything the template shows besides the raw figures."""
    return {
        "headlines": headlines(data),
        "replies_charts": replies_charts(data.replies, period),
        "legend": legend(),
        "channels_chart": channels_chart(data.replies),
        "states_chart": states_chart(data),
        "catches_chart": catches_chart(data),
        "reviews_chart": reviews_chart(data),
        "caught_means": CAUGHT_MEANS,
        "pattern_defs": charts.pattern_defs(),
    }
