"""The site's own words in the site's language (issue #31): the example built with
DEFAULT_LANG = "de" has no English UI string left on any page kind (checked against the
German catalogue), dates in German, the search page's words in German, axe clean; the
catalogue is complete and `invoke translations` keeps it in step with the theme."""

from __future__ import annotations

import re

import pytest

from helpers import EXAMPLE, ROOT, build, page, served

PAGES = ["", "topics/", "topics/applied-ai/", "topics/grid-reliability/episodes/", "experts/",
         "experts/topic/security/", "experts/priya-raman/", "endorsements/", "posts/", "posts/notes/",
         "posts/malik-hassan/postmortem-ice-storm/",
         "posts/amara-nwosu/supply-chain-security-tip-of-the-week-pin-your-ci/",
         "posts/lena-fischer/carbon-aware-batch-jobs-moving-work-to-when-the-grid-is-green/",
         "posts/oskar-berg/ep-12-black-start-drills-with-a-control-room-veteran/",
         "404.html", "search/", "coverage/"]
# What the example's own content says (posts, quotes, summaries, bios): English on any site.
CONTENT = ".prose, .note-text, .card-summary, blockquote, .card-title, .hero .lead, .page-header .lead p"
MONTHS_DE = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    out = tmp_path_factory.mktemp("de") / "output"
    build(EXAMPLE, out, DEFAULT_LANG="de", EMINENCE_SEARCH=True)
    return out


def english_phrases() -> list[str]:
    """Each message of the German catalogue whose translation differs, as the literal
    phrases (two words or more) between its placeholders: what must not be left."""
    from babel.messages.pofile import read_po

    path = ROOT / "theme" / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    phrases = set()
    for message in read_po(path.open("rb")):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if not msgid or msgid in strings:
                continue
            for part in re.split(r"%\(\w+\)[sd]|\{\w+\}", msgid):
                part = part.strip(" .,:;()→←")
                if len(part.split()) >= 2:
                    phrases.add(part)
    return sorted(phrases)


def test_the_german_catalogue_is_complete_and_in_step_with_the_theme():
    from eminence_showcase.catalogues import status

    found = {s.lang: s for s in status(str(ROOT / "theme"))}
    assert found["de"].untranslated == [] and found["de"].fuzzy == []
    assert found["de"].total > 140


@pytest.mark.parametrize("rel", PAGES)
def test_no_english_ui_string_is_left_on_a_german_page(german, rel):
    html = page(german, rel)
    assert html.html["lang"] == "de"
    for node in html.select(CONTENT):
        node.decompose()
    attributes = " ".join(v for tag in html.find_all(True) for k, v in tag.attrs.items()
                          if k in ("aria-label", "title", "placeholder", "alt", "content", "data-messages")
                          and isinstance(v, str))
    text = " ".join(f"{html.get_text(' ')} {attributes}".split())
    left = [phrase for phrase in english_phrases() if phrase in text]
    assert left == [], left


def test_dates_and_counts_are_german(german):
    posts = page(german, "posts/")
    dates = [t.get_text(strip=True) for t in posts.select("time")]
    assert dates and all(re.fullmatch(rf"\d{{1,2}}\. ({MONTHS_DE}) \d{{4}}", d) for d in dates), dates[:5]
    topics = " ".join(page(german, "topics/").get_text(" ").split())
    assert re.search(r"\d+ Beiträge · \d+ Fachleute · \d+ Stimmen", topics)
    coverage = page(german, "coverage/")
    headers = [th.get_text(strip=True) for th in coverage.select("table.coverage thead th")]
    assert headers[3:7] == ["Artikel", "Notizen", "Videos", "Folgen"]  # plural labels, not "Notizs"


def test_the_feeds_speak_german(german):
    import feedparser

    feed = feedparser.parse((german / "feeds" / "all.atom.xml").read_bytes())
    assert feed.feed.title == "Kestrel Works: alle Beiträge und Stimmen"
    assert any("Das Original lesen" in e.content[0].value for e in feed.entries if "content" in e)


@pytest.mark.parametrize("path", ["", "posts/", "coverage/", "search/?q=grid",
                                  "posts/oskar-berg/ep-12-black-start-drills-with-a-control-room-veteran/"])
def test_german_pages_are_accessible_and_the_search_speaks_german(german, browser, path):
    from axe_playwright_python.sync_playwright import Axe

    with served(german) as base:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(f"{base}{path}")
        if "?q=" in path:
            tab.wait_for_selector(".search-result", timeout=15000)
            assert re.fullmatch(r"\d+ Ergebnisse für „grid“\.", tab.locator("#search-status").inner_text())
        violations = Axe().run(tab).response["violations"]
        context.close()
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == []
