"""Every page kind of the showcase, asserted on a real build of the example content."""

from __future__ import annotations

import re

from helpers import EXAMPLE, all_html, build, page, write


def texts(soup, selector):
    return [el.get_text(" ", strip=True) for el in soup.select(selector)]


def test_example_meets_the_minimum_size():
    assert len(list((EXAMPLE / "topics").glob("*.md"))) >= 4
    assert len(list((EXAMPLE / "experts").glob("*.md"))) >= 8
    published = [p for p in (EXAMPLE / "endorsements").glob("*.md")
                 if "Status: published" in p.read_text()]
    assert len(published) >= 8
    posts = [p for p in (EXAMPLE / "posts").rglob("*.md") if "Status: published" in p.read_text()]
    assert len(posts) >= 30


def test_home_shows_topics_with_counts_latest_posts_and_endorsements(example_output):
    home = page(example_output, "index.html")
    topic_cards = home.select(".topic-card")
    assert len(topic_cards) == 5
    first = topic_cards[0].get_text(" ", strip=True)
    assert "Grid Reliability" in first  # Order: 1 comes first
    assert re.search(r"\d+ posts · \d+ experts · \d+ endorsements?", first)
    cards = home.select("#latest ~ .stream-grid > .card")
    assert len(cards) == 6
    # One stream of every kind, newest first: a note (no headline of its own), an
    # episode, a talk, then articles. A pulled draft (Rafael Mendes, 2026-11-20) never shows.
    dates = [c.select_one("time")["datetime"] for c in cards]
    assert dates == sorted(dates, reverse=True)
    assert [c["class"][2] for c in cards[:3]] == ["kind-note", "kind-episode", "kind-video"]
    assert not cards[0].select(".card-title") and "40% of its Kubernetes YAML" in cards[0].get_text()
    latest = texts(home, "#latest ~ .stream-grid .card-title")
    assert "What a heatwave taught our load model" in latest
    assert "Five questions every new platform user asks" not in latest
    featured = {q["id"] for q in home.select("#said ~ .quote-grid .quote-card")}
    assert featured == {"endorsement-northfield-water-forecasting",
                        "endorsement-grid-analyst-edge-platform",
                        "endorsement-security-researcher-disclosure"}


def test_topic_counts_match_the_content(example_output):
    home = page(example_output, "index.html")
    card = next(c for c in home.select(".topic-card") if "Security Engineering" in c.get_text())
    topic = page(example_output, "topics/security/")
    posts_listed = len(topic.select(".stream-grid .post-card"))
    count = int(re.search(r"(\d+) posts?", card.get_text()).group(1))
    pages = topic.select_one(".pagination span")
    if pages is None:
        assert count == posts_listed
    else:
        assert count > posts_listed


def test_topic_page_has_intro_experts_posts_newest_first_and_endorsements(example_output):
    topic = page(example_output, "topics/grid-reliability/")
    assert topic.h1.get_text(strip=True) == "Grid Reliability"
    assert "maintenance windows" in topic.select_one(".prose").get_text()
    experts = texts(topic, "#topic-experts ~ .expert-grid .card-title")
    assert "Malik Hassan" in experts and "Ines Okafor" in experts
    # One stream: posts of every kind and endorsements together, newest first.
    dates = [c.select_one("time")["datetime"] for c in topic.select(".stream-grid > .card")]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 5
    assert topic.select(".stream-grid .quote-card") and topic.select(".stream-grid .post-card")


def test_topic_posts_paginate(tmp_path, small_site):
    for i in range(15):
        (small_site / "posts" / "ada" / f"p{i:02}.md").write_text(
            f"Title: Post {i}\nDate: 2025-03-{i + 1:02}\nExpert: ada\nTopics: ai\n\nBody {i}.\n")
    out = tmp_path / "out"
    build(small_site, out)
    first = page(out, "topics/ai/")
    second = page(out, "topics/ai/page/2/")
    assert first.select_one(".pagination a[rel=next]")["href"].endswith("topics/ai/page/2/")
    listed = len(first.select(".stream-grid > .card")) + len(second.select(".stream-grid > .card"))
    assert len(first.select(".stream-grid > .card")) == 12
    assert listed == 17 + len(list((small_site / "endorsements").glob("*.md")))
    assert second.select_one(".pagination a[rel=prev]")


