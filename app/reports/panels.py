"""The dashboard's figures in words and charts: what each chart is called, the headline
its description says, and the short texts of the figures. No Flask: the words are said
through a `Say` the view passes in (the page's language); `ENGLISH` says them as written.
The English texts are the message ids `make messages` extracts (`say.gettext(...)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from markupsafe import Markup

from app.core.words import N_
from app.nlp.detection import language_name
from app.reports import charts
from app.reports.metrics import OUTCOME_LABELS, OUTCOMES, Dashboard, Replies
from app.reports.ranges import DateRange
from app.reports.words import ENGLISH, Say

#: What the dashboard means by "caught", in one line.
CAUGHT_MEANS = N_(
    "“Caught” means the tone checks flagged at least one warning or blocking problem while "
    "the draft was written, before it first went to review, whether the agent fixed it "
    "while typing or left it for the reviewer."
)


def percent(value: float | None, say: Say = ENGLISH) -> str:
    return "—" if value is None else say.share(value)


def human(delta: timedelta | None, say: Say = ENGLISH) -> str:
    """ "12 minutes", "3 hours 5 minutes", "2 days 4 hours", "less than a minute"; "—"
    when there is none."""
    if delta is None:
        return "—"
    return say.duration(delta)


def period_label(period: DateRange, say: Say = ENGLISH) -> str:
    """ "10 Nov – 23 Nov 2026" (the year once when both days share it)."""
    if period.first.year == period.last.year:
        first = say.day(period.first, "d MMM")
    else:
        first = say.day(period.first, "d MMM y")
    return f"{first} – {say.day(period.last, 'd MMM y')}"


def bucket_label(bucket, say: Say = ENGLISH) -> str:
    """A day ("Mon 3 Nov") or a week ("3 Nov – 9 Nov") of the chart."""
    if bucket.first == bucket.last:
        return say.day(bucket.first, "EEE d MMM")
    return f"{say.day(bucket.first, 'd MMM')} – {say.day(bucket.last, 'd MMM')}"


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    note: str = ""


def headlines(data: Dashboard, say: Say = ENGLISH) -> list[Headline]:
    totals, catches = data.replies.totals, data.catches
    not_read = sum(data.not_read.values())
    return [
        Headline(say.gettext("Complaints received"), say.number(totals.total)),
        Headline(
            say.gettext("Replied on time"),
            percent(totals.on_time_share, say),
            say.gettext(
                "%(on_time)s of %(judged)s answered or overdue",
                on_time=say.number(totals.on_time),
                judged=say.number(totals.judged),
            )
            if totals.judged
            else "",
        ),
        Headline(say.gettext("Median first response"), human(data.replies.median_first_reply, say)),
        Headline(say.gettext("Drafts published"), say.number(data.published)),
        Headline(
            say.gettext("Caught before review"),
            percent(catches.caught_share, say),
            say.ngettext(
                "%(caught)s of %(submitted)s draft",
                "%(caught)s of %(submitted)s drafts",
                catches.submitted,
                caught=say.number(catches.caught),
                submitted=say.number(catches.submitted),
            )
            if catches.submitted
            else "",
        ),
        Headline(
            say.gettext("Not read (no rules for the language)"),
            say.number(not_read),
            say.gettext(
                "%(languages)s; heat and type unknown, each reply signed off",
                languages=", ".join(
                    f"{language_name(code)} {say.number(count)}"
                    for code, count in data.not_read.items()
                ),
            )
            if data.not_read
            else "",
        ),
    ]


def _outcome_labels(say: Say) -> dict[str, str]:
    return {key: say.gettext(label) for key, label in OUTCOME_LABELS.items()}


def replies_charts(
    replies: Replies, period: DateRange, say: Say = ENGLISH
) -> tuple[Markup, Markup]:
    """The chart of replies per day or week: columns for wide screens, rows for phones
    (the page shows one of them)."""
    totals, n = replies.totals, say.number
    if totals.total:
        busiest = max(replies.buckets, key=lambda b: b.counts.total)
        counts = {
            "received": n(totals.total),
            "period": period_label(period, say),
            "on_time": n(totals.on_time),
            "late": n(totals.late),
            "overdue": n(totals.open_overdue),
            "within": n(totals.open_within),
            "busiest": bucket_label(busiest, say),
            "most": n(busiest.counts.total),
        }
        desc = (
            say.ngettext(
                "Of %(received)s complaint received %(period)s: %(on_time)s answered on time, "
                "%(late)s answered late, %(overdue)s overdue with no reply and %(within)s "
                "waiting within their target.",
                "Of %(received)s complaints received %(period)s: %(on_time)s answered on time, "
                "%(late)s answered late, %(overdue)s overdue with no reply and %(within)s "
                "waiting within their target.",
                totals.total,
                **counts,
            )
            + " "
            + (
                say.gettext("The busiest week was %(busiest)s with %(most)s.", **counts)
                if replies.by_week
                else say.gettext("The busiest day was %(busiest)s with %(most)s.", **counts)
            )
        )
    else:
        desc = say.gettext(
            "No complaints were received %(period)s.", period=period_label(period, say)
        )
    columns = []
    previous_month = None
    for bucket in replies.buckets:
        month = say.day(bucket.first, "MMM")
        columns.append(
            charts.Column(
                label=f"{bucket.first.day}",
                sublabel=month if month != previous_month else "",
                segments=[(key, bucket.counts.get(key)) for key in OUTCOMES],
                name=bucket_label(bucket, say),
            )
        )
        previous_month = month
    title = (
        say.gettext("Complaints received per week, by how the first reply met its target")
        if replies.by_week
        else say.gettext("Complaints received per day, by how the first reply met its target")
    )
    labels = _outcome_labels(say)
    wide = charts.stacked_columns(
        "chart-replies",
        title=title,
        desc=desc,
        columns=columns,
        fills=charts.OUTCOME_FILLS,
        series_labels=labels,
    )
    narrow = charts.stacked_rows(
        "chart-replies-rows",
        title=title,
        desc=desc,
        rows=columns,
        fills=charts.OUTCOME_FILLS,
        series_labels=labels,
    )
    return wide, narrow


def legend(say: Say = ENGLISH) -> list[tuple[Markup, str]]:
    labels = _outcome_labels(say)
    return [(charts.swatch(charts.OUTCOME_FILLS[key]), labels[key]) for key in OUTCOMES]


def versus_target(median: timedelta | None, target: timedelta, say: Say = ENGLISH) -> str:
    if median is None:
        return say.gettext("no replies yet")
    return say.gettext("within target") if median <= target else say.gettext("over target")


def channels_chart(replies: Replies, say: Say = ENGLISH) -> Markup:
    groups, words = [], []
    for channel in replies.channels:
        counts = channel.counts
        if not counts.total:
            continue
        on_time = counts.on_time_share
        median = human(channel.median_first_reply, say)
        text = (
            say.gettext(
                "%(share)s on time · median %(median)s", share=percent(on_time, say), median=median
            )
            if on_time is not None
            else say.gettext("none due yet · median %(median)s", median=median)
        )
        groups.append(
            charts.BarGroup(
                say.gettext(
                    "%(channel)s · target %(target)s",
                    channel=channel.name,
                    target=human(channel.target, say),
                ),
                [charts.Bar(on_time or 0, text, charts.OK)],
            )
        )
        words.append(
            say.gettext(
                "%(channel)s: %(share)s answered on time, median first reply %(median)s "
                "against a %(target)s target (%(versus)s)",
                channel=channel.name,
                share=percent(on_time, say),
                median=median,
                target=human(channel.target, say),
                versus=versus_target(channel.median_first_reply, channel.target, say),
            )
        )
    desc = (
        "; ".join(words) + "."
        if words
        else say.gettext("No complaints on any channel in this period.")
    )
    return charts.horizontal_bars(
        "chart-channels",
        title=say.gettext("Share answered on time and median first reply, by channel"),
        desc=desc,
        groups=groups,
        max_value=1,
        track=True,
    )


def states_chart(data: Dashboard, say: Say = ENGLISH) -> Markup:
    groups, words = [], []
    for row in data.state_times:
        label = say.gettext(row.label)
        if not row.count:
            nothing = say.gettext("no draft left this state")
            groups.append(charts.BarGroup(label, [charts.Bar(0, nothing, "#fff")]))
            words.append(f"{label}: {nothing}")
            continue
        median, p90 = human(row.median, say), human(row.p90, say)
        groups.append(
            charts.BarGroup(
                label,
                [
                    charts.Bar(
                        row.median.total_seconds(),
                        say.gettext("median %(median)s", median=median),
                    ),
                    charts.Bar(
                        row.p90.total_seconds(),
                        say.gettext("9 in 10 within %(p90)s", p90=p90),
                        charts.ACCENT_LIGHT,
                    ),
                ],
            )
        )
        words.append(
            say.ngettext(
                "%(state)s: median %(median)s, 9 in 10 within %(p90)s (%(stays)s stay)",
                "%(state)s: median %(median)s, 9 in 10 within %(p90)s (%(stays)s stays)",
                row.count,
                state=label,
                median=median,
                p90=p90,
                stays=say.number(row.count),
            )
        )
    return charts.horizontal_bars(
        "chart-states",
        title=say.gettext("Time drafts spent in each state before moving on"),
        desc="; ".join(words) + ".",
        groups=groups,
    )


def _drafts(count: int, say: Say) -> str:
    return say.ngettext("%(n)s draft", "%(n)s drafts", count, n=say.number(count))


def catches_chart(data: Dashboard, say: Say = ENGLISH) -> Markup:
    codes, catches = data.catches.codes, data.catches
    if codes:
        desc = say.ngettext(
            "Caught on %(caught)s of %(submitted)s draft first submitted in the period. Most "
            "often: %(codes)s.",
            "Caught on %(caught)s of %(submitted)s drafts first submitted in the period. Most "
            "often: %(codes)s.",
            catches.submitted,
            caught=say.number(catches.caught),
            submitted=say.number(catches.submitted),
            codes="; ".join(f"{say.gettext(c.label)}: {_drafts(c.drafts, say)}" for c in codes),
        )
    elif catches.submitted:
        desc = say.ngettext(
            "Nothing caught on the %(n)s draft submitted.",
            "Nothing caught on the %(n)s drafts submitted.",
            catches.submitted,
            n=say.number(catches.submitted),
        )
    else:
        desc = say.gettext("No draft was first submitted in this period.")
    return charts.horizontal_bars(
        "chart-catches",
        title=say.gettext("What the tone checks caught most before review"),
        desc=desc,
        groups=[
            charts.BarGroup(
                say.gettext(code.label), [charts.Bar(code.drafts, _drafts(code.drafts, say))]
            )
            for code in codes
        ],
    )


def reviews_chart(data: Dashboard, say: Say = ENGLISH) -> Markup:
    reviews = data.reviews
    total = reviews.total
    bars = [
        (say.gettext("Approved"), reviews.approved, charts.OK),
        (say.gettext("Changes requested"), reviews.changes_requested, charts.WARN),
    ]
    if total:
        desc = say.ngettext(
            "%(n)s review in the period: %(approved)s approved and %(changes)s asked for "
            "changes. %(first)s of drafts were approved at their first review.",
            "%(n)s reviews in the period: %(approved)s approved and %(changes)s asked for "
            "changes. %(first)s of drafts were approved at their first review.",
            total,
            n=say.number(total),
            approved=say.number(reviews.approved),
            changes=say.number(reviews.changes_requested),
            first=percent(reviews.first_approved_share, say),
        )
    else:
        desc = say.gettext("No reviews in this period.")
    return charts.horizontal_bars(
        "chart-reviews",
        title=say.gettext("Review decisions"),
        desc=desc,
        groups=[
            charts.BarGroup(
                label,
                [
                    charts.Bar(
                        count,
                        f"{say.number(count)} ({percent(count / total if total else None, say)})",
                        fill,
                    )
                ],
            )
            for label, count, fill in bars
        ],
        max_value=max(total, 1),
    )


def build(data: Dashboard, period: DateRange, say: Say = ENGLISH) -> dict:
    """Everything the template shows besides the raw figures, said through `say`."""
    return {
        "headlines": headlines(data, say),
        "replies_charts": replies_charts(data.replies, period, say),
        "legend": legend(say),
        "channels_chart": channels_chart(data.replies, say),
        "states_chart": states_chart(data, say),
        "catches_chart": catches_chart(data, say),
        "reviews_chart": reviews_chart(data, say),
        "caught_means": say.gettext(CAUGHT_MEANS),
        "pattern_defs": charts.pattern_defs(),
        "period_label": period_label(period, say),
        "outcome_labels": _outcome_labels(say),
        "bucket_label": lambda bucket: bucket_label(bucket, say),
        "human": lambda delta: human(delta, say),
        "percent": lambda value: percent(value, say),
        "versus_target": lambda median, target: versus_target(median, target, say),
    }
