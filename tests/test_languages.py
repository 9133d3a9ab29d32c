"""A post's language (issue #31): the pull writes what a feed declares, the model keeps a
normalised BCP 47 tag, and the pages, cards, feeds, JSON-LD and search say it."""

from __future__ import annotations

import json
import re

import feedparser
import pytest

from feedserver import Response, atom, one_entry
from helpers import build, page, served, write

RSS_DE = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Netzbetrieb</title><link>https://blog.example.de/</link>
<description>x</description><language>de-de</language>
<item><title>Schwarzstart im Stromnetz</title><link>https://blog.example.de/1</link>
<guid>https://blog.example.de/1</guid><pubDate>Tue, 05 May 2026 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Wie ein Schwarzstart im Stromnetz geübt wird.&lt;/p&gt;</description></item>
</channel></rss>"""


def test_the_pull_writes_the_language_a_feed_declares_where_it_is_not_the_sites(site, feeds):
    german = feeds.add("/de.xml", Response(RSS_DE, content_type="application/rss+xml"))
    # An English feed with one entry in Brazilian Portuguese (xml:lang on its content).
    mixed = atom([one_entry(1), one_entry(2, content='<p>Aprendizado de máquina.</p>',
                                          content_lang="pt-br")], extra="")
    english = feeds.add("/en.xml", Response(mixed.replace("<feed ", '<feed xml:lang="en-US" ', 1)))
    jsonfeed = feeds.add("/fr.json", Response(json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Carnet", "language": "fr",
        "items": [{"id": "f1", "url": "https://blog.example.fr/1", "title": "Réseau électrique",
                   "content_html": "<p>Le réseau.</p>", "date_published": "2026-05-03T10:00:00Z"}]}),
        content_type="application/feed+json"))
    site.set_expert("cy", [german, english, jsonfeed], trusted=True)
    site.pull()
    posts = site.posts()
    lang = {name: (re.search(r"(?m)^Lang: (.*)$", text) or [None, None])[1] for name, text in posts.items()}
    assert lang["schwarzstart-im-stromnetz.md"] == "de-DE"  # normalised
    assert lang["post-number-2.md"] == "pt-BR"  # the entry's own, over its feed's
    assert lang["post-number-1.md"] is None  # English on an English site: no line
    assert lang["reseau-electrique.md"] == "fr"
    out = site.build()
    assert page(out, "posts/cy/schwarzstart-im-stromnetz/").html["lang"] == "de-DE"


GERMAN = ("<p>Wie ein Netzbetreiber den Wiederaufbau nach einem großflächigen Ausfall übt, und warum "
          "die Leitwarte dafür jedes Jahr zwei Wochen plant.</p>")
ENGLISH = ("<p>Our operators needed a control room that could rebuild the grid after a blackout, and "
           "this is how we trained for it over two winters.</p>")


def test_the_pull_detects_the_language_where_the_feed_declares_none(site, feeds):
    """Detected where undeclared, written where it is not what the post would have anyway:
    its expert's language, else the site's. A line of text the detector is unsure of."""
    undeclared = feeds.add("/any.xml", Response(atom([
        one_entry(1, title="Schwarzstart", content=GERMAN),
        one_entry(2, title="Black start", content=ENGLISH),
        one_entry(3, title="Danke", content="<p>Danke!</p>")])))
    site.set_expert("cy", [undeclared], trusted=True)
    expert = site.content / "experts" / "ada.md"
    expert.write_text(expert.read_text().replace("Topics:", "Lang: de\nTopics:", 1))
    german_expert = feeds.add("/ada.xml", Response(atom([
        one_entry(4, title="Grid winters", content=ENGLISH), one_entry(5, title="Netz", content=GERMAN)])))
    site.set_expert("ada", [german_expert], trusted=True)
    site.pull()
    lang = {name: (re.search(r"(?m)^Lang: (.*)$", text) or [None, None])[1]
            for expert in ("cy", "ada") for name, text in site.posts(expert).items()
            if name not in ("first.md", "second.md")}  # ada's own, written by hand
    assert lang == {"schwarzstart.md": "de", "black-start.md": None, "danke.md": None,
                    "grid-winters.md": "en", "netz.md": None}


def test_pages_cards_feeds_and_json_ld_say_the_language(small_site, tmp_path):
    write(small_site, "posts/ada/auf-deutsch.md", """
        Title: Stromnetze im Winter
        Date: 2026-03-02
        Expert: ada
        Topics: ai
        Lang: de_de

        Warum Stromnetze im Winter anders geplant werden.
        """)
    expert = small_site / "experts" / "cy.md"
    expert.write_text(expert.read_text().replace("Topics:", "Lang: ar\nTopics:", 1))
    write(small_site, "posts/cy/shabaka.md", """
        Title: شبكة الكهرباء
        Date: 2026-03-03
        Expert: cy
        Topics: ai

        نص قصير عن الشبكة.
        """)
    out = tmp_path / "out"
    build(small_site, out, EMINENCE_SEARCH=False)
    german = page(out, "posts/ada/auf-deutsch/")
    assert german.html["lang"] == "de-DE"
    # The site's own words around it keep the site's language.
    assert [german.select_one(s)["lang"] for s in (".site-header", ".site-footer")] == ["en", "en"]
    assert german.select_one(".byline")["lang"] == "en" and german.h1["dir"] == "auto"
    ld = json.loads(german.find("script", type="application/ld+json").string)
    assert ld["inLanguage"] == "de-DE"
    english = page(out, "posts/ada/second/")
    assert english.html["lang"] == "en" and not english.select_one(".site-header").has_attr("lang")
    # A post that names no language has its expert's.
    arabic = page(out, "posts/cy/shabaka/")
    assert arabic.html["lang"] == "ar" and arabic.select_one(".prose")["dir"] == "auto"
    # Listed on an English page, the card's own words carry their language.
    card = next(c for c in page(out, "topics/ai/").select(".post-card")
                if "Stromnetze" in c.get_text())
    title = card.select_one(".card-title")
    assert (title["lang"], title["dir"]) == ("de-DE", "auto")
    assert not card.has_attr("lang")  # the card's labels are the site's
    feed = feedparser.parse((out / "feeds" / "all.atom.xml").read_bytes())
    entries = {e.title: e for e in feed.entries}
    assert entries["Stromnetze im Winter"].title_detail.language == "de-DE"
    xml = (out / "feeds" / "all.atom.xml").read_text()
    assert xml.count('xml:lang="de-DE"') == 1 and xml.count('xml:lang="ar"') >= 1


def test_a_language_that_is_not_a_tag_stops_the_build_with_the_fix(small_site, tmp_path):
    from eminence_model.validate import ContentError

    write(small_site, "posts/ada/bad-lang.md", """
        Title: Bad language
        Date: 2026-03-02
        Expert: ada
        Topics: ai
        Lang: Deutsch

        Text.
        """)
    with pytest.raises(ContentError, match=r"bad-lang\.md.*Lang.*'Deutsch' is not a language tag.*BCP 47"):
        build(small_site, tmp_path / "out", EMINENCE_SEARCH=False)


def test_search_finds_each_language_from_the_sites_search_page(small_site, tmp_path, browser):
    """Pagefind keeps one index per <html lang>; the (English) search page searches all."""
    write(small_site, "posts/ada/auf-deutsch.md", """
        Title: Stromnetze im Winter
        Date: 2026-03-02
        Expert: ada
        Topics: ai
        Lang: de

        Warum Umspannwerke im Winter anders geplant werden.
        """)
    out = tmp_path / "out"
    build(small_site, out)
    languages = {p.name.split("_")[0].removeprefix("pagefind.")
                 for p in out.glob("pagefind*/pagefind.*.pf_meta")}
    assert {"en", "de"} <= languages, languages  # an index per language
    said = " ".join(page(out, "search/").select_one(".page-header").get_text(" ").split())
    assert "Every language of the showcase is searched: English, German." in said

    with served(out) as base:
        context = browser.new_context()
        tab = context.new_page()
        errors = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        for word, title in (("Umspannwerke", "Stromnetze im Winter"), ("Again", "Second post")):
            tab.goto(f"{base}search/?q={word}")
            tab.wait_for_selector(".search-result", timeout=15000)
            assert title in tab.locator(".search-result .card-title a").all_text_contents(), word
        assert errors == []
        context.close()


def posts_in_languages(content, posts) -> None:
    """cy's posts on Applied AI: (file name, Lang, title) each."""
    for name, lang, title in posts:
        write(content, f"posts/cy/{name}.md", f"""
            Title: {title}
            Date: 2026-03-02
            Expert: cy
            Topics: ai
            Lang: {lang}

            Text.
            """)