def test_experts_directory_filters_by_topic_without_javascript(example_output):
    directory = page(example_output, "experts/")
    assert all(s.get("type") == "application/ld+json" for s in directory.find_all("script"))
    names = texts(directory, ".expert-card .card-title")
    assert len(names) == 12
    chip = directory.find("a", string="Security Engineering")
    assert chip["href"].endswith("experts/topic/security/")
    filtered = page(example_output, "experts/topic/security/")
    names = texts(filtered, ".expert-card .card-title")
    assert set(names) == {"Priya Raman", "Sofia Kowalczyk", "Daniel Osei", "Amara Nwosu"}
    assert filtered.select_one('.chip[aria-current="page"]').get_text(strip=True) == (
        "Security Engineering")


def test_expert_page_has_bio_role_avatar_links_topics_posts_endorsements(example_output):
    ines = page(example_output, "experts/ines-okafor/")
    assert ines.h1.get_text(strip=True) == "Ines Okafor"
    assert "Principal Machine Learning Engineer" in ines.select_one(".lead").get_text()
    avatar = ines.select_one("img.avatar")
    assert avatar["src"].endswith("images/experts/ines-okafor.svg")
    assert (example_output / "images/experts/ines-okafor.svg").is_file()
    assert "forecasting at Kestrel Works" in ines.select_one(".prose").get_text()
    assert ines.select_one('.links a[href="https://ines.example.com/"]')
    assert set(texts(ines, ".profile .chip")) == {"Applied AI", "Grid Reliability"}
    assert "Forecasts operators actually trust" in texts(ines, ".post-card .card-title")
    assert "Marta Lindgren" in ines.select_one(".stream-grid .quote-card").get_text()


def test_alumni_keep_their_page_marked_as_alumni(example_output):
    hannah = page(example_output, "experts/hannah-vogel/")
    assert hannah.select_one(".badge-alumni")
    assert hannah.select(".post-card")
    directory = page(example_output, "experts/")
    alumni = directory.select_one("#alumni").find_next("div")
    assert "Hannah Vogel" in alumni.get_text()


def test_endorsement_wall_shows_endorser_role_date_and_source(example_output):
    wall = page(example_output, "endorsements/")
    cards = wall.select(".quote-card")
    assert len(cards) == 11  # 9 hand-written + 2 pulled from watch feeds and approved
    card = wall.select_one("#endorsement-grid-analyst-edge-platform")
    assert card.select_one(".endorser").get_text() == "Ravi Menon"
    assert "Meridian Infrastructure Research" in card.select_one(".endorser-role").get_text()
    assert card.select_one("time")["datetime"].startswith("2026-09-18")
    link = card.find("a", href="https://meridian-research.example.net/reports/2026/ot-edge-platforms")
    assert set(link["rel"]) == {"nofollow", "ugc", "noopener"}
    assert card.select_one(".badge-relationship").get_text() == "analyst"
    by_topic = page(example_output, "endorsements/topic/sustainable-computing/")
    assert [c["id"] for c in by_topic.select(".quote-card")] == ["endorsement-conference-carbon-aware"]
    # A pulled, approved endorsement: the endorser's own site is linked, as user content.
    pulled = wall.select_one("#endorsement-eleanor-brooks-what-the-october-storms-taught-our-dispatch-room")
    site = pulled.select_one(".endorser a")
    assert site["href"] == "https://coastline-power.example.org/people/eleanor-brooks"
    assert set(site["rel"]) == {"nofollow", "ugc", "noopener"}
    assert pulled.select_one(".badge-relationship").get_text() == "customer"


