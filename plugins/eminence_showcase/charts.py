"""Build-time SVG charts (no JavaScript): monthly activity per topic, a sparkline per
expert. Colours come from the theme's CSS classes, so light and dark both work; every
chart has a title, a description and (in the templates) a data table as its text
alternative. The window ends at the build's month (or at newer content, within the two
days validation allows ahead): a quiet showcase shows its quiet months, and no content
date can move it. The build's month is today's, or SOURCE_DATE_EPOCH's (the reproducible-
builds convention), so a build can be repeated byte for byte; the incremental build's
record counts the month as an input (fingerprint.site_digest).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from xml.sax.saxutils import escape

from markupsafe import Markup

MONTHS = 24


@dataclass
class Activity:
    months: list[tuple[int, int]]  # (year, month), oldest first
    posts: list[int]
    endorsements: list[int]

    @property
    def total_posts(self) -> int:
        return sum(self.posts)

    @property
    def total_endorsements(self) -> int:
        return sum(self.endorsements)

    def rows(self) -> list[tuple[str, int, int]]:
        return [(month_label(m), p, e) for m, p, e in zip(self.months, self.posts, self.endorsements,
                                                           strict=True)]


def month_label(month: tuple[int, int]) -> str:
    return dt.date(month[0], month[1], 1).strftime("%b %Y")


def build_day() -> dt.date:
    """Today (UTC), or the day SOURCE_DATE_EPOCH names (seconds since 1970)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def window(end: dt.date | dt.datetime | None, n: int = MONTHS) -> list[tuple[int, int]]:
    if end is None:
        return []
    y, m = end.year, end.month
    out = []
    for _ in range(n):
        out.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def activity(months, posts, endorsements) -> Activity:
    index = {m: i for i, m in enumerate(months)}

    def count(items):
        counts = [0] * len(months)
        for item in items:
            i = index.get((item.date.year, item.date.month))
            if i is not None:
                counts[i] += 1
        return counts

    return Activity(months, count(posts), count(endorsements))


def describe(a: Activity, subject: str) -> str:
    if not a.months:
        return f"No activity for {subject} yet."
    span = f"{month_label(a.months[0])} to {month_label(a.months[-1])}"
    text = (f"{subject}: {a.total_posts} post{'s' if a.total_posts != 1 else ''} and "
            f"{a.total_endorsements} endorsement{'s' if a.total_endorsements != 1 else ''}, {span}.")
    if a.total_posts:
        busiest = max(range(len(a.posts)), key=lambda i: (a.posts[i], i))
        text += f" Busiest month: {month_label(a.months[busiest])} ({a.posts[busiest]} posts)."
    return text


def month_text(month: tuple[int, int], posts: int, endorsements: int) -> str:
    return (f"{month_label(month)}: {posts} post{'s' if posts != 1 else ''}, "
            f"{endorsements} endorsement{'s' if endorsements != 1 else ''}")


def bar_chart(a: Activity, subject: str, chart_id: str) -> Markup:
    """Monthly posts (bars) and endorsements (dots) over the window.

    Each month is a group with its own title (a tooltip on hover) and label; months with
    activity are also keyboard stops, so their values reach keyboard and screen-reader
    users without the data table. The month labels under the chart are HTML, not SVG
    text: they keep the body's text size however wide the SVG is drawn."""
    width, height = 480, 104
    n = max(len(a.months), 1)
    top = max([*a.posts, *a.endorsements, 1])
    step = (width - 2) / n
    bar = max(step - 3, 1)
    parts = []
    for i, (month, p, e) in enumerate(zip(a.months, a.posts, a.endorsements, strict=True)):
        x = 1 + i * step
        label = escape(month_text(month, p, e), {'"': "&quot;"})
        focus = ' tabindex="0"' if p or e else ""
        shapes = [f'<rect class="chart-hit" x="{x:.1f}" y="0" width="{bar:.1f}" height="{height}"/>']
        if p:
            h = (height - 4) * p / top
            shapes.append(f'<rect class="chart-post" x="{x:.1f}" y="{height - h:.1f}" '
                          f'width="{bar:.1f}" height="{h:.1f}"/>')
        if e:
            cy = height - (height - 4) * e / top
            shapes.append(f'<circle class="chart-endorsement" cx="{x + bar / 2:.1f}" cy="{max(cy, 4):.1f}" '
                          'r="4"/>')
        parts.append(f'<g class="chart-month" role="img" aria-label="{label}"{focus}>'
                     f'<title>{label}</title>' + "".join(shapes) + "</g>")
    title, desc = f"{subject}: monthly activity", describe(a, subject)
    axis = ""
    if a.months:
        axis = (f'<div class="chart-months" aria-hidden="true"><span>{month_label(a.months[0])}</span>'
                f'<span>{month_label(a.months[-1])}</span></div>')
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height + 1}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        + "".join(parts)
        + f'<line class="chart-axis" x1="0" y1="{height + 0.5}" x2="{width}" y2="{height + 0.5}"/>'
        + "</svg>" + axis)


def sparkline(a: Activity, subject: str) -> Markup:
    width, height = 120, 28
    top = max([*a.posts, 1])
    n = max(len(a.posts) - 1, 1)
    points = " ".join(f"{i * width / n:.1f},{height - 2 - (height - 4) * p / top:.1f}"
                      for i, p in enumerate(a.posts))
    label = describe(a, subject)
    return Markup(f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" '
                  f'height="{height}" role="img" aria-label="{escape(label, {chr(34): "&quot;"})}">'
                  f'<title>{escape(label)}</title><polyline class="spark" points="{points}"/></svg>')
