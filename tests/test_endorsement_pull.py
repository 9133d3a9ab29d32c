"""Endorsement candidates from topics' Watch feeds, pulled from a real loopback server:
what becomes a candidate, what does not and why, hostile text, curation safety,
and verify-endorsements against Source pages that changed or vanished."""

from __future__ import annotations

import hashlib
import re
import textwrap

import pytest
from bs4 import BeautifulSoup

from feedserver import Response, atom
from helpers import ROOT, SETTINGS, XSS, assert_inert, invoke, runner, write

BRANDS = ["Acme Widgets", "Widgetron"]
OUTSIDER = {"name": "Dana Outsider", "uri": "https://dana.example.org/"}
PRAISE = ("<p>We looked at four vendors for our plant.</p>"
          "<p>In the end Acme Widgets won because their sensors just kept working through the "
          "winter, and support answered at night. We would choose them again without a second "
          "thought.</p><p>Next month: a look at valves.</p>")


def entry(n, content=PRAISE, author=OUTSIDER, **extra):
    e = {"id": f"tag:watch.example.org,2026:{n}", "title": f"Field notes {n}",
         "link": f"https://dana.example.org/notes/{n}?utm_source=rss", "updated": f"2026-05-{n:02}T10:00:00Z",
         "content": content, "author": author}
    e.update(extra)
    return e


def watch(site, topic: str, urls: list[str]) -> None:
    site.set_watch(topic, urls)


def pull(site, **overrides):
    overrides.setdefault("EMINENCE_BRAND_TERMS", BRANDS)
    overrides.setdefault("EMINENCE_INTERNAL_DOMAINS", ["acme.example.com"])
    return site.pull(**overrides)


def candidates(site) -> dict[str, str]:
    folder = site.content / "endorsements"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))
            if p.name != "good.md"}


def meta(text: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in text.split("\n\n", 1)[0].splitlines())


def test_a_mention_in_prose_becomes_a_draft_candidate_with_its_quote(site, feeds):
    url = feeds.add("/watch.xml", Response(atom([entry(1)])))
    watch(site, "ai", [url])
    summary = pull(site)
    tally = summary.watch
    assert (tally.feeds, tally.examined, tally.matched, tally.new) == (1, 1, 1, 1)
    [(name, text)] = candidates(site).items()
    assert name == "dana-outsider-field-notes-1.md"
    m = meta(text)
    assert m == {"Title": "Field notes 1", "Endorser": "Dana Outsider",
                 "Endorser-URL": "https://dana.example.org/",
                 "Source": "https://dana.example.org/notes/1", "Date": "2026-05-01T10:00:00+00:00",
                 "Topics": "ai", "Consent": "public", "Status": "draft", "Matched": "Acme Widgets",
                 "Feed": url}
    quote = text.split("\n\n", 1)[1].strip()
    # The sentence around the mention, not the whole post.
    assert quote.startswith("In the end Acme Widgets won because")
    assert "four vendors" not in quote and "valves" not in quote
    # Never published without an editor; shown in the preview, marked as a draft.
    public = site.build()
    assert "Acme Widgets won" not in (public / "endorsements" / "index.html").read_text()
    preview = site.build(EMINENCE_PREVIEW=True)
    card = BeautifulSoup((preview / "endorsements" / "index.html").read_text(), "html.parser").find(
        id="endorsement-dana-outsider-field-notes-1")
    assert "is-draft" in card["class"] and "Acme Widgets won" in card.blockquote.text
    assert card.find("a", string="Dana Outsider")["rel"] == ["nofollow", "ugc", "noopener"]