def test_post_page_links_to_the_original_with_canonical(example_output):
    post = page(example_output, "posts/malik-hassan/postmortem-ice-storm/")
    original = "https://malik.example.com/2026/postmortem-ice-storm/"
    assert post.find("link", rel="canonical")["href"] == original
    visible = post.select_one(".original a")
    assert visible["href"] == original and "malik.example.com" in visible.get_text()
    assert post.select_one(".byline a").get_text() == "Malik Hassan"


def test_post_without_original_is_its_own_canonical(tmp_path, small_site):
    out = tmp_path / "out"
    build(small_site, out)
    post = page(out, "posts/ada/second/")
    assert post.find("link", rel="canonical")["href"] == "http://127.0.0.1:8000/posts/ada/second/"
    assert post.select_one(".original") is None
    assert page(out, "posts/ada/first/").find("link", rel="canonical")["href"] == (
        "https://ada.example.com/first/")


def test_drafts_and_pending_endorsements_are_nowhere_in_the_public_build(example_output):
    assert not (example_output / "drafts").exists()
    html = all_html(example_output)
    for secret in ("where edge AI goes next", "post-quantum", "Sam Okonkwo",
                   "Energy savings at the edge", "DRAFT"):
        assert secret not in html
    assert not list(example_output.rglob("*draft*"))


def test_withdrawn_endorsement_is_taken_down(tmp_path, small_site):
    path = small_site / "endorsements" / "good.md"
    path.write_text(path.read_text().replace("Consent: public", "Consent: withdrawn"))
    out = tmp_path / "out"
    build(small_site, out)
    assert "Carol Customer" not in all_html(out)


def test_preview_mode_shows_drafts_with_a_banner(example_preview):
    html = all_html(example_preview)
    assert "Draft: where edge AI goes next" in html
    assert "Sam Okonkwo" in html
    draft = page(example_preview, "posts/sofia-kowalczyk/draft-edge-ai-roadmap/")
    assert draft.select_one(".badge-draft").get_text() == "DRAFT — not public"
    assert draft.select_one(".preview-banner")


def test_feed_text_in_titles_is_escaped(tmp_path, small_site):
    (small_site / "posts" / "ada" / "xss.md").write_text(
        "Title: <script>alert(1)</script> & co\nDate: 2026-03-01\nExpert: ada\nTopics: ai\n\nx\n")
    out = tmp_path / "out"
    build(small_site, out)
    html = all_html(out)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_theme_makes_no_third_party_requests_and_needs_no_javascript(example_output):
    for path in example_output.rglob("*.html"):
        rel = str(path.relative_to(example_output))
        soup = page(example_output, rel)
        scripts = soup.find_all("script")
        if rel == "search/index.html":  # the one page that runs code: local search files only
            code = [s for s in scripts if s.get("type") != "application/ld+json"]
            # Our own search.js, which imports Pagefind's pagefind.js from this site.
            assert [s["src"].rsplit("/", 2)[-2:] for s in code] == [["js", "search.js"]]
            continue
        if rel.startswith("pagefind/"):
            continue  # Pagefind's own UI fragments, not pages
        # Only structured data (JSON-LD), never executable script.
        assert all(s.get("type") == "application/ld+json" for s in scripts), path
        for el in soup.find_all(["link", "img", "iframe"]):
            ref = el.get("src") or (el.get("href") if el.name == "link" else None)
            if el.name == "link" and el.get("rel") == ["canonical"]:
                continue  # not a request: tells search engines where the original is
            assert not ref or not re.match(r"^(https?:)?//", ref), (path, ref)


def test_coverage_page_matches_the_content(example_output):
    cov = page(example_output, "coverage/")
    rows = {r.th.a.get_text(): [c.get_text(strip=True) for c in r.find_all("td")]
            for r in cov.select("table.coverage tbody tr")}
    assert list(rows) == ["Grid Reliability", "Applied AI", "Security Engineering",
                          "Platform Engineering", "Sustainable Computing"]
    topic = page(example_output, "topics/security/")
    experts = len(topic.select("#topic-experts ~ .expert-grid .card-title"))
    assert rows["Security Engineering"][0] == str(experts)
    posts = sum(int(td.get_text()) for td in topic.select(".chart-data tbody td:nth-of-type(1)"))
    assert rows["Security Engineering"][1] == str(posts) == "11"
    # Posts by kind: ten articles and Amara Nwosu's note; then endorsements.
    assert rows["Security Engineering"][2:6] == ["10", "1", "0", "0"]
    assert [th.get_text() for th in cov.select("table.coverage thead th")] == [
        "Topic", "Active experts", "Posts", "Articles", "Notes", "Videos", "Episodes", "Endorsements",
        "Latest activity"]
    assert rows["Security Engineering"][7] == "23 Nov 2026"  # its latest post or endorsement
    assert len(cov.select("svg.chart")) == 5