def test_a_stream_in_several_languages_has_a_filter_by_language(small_site, tmp_path):
    """Static pages like the kind filter: posts only, regions merged, named in the site's
    language; none where a stream's posts are in one language."""
    posts_in_languages(small_site, [("winter", "de-DE", "Stromnetze im Winter"),
                                     ("sommer", "de-AT", "Netze im Sommer"),
                                     ("dianwang", "zh-CN", "电网调度")])
    out = tmp_path / "out"
    build(small_site, out, EMINENCE_SEARCH=False)
    topic = page(out, "topics/ai/")
    nav = topic.select_one('nav[aria-label="Show by language"]')
    chips = [" ".join(a.get_text().split()) for a in nav.select("a")]
    assert chips[0] == "Every language" and chips[1].startswith("English ")  # the site's first
    assert set(chips[2:]) == {"German 2", "Chinese (Simplified) 1"}
    assert nav.select_one('[aria-current="page"]').get_text() == "Every language"
    german = page(out, "topics/ai/in/de/")
    titles = {t.get_text(strip=True) for t in german.select(".post-card .card-title")}
    assert titles == {"Stromnetze im Winter", "Netze im Sommer"}  # de-DE and de-AT: one German
    assert german.h1.get_text(" ", strip=True).endswith(": German")
    assert german.select_one('nav[aria-label="Show by language"] [aria-current="page"]').get_text(
        " ", strip=True) == "German 2"
    assert (out / "posts" / "in" / "zh-Hans" / "index.html").is_file()  # the site's stream too
    # ada writes in English only: her profile has no language filter, and no such pages.
    assert page(out, "experts/ada/").select_one('nav[aria-label="Show by language"]') is None
    assert not (out / "experts" / "ada" / "in").exists()


