"""Hostile and mistyped values in a feed cost that value, never the feed or the build;
discovery and the feed check say so without a traceback."""

from __future__ import annotations

import json

import pytest

from feedserver import Response
from helpers import invoke

V11 = "https://jsonfeed.org/version/1.1"


def item(n, **extra):
    found = {"id": f"{n}", "url": f"https://cy.example.com/{n}", "title": f"Item {n}",
             "content_text": f"Machine learning note {n}.", "date_published": f"2026-05-0{n}T10:00:00Z"}
    found.update(extra)
    return found


HOSTILE_ITEMS = [
    item(1, tags=5, attachments=7, authors=3),  # every list mistyped
    item(2, attachments=[{"url": "https://cy.example.com/2.mp3", "mime_type": "audio/mpeg",
                          "duration_in_seconds": 1e15}]),  # 277,777,777,777 hours
    item(3, date_published="9999-12-31T23:59:59-14:00"),  # past year 9999 in UTC
    item(4, id={"nested": True}, title=["not", "text"]),
    5,  # not an object
    {},  # nothing to publish at all
]


def test_mistyped_json_feed_values_cost_the_value_not_the_feed(site, feeds):
    url = feeds.add("/cy.json", Response(json.dumps({"version": V11, "items": HOSTILE_ITEMS}),
                                         content_type="application/feed+json"))
    site.set_expert("cy", [url], trusted=True)
    summary = site.pull()
    assert summary.failed == 0 and summary.new == 4, summary.problems
    problems = [m for _, _, m in summary.problems]
    assert "entry skipped (item 5 is not an object)" in problems
    assert "entry skipped (no title, text, link or media: nothing to publish)" in problems
    episode = site.meta("cy", "item-2.md")
    assert episode["Kind"] == "episode" and "Duration" not in episode
    assert not any("Untitled post" in text for text in site.posts().values())
    site.build()  # what the pull wrote, the model accepts


@pytest.mark.parametrize("body", [
    f'{{"version": "{V11}", "items": {"[" * 100_000 + "]" * 100_000}}}',  # RecursionError
    json.dumps({"version": V11, "items": HOSTILE_ITEMS[:4]}).replace("1000000000000000.0", "1e309"),
])
def test_discovery_and_the_feed_check_never_end_in_a_traceback(project, feeds, body):
    url = feeds.add("/odd.json", Response(body, content_type="application/feed+json"))
    run = invoke(project, "add-feed", "ines-okafor", url)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode in (0, 1) and (run.stdout + run.stderr).strip()
    if run.returncode:
        assert run.stderr.startswith(f"{url}: "), run.stderr


def test_deeply_nested_markup_keeps_its_words_and_costs_linear_time(site, feeds):
    """200,000 nested <div> (2.2 MB, under the size cap) took a pull 447 s, and text nested
    deeper than ~255 levels disappeared: the post was published empty."""
    import time

    from feedserver import atom, one_entry

    deep = "<div>" * 200_000 + "<p>Words at the bottom of the well.</p>" + "</div>" * 200_000
    url = feeds.add("/cy.xml", Response(atom([one_entry(1, content=deep,
                                                        title="Deep")])))
    site.set_expert("cy", [url])
    started = time.monotonic()
    summary = site.pull()
    assert time.monotonic() - started < 20
    assert "Words at the bottom of the well." in site.posts()["deep.md"]
    assert any("nested 200001 levels deep: flattened to keep its text" in m for _, _, m in summary.problems)
