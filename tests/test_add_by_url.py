"""`invoke add-post URL --expert SLUG` (issue #32): a draft from what a page declares about
itself, fetched from pages these tests write and serve on 127.0.0.1; platforms that refuse
are never requested; a page that does not name the expert is flagged; a later pull of
the same item merges with it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from feedserver import Response, atom, one_entry

HTML = "text/html; charset=utf-8"


def page(head: str = "", body: str = "", title: str = "A page") -> str:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>{head}</head>"
            f"<body>{body}</body></html>")


def ld(data: dict) -> str:
    # "</" escaped, as a page must (else "</script>" in a value ends the element)
    text = json.dumps(data).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def fields(text: str) -> dict[str, str]:
    head = text.split("\n\n", 1)[0]
    return dict(line.split(": ", 1) for line in head.splitlines())


@pytest.fixture
def add(site, feeds):
    """add(url, expert="cy") -> (Added, the draft's fields, its body)."""
    from eminence_pull.add_by_url import add_post

    feeds.add("/robots.txt", Response("User-agent: *\nDisallow: /private/\n", content_type="text/plain"))

    def run(url: str, expert: str = "cy", **kwargs):
        added = add_post(site.settings(), url, expert, **kwargs)
        text = (site.content / added.path).read_text(encoding="utf-8")
        return added, fields(text), text.split("\n\n", 1)[1]
    return run


def test_a_blog_post_with_json_ld(add, feeds):
    url = feeds.add("/blog/forecasts", Response(page(ld({
        "@context": "https://schema.org", "@graph": [
            {"@type": "WebSite", "name": "Cy's blog"},
            {"@type": "BlogPosting", "headline": "Forecasts operators trust",
             "datePublished": "2026-03-04T09:00:00Z", "author": {"@type": "Person", "name": "Cy Example"},
             "description": "Why calibration matters more than accuracy <script>alert(1)</script> "
                            "for the people who run the grid."}]}),
        "<article><p>The whole text.</p></article>"), content_type=HTML))
    added, meta, body = add(url + "?utm_source=linkedin&utm_medium=social")
    assert (added.kind.value, added.read[0]) == ("article", "JSON-LD BlogPosting")
    assert meta["Title"] == "Forecasts operators trust" and meta["Date"].startswith("2026-03-04T09:00:00")
    assert meta["Original"] == url  # tracking parameters removed
    assert meta["Status"] == "draft" and meta["Expert"] == "cy" and meta["Topics"] == "ai"
    assert "Review-Note" not in meta and added.names_expert == "its author is Cy Example"
    assert "Media" not in meta and "Duration" not in meta
    assert "calibration matters" in body and "<script" not in body and "alert" not in body


def test_a_talk_page_with_only_opengraph(add, feeds):
    url = feeds.add("/talks/grid", Response(page(
        '<meta property="og:title" content="Black-start drills, live">'
        '<meta property="og:description" content="A talk at GridConf 2026 by Cy Example.">'
        '<meta property="article:published_time" content="2026-05-20">'), content_type=HTML))
    added, meta, body = add(url, topics=["security"])
    assert added.read == ["OpenGraph"] and added.kind.value == "article"
    assert meta["Title"] == "Black-start drills, live" and meta["Topics"] == "security"
    assert meta["Date"].startswith("2026-05-20") and "GridConf" in body
    assert added.names_expert == "its text names Cy Example"  # in its description


def test_a_video_page_found_through_oembed(add, feeds):
    answer = {"type": "video", "title": "Grid forecasting in 5 minutes", "author_name": "Cy Example"}
    oembed = feeds.add("/oembed", Response(json.dumps(answer), content_type="application/json"))
    url = feeds.add("/watch/abc", Response(page(
        f'<link rel="alternate" type="application/json+oembed" href="{oembed}">'), content_type=HTML))
    added, meta, _ = add(url)
    assert added.kind.value == "video" and "oEmbed" in added.read
    assert meta["Title"] == "Grid forecasting in 5 minutes" and meta["Kind"] == "video"
    assert added.names_expert == "its author is Cy Example"


def test_an_h_entry_note_keeps_its_whole_text(add, feeds):
    note = "Shipped the new load model today. Thanks to the operators who tested it all winter!"
    url = feeds.add("/notes/1", Response(page(body=(
        f'<article class="h-entry"><p class="e-content p-name">{note}</p>'
        '<a class="p-author h-card" href="https://cy.example.net/">Cy</a>'
        '<time class="dt-published" datetime="2026-04-01T08:00:00Z">1 April</time></article>')),
        content_type=HTML))
    added, meta, body = add(url)
    assert added.kind.value == "note" and added.read[0] == "microformats h-entry"
    assert body.strip() == note and meta["Title"].startswith("Shipped the new load model")
    assert meta["Date"].startswith("2026-04-01")


def test_a_podcast_episode_with_its_duration_and_audio(add, feeds):
    url = feeds.add("/episodes/12", Response(page(ld({
        "@context": "https://schema.org", "@type": "PodcastEpisode", "name": "Ep. 12: Black start",
        "datePublished": "2026-02-10", "duration": "PT52M14S", "description": "Cy Example on drills.",
        "associatedMedia": {"@type": "MediaObject", "contentUrl": "https://cdn.example.org/ep12.mp3"}})),
        content_type=HTML))
    added, meta, _ = add(url)
    assert added.kind.value == "episode"
    assert (meta["Duration"], meta["Media"]) == ("52:14", "https://cdn.example.org/ep12.mp3")


def test_a_page_that_does_not_name_the_expert_is_flagged(add, feeds, site):
    from eminence_desk.queue import queue_items
    from eminence_model.sources import read_showcase

    url = feeds.add("/press/1", Response(page(ld({
        "@type": "NewsArticle", "headline": "Utility tests its grid", "author": {"name": "Dana Reporter"},
        "description": "A utility ran drills."})), content_type=HTML))
    added, meta, _ = add(url)
    assert added.names_expert is None
    assert "does not name Cy Example" in meta["Review-Note"]
    items = queue_items(read_showcase(site.settings()), str(site.content))
    item = next(i for i in items if i["title"] == "Utility tests its grid")
    assert "does not name Cy Example" in item["review_note"]


def test_linkedin_is_recognised_without_a_request(add, no_leaving):
    added, meta, body = add("https://www.linkedin.com/posts/cy-example_grid-activity-7000?trk=share")
    assert no_leaving == []  # no connection at all
    assert added.read == []
    assert meta["Original"] == "https://www.linkedin.com/posts/cy-example_grid-activity-7000"  # no trk
    assert meta["Title"] == "LinkedIn post by Cy Example" and meta["Kind"] == "note"
    assert "fill in the title, the date" in meta["Review-Note"] and body.strip() == ""


def test_a_redirect_to_a_private_address_is_refused(add, feeds, no_leaving, site):
    from eminence_pull.add_by_url import AddRefused

    url = feeds.add("/moved", Response("", status=302, headers={"Location": "http://intranet.test/admin"}))
    url = url.replace("127.0.0.1", "localhost")
    with pytest.raises(AddRefused, match="could not be fetched"):
        add(url)
    assert all(a[0] == "127.0.0.1" for a in no_leaving)
    assert not list((site.content / "posts" / "cy").glob("*.md"))


def test_a_huge_page_is_bounded(add, feeds, site):
    from eminence_pull.add_by_url import AddRefused

    huge = page(body="<p>" + "x" * (50 * 1024 * 1024) + "</p>")  # 50 MB, past EMINENCE_PULL_MAX_BYTES
    url = feeds.add("/huge", Response(huge, content_type=HTML))
    with pytest.raises(AddRefused, match="could not be fetched"):
        add(url)
    assert not list((site.content / "posts" / "cy").glob("*.md"))


def test_robots_rules_are_obeyed(add, feeds):
    from eminence_pull.add_by_url import AddRefused

    url = feeds.add("/private/talk", Response(page(), content_type=HTML))
    with pytest.raises(AddRefused, match="robots.txt forbids"):
        add(url)


def test_a_later_pull_of_the_same_item_merges_instead_of_duplicating(add, feeds, site):
    from eminence_pull.add_by_url import AddRefused

    url = feeds.add("/blog/1", Response(page(ld({"@type": "BlogPosting", "headline": "Post number 1",
                                                 "author": "Cy Example"})), content_type=HTML))
    added, _, _ = add(url)
    with pytest.raises(AddRefused, match="already known"):
        add(url)
    feed = feeds.add("/feed.xml", Response(atom([one_entry(1, link=url)])))
    site.set_expert("cy", [feed])
    site.pull()
    posts = list(site.posts("cy"))
    assert posts == [added.path.rsplit("/", 1)[1]], posts  # one post, the one added
    assert re.search(r"(?m)^Status: draft$", site.posts("cy")[posts[0]])


def test_the_command_says_what_it_read_and_refuses_twice(project, feeds):
    from helpers import invoke

    url = feeds.add("/talks/wind", Response(page(
        '<meta property="og:title" content="Forecasting wind, live">'
        '<meta property="og:description" content="Ines Okafor on weather ensembles.">'), content_type=HTML))
    first = invoke(project, "add-post", url, "--expert", "ines-okafor")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[:3] == [
        "Added a draft (article), content/posts/ines-okafor/forecasting-wind-live.md: Forecasting wind, live",
        "  read: OpenGraph", "  names the expert: its text names Ines Okafor"]
    again = invoke(project, "add-post", url, "--expert", "ines-okafor")
    assert again.returncode == 1 and "is already known" in again.stderr
    unknown = invoke(project, "add-post", url, "--expert", "nobody")
    assert unknown.returncode == 1 and "no expert 'nobody'" in unknown.stderr


H_FEED = page(body="""<div class="h-feed"><h1 class="p-name">Cy's notes</h1>
<article class="h-entry"><a class="u-url" href="/notes/1"><time class="dt-published"
  datetime="2026-04-01T08:00:00Z">1 April</time></a>
  <div class="e-content p-name">Shipped the <b>load model</b> today.</div></article>
<article class="h-entry"><h2 class="p-name"><a class="u-url" href="/posts/2">Forecasting bands</a></h2>
  <div class="e-content"><p>Why a band beats a line <script>alert(1)</script>for operators.</p></div>
  <time class="dt-published" datetime="2026-03-01">1 March</time></article></div>""")


def test_an_h_feed_page_is_found_as_a_feed_and_pulled(site, feeds):
    """IndieWeb: a page whose posts are marked up (h-feed) and that links no feed."""
    from eminence_desk import check_feeds

    url = feeds.add("/indieweb/", Response(H_FEED, content_type=HTML))
    check = check_feeds([url], site.settings())[0]
    assert (check.url, check.entries) == (url, 2) and "h-feed" in check.how
    site.set_expert("cy", [url], trusted=True)
    site.pull()
    posts = site.posts("cy")
    note = next(text for name, text in posts.items() if "load model" in text)
    assert re.search(r"(?m)^Kind: note$", note) and "Original: http://127.0.0.1" in note
    titled = posts["forecasting-bands.md"]
    assert "Why a band beats a line" in titled and "alert" not in titled
    assert re.search(r"(?m)^Date: 2026-03-01", titled)


def test_a_page_that_links_a_feed_is_not_taken_for_its_h_feed(site, feeds):
    from eminence_desk import check_feeds

    rss = feeds.add("/blog.xml", Response(atom([one_entry(1)])))
    url = feeds.add("/blog/", Response(H_FEED.replace(
        "<head>", f'<head><link rel="alternate" type="application/atom+xml" href="{rss}">'),
        content_type=HTML))
    assert check_feeds([url], site.settings())[0].url == rss


def form(url: str, expert: str = "cy", topics: str = "_No response_", note: str = "_No response_") -> str:
    """An issue body as GitHub writes the "Add my talk, post or interview" form's answers."""
    return (f"### Page URL\n\n{url}\n\n### Expert\n\n{expert}\n\n### Topics\n\n{topics}\n\n"
            f"### Note for the editors\n\n{note}\n")


def test_a_submission_becomes_a_draft_and_an_inert_pull_request_description(site, feeds):
    """The issue form's body and the page are untrusted: in the description they are code."""
    import markdown

    from eminence_pull.submission import submit

    hostile = "Grid talk [win](https://evil.example/) @someone <img src=x onerror=alert(1)> fixes #1"
    url = feeds.add("/talks/hostile", Response(page(
        f'<meta property="og:title" content="{hostile.replace("<", "&lt;").replace(">", "&gt;")}">'
        '<meta property="og:description" content="Cy Example on black starts.">'), content_type=HTML))
    added, description = submit(site.settings(), form(url, note="Please add @maintainers [x](https://evil.example/)"),
                                "cy-gh", 42)
    meta = fields((site.content / added.path).read_text(encoding="utf-8"))
    assert meta["Status"] == "draft" and "submitted by cy-gh (GitHub), who is not known as Cy Example" in (
        meta["Review-Note"])
    assert description.startswith("Submitted by @cy-gh in #42")
    html = markdown.markdown(description, extensions=["tables"])
    outside_code = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    assert "evil.example" not in outside_code and "<img" not in outside_code
    assert "@someone" not in outside_code and "@maintainers" not in outside_code
    assert "fixes #1" not in outside_code and "Grid talk" in html  # quoted, as code


def test_a_submission_by_the_expert_is_not_flagged(site, feeds):
    from eminence_pull.submission import submit

    expert = site.content / "experts" / "cy.md"
    expert.write_text(expert.read_text().replace("Topics:", "Links: https://github.com/Cy-Ex\nTopics:", 1))
    url = feeds.add("/talks/own", Response(page('<meta property="og:title" content="Cy Example on grids">'),
                                           content_type=HTML))
    added, description = submit(site.settings(), form(url, topics="security"), "cy-ex", 7)
    assert added.review_note == "" and "| Submitter is the expert | yes |" in description
    assert fields((site.content / added.path).read_text())["Topics"] == "security"


@pytest.mark.parametrize(("body", "login", "message"), [
    ("### Page URL\n\n_No response_\n\n### Expert\n\ncy\n", "cy-ex", "does not give: Page URL"),
    (form("https://blog.example.com/x", expert="nobody"), "cy-ex", "no expert `nobody`"),
    (form("https://blog.example.com/x"), "bad login!", "is not a GitHub login"),
])
def test_a_submission_that_cannot_be_added_says_why(site, body, login, message):
    from eminence_pull.submission import SubmissionRefused, submit

    with pytest.raises(SubmissionRefused, match=re.escape(message)):
        submit(site.settings(), body, login, 1)


def test_the_submission_workflow_never_puts_the_issue_into_a_shell_command():
    from helpers import ROOT

    text = (ROOT / ".github" / "workflows" / "add-post.yml").read_text()
    runs = re.findall(r"run: \|\n((?:\s{10,}.*\n)+)", text)
    assert runs and not any("github.event" in r for r in runs)  # only through env
    assert "BODY: ${{ github.event.issue.body }}" in text and "contains(github.event.issue.labels" in text
    form_file = (ROOT / ".github" / "ISSUE_TEMPLATE" / "add-post.yml").read_text()
    from eminence_pull.submission import LABELS

    assert all(f"label: {label}" in form_file for label in LABELS.values())  # the parser's labels


def test_the_original_is_the_pages_own_address_on_its_own_site(add, feeds):
    share = feeds.add("/s/x7Yq", Response(page(
        '<link rel="canonical" href="/blog/p/">'
        '<meta property="og:title" content="Cy Example: canonical"><meta property="og:audio" '
        'content="javascript:alert(1)">'), content_type=HTML))
    added, meta, _ = add(share)
    assert meta["Original"] == share.replace("/s/x7Yq", "/blog/p/")  # its rel=canonical, not the share link
    assert "Media" not in meta  # a script URL is no media
    elsewhere = feeds.add("/blog/q", Response(page(
        '<link rel="canonical" href="https://evil.example/q">'
        '<meta property="og:title" content="Cy Example: elsewhere">'), content_type=HTML))
    assert add(elsewhere)[1]["Original"] == elsewhere  # another site's address is ignored


def test_a_site_whose_robots_rules_cannot_be_read_is_not_fetched(add, feeds, site):
    from eminence_pull.add_by_url import AddRefused

    feeds.add("/robots.txt", Response("down", status=500, content_type="text/plain"))
    url = feeds.add("/talks/later", Response(page(), content_type=HTML))
    with pytest.raises(AddRefused, match="robots rules are unknown"):
        add(url)
    assert not list((site.content / "posts" / "cy").glob("*.md"))


def test_what_an_interrupted_pull_wrote_stays_in_the_ledger(add, feeds, site):
    """add-post saves the ledger: the journal of a pull killed mid-way is replayed first,
    never dropped (its files reached the disk; the ledger must keep knowing them)."""
    from eminence_model.store import file_hash, state_dir
    from eminence_pull.state import JOURNAL, LEDGER

    post = site.content / "posts" / "cy" / "from-the-killed-pull.md"
    post.parent.mkdir(parents=True, exist_ok=True)
    post.write_text("Title: From the killed pull\nDate: 2026-05-01\nExpert: cy\nTopics: ai\n\nText.\n")
    record = {"expert": "cy", "file": "posts/cy/from-the-killed-pull.md", "state": "active",
              "written": file_hash(str(post)), "url": "https://blog.example.com/killed"}
    state = state_dir(str(site.content))
    Path(state).mkdir(parents=True, exist_ok=True)
    Path(state, JOURNAL).write_text(json.dumps({"key": "cy|url:https://blog.example.com/killed",
                                                "record": record}) + "\n")
    url = feeds.add("/talks/after", Response(page('<meta property="og:title" content="Cy Example talks">'),
                                             content_type=HTML))
    add(url)
    ledger = json.loads(Path(state, LEDGER).read_text())["entries"]
    assert "cy|url:https://blog.example.com/killed" in ledger
    assert not Path(state, JOURNAL).exists()