def test_a_feed_per_language_where_the_showcase_asks_for_it(small_site, tmp_path):
    posts_in_languages(small_site, [("winter", "de", "Stromnetze im Winter"),
                                     ("dianwang", "zh-CN", "电网调度")])
    plain = tmp_path / "plain"
    build(small_site, plain, EMINENCE_SEARCH=False)
    assert not (plain / "feeds" / "languages").exists()  # off by default
    out = tmp_path / "out"
    build(small_site, out, EMINENCE_SEARCH=False, EMINENCE_FEEDS_BY_LANGUAGE=True)
    feeds = {p.name for p in (out / "feeds" / "languages").iterdir()}
    assert feeds == {"en.atom.xml", "de.atom.xml", "zh-Hans.atom.xml"}
    german = feedparser.parse((out / "feeds" / "languages" / "de.atom.xml").read_bytes())
    assert [e.title for e in german.entries] == ["Stromnetze im Winter"]
    assert german.feed.title.endswith(": German") and 'xml:lang="de"' in (
        out / "feeds" / "languages" / "de.atom.xml").read_text()
    english = feedparser.parse((out / "feeds" / "languages" / "en.atom.xml").read_bytes())
    assert english.entries
    assert all(e.title not in ("Stromnetze im Winter", "电网调度") for e in english.entries)
    filtered = page(out, "posts/in/de/")
    link = filtered.find("link", rel="alternate", hreflang="de")
    assert link["href"].endswith("/feeds/languages/de.atom.xml")
    assert "Subscribe to the posts in German" in filtered.get_text()


JAPANESE = ("<p>東京で新しいデータセンターを開設しました。来年には二つ目を予定しています。運用チームは"
            "この冬、停電からの復旧訓練を三回行い、手順書を全面的に書き直しました。</p>")


def test_a_japanese_entry_and_a_mixed_direction_title_through_pull_and_build(site, feeds):
    """Self-written: a Japanese entry whose feed declares no language (detected, excerpt cut
    by characters) and a title mixing English and Arabic (dir="auto" keeps its order)."""
    undeclared = feeds.add("/mixed.xml", Response(atom([
        one_entry(1, title="東京データセンター", content=JAPANESE),
        one_entry(2, title="Grid notes: شبكة الكهرباء 2026", content=ENGLISH)])))
    site.set_expert("cy", [undeclared], trusted=True)
    site.pull(EMINENCE_PULL_EXCERPT_WORDS=20)
    posts = site.posts()
    japanese = next(text for text in posts.values() if "東京" in text)
    assert re.search(r"(?m)^Lang: ja$", japanese)
    body = japanese.split("\n\n", 1)[1].strip()
    assert body == JAPANESE[3:23] + " …"  # 20 characters: 20 words in Japanese
    out = site.build()
    page_ja = page(out, "posts/cy/" + next(n for n, t in posts.items() if "東京" in t)[:-3] + "/")
    assert page_ja.html["lang"] == "ja"
    mixed = page(out, "posts/cy/" + next(n for n, t in posts.items() if "Grid notes" in t)[:-3] + "/")
    assert mixed.h1["dir"] == "auto" and mixed.h1.get_text() == "Grid notes: شبكة الكهرباء 2026"


def test_a_quote_in_another_language_says_so(small_site, tmp_path):
    write(small_site, "endorsements/gut.md", """
        Title: Sehr gute Arbeit
        Endorser: Dora Kundin
        Source: https://kunde.example.de/beitrag
        Date: 2026-01-06
        Topics: ai
        Experts: ada
        Consent: public
        Status: published
        Lang: de-de

        Die Prognosen von Ada haben unseren Winterbetrieb verändert.
        """)
    out = tmp_path / "out"
    build(small_site, out, EMINENCE_SEARCH=False)
    wall = page(out, "endorsements/")
    quotes = {q.get_text(" ", strip=True): q for q in wall.select(".quote-card blockquote")}
    german = next(q for text, q in quotes.items() if "Winterbetrieb" in text)
    assert (german["lang"], german["dir"]) == ("de-DE", "auto")
    assert all(not q.has_attr("lang") for text, q in quotes.items() if "Winterbetrieb" not in text)
    ld = json.loads(wall.find("script", type="application/ld+json").string)
    assert {q["text"][:12]: q["inLanguage"] for q in ld["@graph"]}["Die Prognose"] == "de-DE"
    xml = (out / "feeds" / "all.atom.xml").read_text()
    assert xml.count('xml:lang="de-DE"') == 1