def test_what_is_not_an_endorsement_is_dropped_and_counted(site, feeds):
    site.content.joinpath("experts/cy.md").write_text(
        site.content.joinpath("experts/cy.md").read_text().replace("Role: Researcher",
                                                                   "Role: Researcher\nAliases: C. Example"))
    entries = [
        entry(1, content="<p>Read <a href='https://acme-widgets.example.com/x'>this</a> or "
                         "https://www.acmewidgets.example.com/y for more.</p>"),
        entry(2, content="<p>A review of valves, with nothing else in it.</p>"
                         "<footer>Posted in Acme Widgets news</footer>"
                         "<p>The post Valves appeared first on Acme Widgets Blog.</p>"),
        entry(3, author={"name": "Ada Example"}),  # an expert, by name
        entry(4, author={"name": "C.  Example"}),  # an expert's alias
        entry(5, author={"name": "Press", "uri": "https://news.acme.example.com/"}),  # internal domain
        entry(6, author={"name": "Someone"}, link="https://ada.example.com/guest-post"),  # an expert's blog
        entry(7, content="<p>Valves, valves, valves.</p>"),
        entry(8, content="<p>" + "A long story about valves and pumps that never names anyone. " * 3 + "</p>",
              title="Acme Widgets in the news"),  # the text says something else
        entry(9, content="<blockquote><p>Acme Widgets is great, says the vendor.</p></blockquote>"
                         "<p>I disagree with the post above.</p>"),
        entry(10, link=None),
    ]
    url = feeds.add("/watch.xml", Response(atom(entries)))
    watch(site, "security", [url])
    tally = pull(site).watch
    assert candidates(site) == {}
    assert (tally.examined, tally.matched, tally.new) == (10, 5, 0)
    assert dict(tally.dropped) == {"link_only": 1, "boilerplate_only": 1, "internal": 4,
                                   "no_mention": 1, "title_only": 1, "quoted_only": 1,
                                   "no_permalink": 1}


def test_a_brand_in_the_title_counts_where_the_title_is_all_the_entry_has(site, feeds):
    """Hacker News search results: a headline, and only "Article URL … Points … Comments"."""
    hn = ("<p>Article URL: <a href='https://blog.example.org/acme'>https://blog.example.org/acme</a></p>"
          "<p>Comments URL: <a href='https://news.example.com/item?id=1'>https://news.example.com/item?id=1</a>"
          "</p><p>Points: 36</p><p># Comments: 4</p>")
    url = feeds.add("/hn.xml", Response(atom([entry(1, content=hn, title="Why we moved to Acme Widgets")])))
    watch(site, "ai", [url])
    assert pull(site).watch.new == 1
    [(name, text)] = candidates(site).items()
    assert text.split("\n\n", 1)[1].strip() == "Why we moved to Acme Widgets"
    assert meta(text)["Matched"] == "Acme Widgets"


def test_duplicates_pulled_posts_and_cited_sources_are_not_candidates(site, feeds):
    # The same post in two watch feeds (different ids), one of our experts' pulled
    # posts, and a Source a hand-written endorsement already cites.
    expert_post = {"id": "tag:blog,1", "title": "Our post", "link": "https://blog.example.com/ours",
                   "updated": "2026-05-01T10:00:00Z", "content": "<p>Machine learning.</p>"}
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom([expert_post])))])
    first = feeds.add("/w1.xml", Response(atom([entry(1)])))
    second = feeds.add("/w2.xml", Response(atom([
        entry(2, id="search:1", link="https://dana.example.org/notes/1"),
        entry(3, link="https://blog.example.com/ours", author={"name": "Aggregator"}),
        entry(4, link="https://customer.example.org/post", author={"name": "Carol Customer"}),
    ])))
    watch(site, "ai", [first])
    watch(site, "security", [second])
    tally = pull(site).watch
    assert list(candidates(site)) == ["dana-outsider-field-notes-1.md"]
    assert dict(tally.dropped) == {"seen": 1, "already_pulled": 1, "cited": 1}


