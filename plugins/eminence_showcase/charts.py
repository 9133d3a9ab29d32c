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
import gettext as gettext_module
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from markupsafe import Markup

MONTHS = 24


def _english_month(year: int, month: int) -> str:
    return dt.date(year, month, 1).strftime("%b %Y")


@dataclass(frozen=True)
class Words:
    """What a chart says, in the site's language (i18n.py): gettext, ngettext, a month."""
    gettext: Callable = gettext_module.NullTranslations().gettext
    ngettext: Callable = gettext_module.NullTranslations().ngettext
    month: Callable[[int, int], str] = _english_month


@dataclass
class Activity:
    months: list[tuple[int, int]]  # (year, month), oldest first
    posts: list[int]
    endorsements: list[int]
    words: Words = field(default_factory=Words)

    @property
    def total_posts(self) -> int:
        return sum(self.posts)

    @property
    def total_endorsements(self) -> int:
        return sum(self.endorsements)

    def rows(self) -> list[tuple[str, int, int]]:
        return [(self.words.month(*m), p, e) for m, p, e in zip(self.months, self.posts, self.endorsements,
                                                                 strict=True)]


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


def activity(months, posts, endorsements, words: Words | None = None) -> Activity:
    index = {m: i for i, m in enumerate(months)}

    def count(items):
        counts = [0] * len(months)
        for item in items:
            i = index.get((item.date.year, item.date.month))
            if i is not None:
                counts[i] += 1
        return counts

    return Activity(months, count(posts), count(endorsements), words or Words())


def describe(a: Activity, subject: str) -> str:
    _, n_, month = a.words.gettext, a.words.ngettext, a.words.month
    if not a.months:
        return _("No activity for %(subject)s yet.") % {"subject": subject}
    posts = n_("%(num)d post", "%(num)d posts", a.total_posts) % {"num": a.total_posts}
    endorsements = n_("%(num)d endorsement", "%(num)d endorsements", a.total_endorsements) % {
        "num": a.total_endorsements}
    text = _("%(subject)s: %(posts)s and %(endorsements)s, %(first)s to %(last)s.") % {
        "subject": subject, "posts": posts, "endorsements": endorsements,
        "first": month(*a.months[0]), "last": month(*a.months[-1])}
    if a.total_posts:
        busiest = max(range(len(a.posts)), key=lambda i: (a.posts[i], i))
        text += " " + _("Busiest month: %(month)s (%(num)d posts).") % {
            "month": month(*a.months[busiest]), "num": a.posts[busiest]}
    return text


def month_text(a: Activity, month: tuple[int, int], posts: int, endorsements: int) -> str:
    n_ = a.words.ngettext
    posts_text = n_("%(num)d post", "%(num)d posts", posts) % {"num": posts}
    endorsements_text = n_("%(num)d endorsement", "%(num)d endorsements", endorsements) % {
        "num": endorsements}
    return a.words.gettext("%(month)s: %(posts)s, %(endorsements)s") % {
        "month": a.words.month(*month), "posts": posts_text, "endorsements": endorsements_text}


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
        label = escape(month_text(a, month, p, e), {'"': "&quot;"})
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
    title = a.words.gettext("%(subject)s: monthly activity") % {"subject": subject}
    desc = describe(a, subject)
    axis = ""
    if a.months:
        axis = (f'<div class="chart-months" aria-hidden="true"><span>{a.words.month(*a.months[0])}</span>'
                f'<span>{a.words.month(*a.months[-1])}</span></div>')
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