def test_charts_have_text_alternatives(example_output):
    topic = page(example_output, "topics/applied-ai/")
    svg = topic.select_one("svg.chart")
    assert svg.get("role") is None  # not "img": that would hide each month's own label
    labelled = [topic.find(id=i).get_text() for i in svg["aria-labelledby"].split()]
    assert labelled[0] == "Applied AI: monthly activity"
    assert labelled[1].startswith("Applied AI: 11 posts and 2 endorsements, Dec 2024 to Nov 2026.")
    rows = topic.select(".chart-data tbody tr")
    assert len(rows) == 24 and rows[-1].th.get_text() == "Nov 2026"
    # Each month says its values: a label and a tooltip, and a keyboard stop when it has any.
    months = svg.select("g.chart-month")
    def said(row) -> str:  # what the data table says of a month, as a sentence
        posts, endorsements = (int(td.get_text()) for td in row.find_all("td"))
        return (f"{row.th.get_text()}: {posts} post{'s' * (posts != 1)}, "
                f"{endorsements} endorsement{'s' * (endorsements != 1)}")

    assert [m["aria-label"] for m in months] == [said(r) for r in rows]
    assert all(m.title.get_text() == m["aria-label"] and m["role"] == "img" for m in months)
    active = [m for m in months if m.get("tabindex") == "0"]
    assert active and all(not m["aria-label"].endswith("0 posts, 0 endorsements") for m in active)
    assert len(active) == sum(1 for m in months if not m["aria-label"].endswith("0 posts, 0 endorsements"))
    assert not svg.find("text")  # month labels are HTML under the chart
    assert [s.get_text() for s in svg.find_next_sibling("div", class_="chart-months").find_all("span")] == [
        "Dec 2024", "Nov 2026"]
    spark = page(example_output, "experts/ines-okafor/").select_one("svg.sparkline")
    assert spark["role"] == "img" and spark["aria-label"].startswith("Ines Okafor: 6 posts")


def test_quiet_topics_are_marked(tmp_path, small_site):
    (small_site / "posts" / "bob" / "old.md").unlink()
    (small_site / "endorsements" / "good.md").write_text(
        (small_site / "endorsements" / "good.md").read_text().replace("Topics: ai", "Topics: ai, security"))
    write = small_site / "posts" / "ada" / "second.md"
    # Recent, in the build's month (the suite's SOURCE_DATE_EPOCH: Nov 2026).
    write.write_text(write.read_text().replace("Topics: ai, security", "Topics: ai")
                     .replace("Date: 2026-02-01", "Date: 2026-10-01"))
    for path in (small_site / "endorsements" / "good.md",):
        path.write_text(path.read_text().replace("Date: 2026-01-05", "Date: 2024-01-05"))
    out = tmp_path / "out"
    build(small_site, out)
    rows = {r.th.a.get_text(): r for r in page(out, "coverage/").select("table.coverage tbody tr")}
    assert "is-silent" in rows["Security"]["class"]  # nothing in the six months to the build's
    assert "is-silent" not in (rows["Applied AI"].get("class") or [])


def test_the_endorsement_wall_paginates_and_links_each_quote_to_its_page(small_site, tmp_path):
    for k in range(30):
        write(small_site, f"endorsements/many-{k:02}.md", f"""
            Title: Quote {k}
            Endorser: Customer {k}
            Source: https://customer{k}.example.org/post
            Date: 2025-01-{k + 1:02}
            Topics: ai
            Consent: public
            Status: published

            Quote number {k}.
            """)
    out = tmp_path / "out"
    build(small_site, out)
    first, second = page(out, "endorsements/"), page(out, "endorsements/page/2/")
    assert len(first.select(".quote-card")) == 24 and len(second.select(".quote-card")) == 7
    assert "Page 2 of 2" in second.select_one(".pagination").get_text()
    # The oldest quotes are on page 2, and every link to one goes there.
    assert second.select_one("#endorsement-many-00")
    ld = str(second.find("script", type="application/ld+json"))
    assert "endorsements/page/2/#endorsement-many-00" in ld
    by_topic = page(out, "endorsements/topic/ai/page/2/")
    assert by_topic.select(".quote-card")


def test_the_stream_offers_a_filter_per_kind_it_has(example_output):
    from types import SimpleNamespace

    from eminence_showcase.stream import stream

    def post(kind, day):
        return SimpleNamespace(kind=kind, date=day, slug=f"{kind}-{day}")

    site = {"DEFAULT_LANG": "en"}
    mixed = stream("experts/x/", [post("note", 3), post("article", 2),
                                  SimpleNamespace(endorser="E", date=1, slug="e")], site)
    assert [(f.slug, len(items)) for f, items in mixed.filters] == [
        ("articles", 1), ("notes", 1), ("endorsements", 1)]
    assert mixed.link(mixed.filters[1][0]) == "experts/x/notes/"
    assert stream("experts/y/", [post("article", 1), post("article", 2)], site).filters == []  # one kind
    # In the build: a filter page for each kind a stream has, none for kinds it lacks.
    amara = page(example_output, "experts/amara-nwosu/")  # notes only: nothing to filter
    assert not amara.select("nav.filter") and not (example_output / "experts/amara-nwosu/notes").exists()
    ines = page(example_output, "experts/ines-okafor/")
    chips = [a.get_text(" ", strip=True).split()[0] for a in ines.select("nav.filter a")]
    assert chips == ["Everything", "Articles", "Endorsements"]
    assert (example_output / "experts/ines-okafor/endorsements/index.html").is_file()
    assert not (example_output / "experts/ines-okafor/videos").exists()
    assert (example_output / "posts/episodes/index.html").is_file()


def test_a_cards_summary_text_is_the_summary_at_every_depth_without_tags():
    """summary_text (computed once a post) against what each card computed before:
    Pelican's summary at the page's site URL, tags stripped."""
    import datetime
    from types import SimpleNamespace

    from markupsafe import Markup
    from pelican.contents import Article
    from pelican.settings import read_settings

    from eminence_showcase import summary_text

    settings = read_settings(override={"SUMMARY_MAX_LENGTH": 12, "TIMEZONE": "UTC"})
    other = SimpleNamespace(url="posts/ada/other/", source_path="other.md")
    context = {"generated_content": {"other.md": other}, "static_content": {}, "localsiteurl": "",
               "static_links": set()}
    html = ('<p>See <a href="{filename}/other.md">the other post</a> &amp; <em>its</em> '
            '<img alt="a chart" src="{filename}/other.md"> notes on grid &lt;forecasting&gt; '
            'with many more words than a summary keeps.</p>')
    meta = {"title": "T", "date": datetime.datetime(2026, 1, 2)}
    article = Article(html, meta, settings, "/x/post.md", context)
    summaries = {}
    for siteurl in ("", "..", "../../..", "https://example.com"):
        context["localsiteurl"] = siteurl  # as Pelican's writer sets it for each page
        summaries[siteurl] = article.summary
    assert len(set(summaries.values())) > 1  # the links differ by depth
    assert {Markup(s).striptags() for s in summaries.values()} == {summary_text(article)}
    assert summary_text(article) == "See the other post & its notes on grid <forecasting> with many more …"