def test_hostile_feed_text_stays_inert_in_the_candidate_and_on_the_site(site, feeds):
    hostile = XSS.replace("Intro <b>bold</b> text.",
                          "Intro: <b>Acme Widgets</b> <img src=x onerror=alert(1)> is "
                          "<a href='javascript:alert(1)'>great</a> {: onclick=alert(1)} *really* "
                          "<script>alert(2)</script> good for us")
    forged = {"name": "Eve\nStatus: published\nConsent: granted", "uri": "javascript:alert(1)"}
    url = feeds.add("/watch.xml", Response(atom([entry(1, content=hostile, author=forged,
                                                       title="Title\nStatus: published")])))
    watch(site, "ai", [url])
    pull(site)
    [text] = candidates(site).values()
    m = meta(text)
    assert m["Status"] == "draft" and m["Consent"] == "public" and "Endorser-URL" not in m
    assert m["Endorser"] == "Eve Status: published Consent: granted"
    assert m["Title"] == "Title Status: published"
    body = text.split("\n\n", 1)[1]
    assert "<" not in body.replace("&lt;", "") and "\\{: onclick" in body
    preview = site.build(EMINENCE_PREVIEW=True)
    html = (preview / "endorsements" / "index.html").read_text()
    card = BeautifulSoup(html, "html.parser").find("figure", id=re.compile("^endorsement-eve"))
    assert "Acme Widgets" in card.blockquote.text
    assert_inert(str(card))


def test_a_repull_keeps_edits_and_never_brings_back_a_rejected_candidate(site, feeds):
    from eminence_desk import reject

    url = feeds.add("/watch.xml", Response(atom([entry(1), entry(2, author={"name": "Erin Other"})])))
    watch(site, "ai", [url])
    pull(site)
    names = sorted(candidates(site))
    assert names == ["dana-outsider-field-notes-1.md", "erin-other-field-notes-2.md"]
    edited = site.content / "endorsements" / names[0]
    edited.write_text(edited.read_text().replace("Status: draft", "Status: published")
                      .replace("In the end ", ""))
    before = edited.read_bytes()
    reject(str(site.content), [str(site.content / "endorsements" / names[1])], reason="off-topic")
    feeds.add("/watch.xml", Response(atom([entry(1, title="Renamed"), entry(2, author={"name": "Erin Other"}),
                                           entry(3, author={"name": "Finn Third"})])))
    tally = pull(site, force=True).watch
    assert edited.read_bytes() == before
    assert sorted(candidates(site)) == [names[0], "finn-third-field-notes-3.md"]
    assert tally.dropped["seen"] == 2
    assert site.ledger()["@watch|id:tag:watch.example.org,2026:2"]["state"] == "rejected"


def test_the_new_candidate_limit_keeps_a_new_watch_feed_from_flooding(site, feeds):
    url = feeds.add("/watch.xml", Response(atom([entry(n, author={"name": f"Person {n}"})
                                                 for n in range(1, 6)])))
    watch(site, "ai", [url])
    tally = pull(site, EMINENCE_WATCH_MAX_NEW=2).watch
    assert tally.new == 2 and tally.dropped["over_limit"] == 3
    # the newest two
    assert sorted(candidates(site)) == ["person-4-field-notes-4.md", "person-5-field-notes-5.md"]
    assert pull(site, EMINENCE_WATCH_MAX_NEW=2, force=True).watch.new == 0


def test_watch_feeds_without_brand_terms_are_reported_not_pulled(site, feeds):
    url = feeds.add("/watch.xml", Response(atom([entry(1)])))
    watch(site, "ai", [url])
    summary = pull(site, EMINENCE_BRAND_TERMS=[])
    assert feeds.hits["/watch.xml"] == 0 and candidates(site) == {}
    assert any("EMINENCE_BRAND_TERMS is empty" in m for _, _, m in summary.problems)


def test_the_queue_ranks_direct_first_hand_praise_first(site, feeds):
    from eminence_desk import queue_items

    url = feeds.add("/watch.xml", Response(atom([
        entry(1, content="<p>Acme Widgets exists.</p>", author={"name": "Thin Mention"}),
        entry(2),
        entry(3, content="<p>We switched to Acme Widgets and it saved us a week every quarter.</p>"),
    ])))
    watch(site, "ai", [url])
    pull(site)
    model = runner.check(site.settings(EMINENCE_PREVIEW=True))
    items = [i for i in queue_items(model, str(site.content), brand_terms=BRANDS)
             if i["kind"] == "endorsement"]
    order = [i["endorser"] for i in items]
    # Dana's two first-hand, evaluative quotes lead; her second one counts one less
    # (a distinct voice), and the thin mention comes last.
    assert order == ["Dana Outsider", "Dana Outsider", "Thin Mention"]
    assert items[0]["score"] > items[1]["score"] > items[2]["score"]
    assert "says what was good" in items[0]["why"] and "too short to stand alone" in items[2]["why"]


# -- verify-endorsements ----------------------------------------------------------------


ENDORSEMENT = """
    Title: {title}
    Endorser: Someone Outside
    Source: {source}
    Date: 2026-03-01
    Topics: ai
    Consent: {consent}
    Status: published

    {quote}
    """


@pytest.fixture
def sources(site, feeds):
    """Four published endorsements whose Sources are on the loopback server."""
    quote = "Their forecasts are the first we have trusted at 3 a.m. — truly."
    page = ("<html><body><p>THEIR forecasts are the “first” we have trusted at 3 a.m.&nbsp;— "
            "truly!</p></body></html>")
    routes = {"ok": Response(page, content_type="text/html; charset=utf-8"),
              "changed": Response("<p>We rewrote this post.</p>", content_type="text/html"),
              "missing": Response("gone", status=404, content_type="text/plain"),
              "removed": Response("gone", status=410, content_type="text/plain")}
    for name, response in routes.items():
        write(site.content, f"endorsements/{name}.md", ENDORSEMENT.format(
            title=name, source=feeds.add(f"/{name}", response), consent="public", quote=quote))
    write(site.content, "endorsements/withdrawn.md", ENDORSEMENT.format(
        title="withdrawn", source=feeds.url("/never"), consent="withdrawn", quote=quote))
    return site


def digest(folder) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.rglob("*.md")))).hexdigest()


def test_verify_reports_gone_and_changed_sources_and_edits_nothing(sources, feeds):
    from eminence_publish.verify import verify

    before = digest(sources.content)
    settings = sources.settings()
    shown = runner.check(settings).endorsements
    verdicts = {v.path.rsplit("/", 1)[1]: v for v in verify(shown, settings)}
    assert {k: v.state for k, v in verdicts.items()} == {
        "ok.md": "ok", "changed.md": "missing", "missing.md": "gone", "removed.md": "gone",
        "good.md": "unreachable"}  # customer.example.org: not on loopback, never resolvable
    assert "no longer contains the quote" in verdicts["changed.md"].detail
    assert feeds.hits["/never"] == 0  # withdrawn: not on the site, not checked
    assert digest(sources.content) == before


def test_invoke_verify_endorsements_exits_1_and_names_the_files(sources, tmp_path):
    conf = tmp_path / "verify_settings.py"
    conf.write_text(textwrap.dedent(f"""
        import sys
        from eminence_model.engine_settings import settings_of
        globals().update(settings_of({SETTINGS!r}))
        PATH = {str(sources.content)!r}
        CACHE_PATH = {str(tmp_path / "cache")!r}
        """))
    good = sources.content / "endorsements" / "good.md"
    good.unlink()  # leave only loopback Sources
    report = tmp_path / "verify.md"
    run = invoke(ROOT, "verify-endorsements", "--settings", str(conf), "--report", str(report))
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(r"GONE\s+\S*missing\.md", run.stdout) and re.search(r"MISSING\s+\S*changed\.md",
                                                                          run.stdout)
    assert "Checked 4 published endorsement(s): 1 ok, 2 gone, 1 missing, 0 unreachable." in run.stdout
    # The monthly workflow's issue body: each problem with its file and its fix; the ok one absent.
    text = report.read_text()
    assert text.startswith("## Endorsements to verify\n\nChecked 4 published endorsement(s)")
    assert re.search(r"^\| gone \| `\S*missing\.md` \| ` http://127\.0\.0\.1:\d+/missing ` \| ` the page "
                     r"answers HTTP 404 ` \| take it down", text, re.M)
    assert re.search(r"^\| missing \| `\S*changed\.md` \|.*\| ask the endorser", text, re.M)
    assert "ok.md" not in text


def test_a_new_brand_term_re_examines_feeds_the_cache_would_skip(site, feeds):
    """Changing what decides a candidate (here the brand terms) must not wait for --force:
    the ETag says the feed did not change, but the rules it was judged by did."""
    url = feeds.add("/watch.xml", Response(atom([entry(1)]), etag='"same"'))
    watch(site, "ai", [url])
    first = pull(site, EMINENCE_BRAND_TERMS=["Gizmo Corp"])
    assert first.watch.new == 0
    assert pull(site, EMINENCE_BRAND_TERMS=["Gizmo Corp"]).not_modified == 1  # the cache at work
    again = pull(site)  # now Acme Widgets is a brand term
    assert (again.fetched, again.watch.examined, again.watch.new) == (1, 1, 1)
    assert pull(site).not_modified == 1  # and the new rules' validators are kept again


def test_the_ranking_puts_praise_before_news_and_noise():
    """Praise of the company's work first; news, share-price stories, report spam, hostile
    text and the brand's name as a common word after, each with the reason shown."""
    import datetime as dt

    from eminence_pull.ranking import rank

    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    when = dt.datetime(2026, 5, 20, tzinfo=dt.UTC)
    quotes = {
        "praise": ("We switched our plant to Acme Widgets last year, and their sensors have been "
                   "excellent: support answered within the hour every time.", "Field notes"),
        "neutral": ("Acme Widgets opened a new office in Leeds this spring, the company said on "
                    "Tuesday in a short statement.", "Local business news"),
        "stock": ("Acme Widgets (NASDAQ:ACMW) insider Jane Roe sold 1,500 shares of the company's "
                  "stock in a transaction on Friday.", "Acme Widgets Insider Sells 1500 Shares"),
        "report": ("The Global Acme Widgets Market report offers an in-depth analysis of key players, "
                   "market size and growth opportunities.", "Acme Widgets Market 2026 Report"),
        "hostile": ("Acme Widgets is a copier and a killer of small firms, and its products are "
                    "terrible and dangerous.", "A warning"),
        "common": ("The acme widgets of the old toy catalogue were cheap tin things that broke "
                   "after one summer of play.", "Toys"),
    }
    scored = {name: rank(quote, ["Acme Widgets"], when, now, title)
              for name, (quote, title) in quotes.items()}
    order = sorted(scored, key=lambda name: -scored[name][0])
    assert order[:2] == ["praise", "neutral"], scored
    assert scored["neutral"][0] > max(scored[n][0] for n in ("stock", "report", "hostile", "common")), scored
    assert "a first-hand account" in scored["praise"][1] and any(w.startswith("warm toward it")
                                                                  for w in scored["praise"][1])
    assert "market, stock or report news" in scored["stock"][1] + scored["report"][1]
    assert any(w.startswith("negative") for w in scored["hostile"][1])
    assert "only in lower case (the common word?)" in scored["common"][1]


def test_a_candidate_in_another_language_says_which(site, feeds):
    """The quote's language, detected (a watch feed rarely declares one), where it is not
    the site's; an English one adds no line."""
    german = ("<p>Wir haben vier Anbieter verglichen. Am Ende hat Acme Widgets gewonnen, weil ihre "
              "Leitwarte den Winterbetrieb wirklich verstanden hat.</p>")
    url = feeds.add("/watch.xml", Response(atom([entry(1), entry(2, content=german, title="Feldnotizen")])))
    watch(site, "ai", [url])
    pull(site)
    langs = {meta(text)["Title"]: meta(text).get("Lang") for text in candidates(site).values()}
    assert langs == {"Field notes 1": None, "Feldnotizen": "de"}