def test_pelicans_tag_pages_are_written_only_where_a_setting_saves_them(tmp_path, small_site):
    """The showcase skips gathering tag, category and author lists it saves nowhere; a
    site that sets TAG_SAVE_AS still gets Pelican's tag pages."""
    write(small_site, "posts/ada/tagged.md", """
        Title: Tagged
        Date: 2025-04-01
        Expert: ada
        Topics: ai
        Tags: grid, storms
        Category: Field notes
        Author: Ada

        A post with Pelican's own metadata.
        """)
    default, tagged = tmp_path / "default" / "out", tmp_path / "tagged" / "out"
    build(small_site, default)
    assert not list(default.glob("tag*")) and not list(default.rglob("*storms*"))
    build(small_site, tagged, TAG_SAVE_AS="tag/{slug}.html", TAG_URL="tag/{slug}.html")
    assert (tagged / "tag" / "storms.html").is_file() and (tagged / "tag" / "grid.html").is_file()
    assert not list(tagged.rglob("*field-notes*"))  # categories: still saved nowhere


def test_a_build_holds_one_category_author_and_tag_object_per_name(tmp_path, small_site):
    """pelican_adapter.share_url_wrappers: Pelican makes them per post and slugifies each
    again; shared, the posts hold the same objects and Pelican's lists are unchanged."""
    from pelican import signals

    for n, tags in ((1, "grid, storms"), (2, "grid")):
        write(small_site, f"posts/ada/tagged-{n}.md", f"""
            Title: Tagged {n}
            Date: 2025-04-0{n}
            Expert: ada
            Topics: ai
            Tags: {tags}
            Category: Field notes
            Author: Ada

            A post with Pelican's own metadata.
            """)
    found, tags = [], {}

    def keep(generator):
        found.extend(a for a in generator.articles if a.title.startswith("Tagged"))
        tags.update({tag.name: sorted(a.title for a in posts) for tag, posts in generator.tags.items()})

    signals.article_generator_finalized.connect(keep)
    try:
        out = tmp_path / "out"
        build(small_site, out, TAG_SAVE_AS="tag/{slug}.html", TAG_URL="tag/{slug}.html")
    finally:
        signals.article_generator_finalized.disconnect(keep)
    one, two = sorted(found, key=lambda a: a.title)
    assert one.category is two.category and one.author is two.author
    assert one.tags[0] is two.tags[0] and one.tags[0].name == "grid"
    assert one.metadata["category"] is one.category and one.metadata["tags"][0] is one.tags[0]
    assert tags == {"grid": ["Tagged 1", "Tagged 2"], "storms": ["Tagged 1"]}  # Pelican's lists
    assert (out / "tag" / "grid.html").is_file() and (out / "tag" / "storms.html").is_file()


def test_the_home_page_counts_in_words_that_agree_with_the_number(tmp_path, small_site):
    (small_site / "topics" / "security.md").unlink()
    for path in (small_site / "experts" / "bob.md", *(small_site / "posts" / "bob").glob("*.md")):
        path.unlink()
    for path in small_site.rglob("*.md"):  # what named the removed topic now names the other
        text = path.read_text().replace("ai, security", "ai")
        path.write_text(text.replace("Topics: security", "Topics: ai"))
    out = tmp_path / "out"
    build(small_site, out)
    stats = " ".join(page(out, "").select_one(".stats").get_text(" ").split())
    assert stats == "1 topic · 2 experts · 2 posts · 1 endorsement", stats


def test_charts_count_to_the_build_month_and_a_new_month_redraws_them(tmp_path, small_site, monkeypatch):
    """A quiet showcase shows its quiet months (the window ends at the build's month, not
    at the newest post); an incremental build in a later month redraws the charts."""
    def last_month_shown(out) -> str:
        return page(out, "topics/ai/").select(".chart-data tbody tr")[-1].th.get_text()

    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796040000")  # 2026-11-30; the newest post: Feb 2026
    build(small_site, out, EMINENCE_INCREMENTAL=True)
    assert last_month_shown(out) == "Nov 2026"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1801310400")  # 2027-01-30: nothing else changed
    build(small_site, out, EMINENCE_INCREMENTAL=True)
    assert last_month_shown(out) == "Jan 2027"
