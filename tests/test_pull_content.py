"""What the pull writes: hostile HTML made inert, metadata that cannot be forged,
stable identities, topics, and an editor's work never lost."""

from __future__ import annotations

import datetime as dt
import json
import re

from bs4 import BeautifulSoup

from feedserver import Response, atom, one_entry
from helpers import SCRIPT_CAPABLE, XSS, assert_inert


def test_hostile_html_is_made_inert_in_markdown_and_site(site, feeds):
    url = feeds.add("/cy.xml", Response(atom([one_entry(1, content=XSS)])))
    site.set_expert("cy", [url], trusted=True)
    site.pull()
    md = site.posts()["post-number-1.md"]
    assert "Intro **bold** text." in md
    prose = "\n".join(line for line in md.splitlines() if not line.startswith("    "))
    assert not SCRIPT_CAPABLE.search(prose), prose  # indented lines are code, shown literally
    assert "[Watch the video on youtube.com](https://www.youtube.com/embed/abc123)" in md
    assert "evil.example.net" not in md
    out = site.build(EMINENCE_PULL_MODE="full")
    page = (out / "posts/cy/post-number-1/index.html").read_text()
    body = str(BeautifulSoup(page, "html.parser").select_one(".prose"))
    assert_inert(body)
    assert not SCRIPT_CAPABLE.search(body), body
    assert "&lt;script&gt;alert('escaped text')&lt;/script&gt;" in body  # shown as text
    code = BeautifulSoup(body, "html.parser").find("pre").get_text()
    assert "<script>alert('fence')</script>" in code  # in a code block, as text


def test_full_text_mode_keeps_structure_and_resolves_relative_links(site, feeds):
    content = ('<h2>Section</h2><p>See <a href="../about/">about</a> and '
               '<a href="/abs/path">abs</a>.</p><ul><li>one</li><li>two</li></ul>'
               '<img src="img/chart.png" alt="A chart"><img src="https://pixel.wp.com/g.gif">'
               '<img src="https://blog.example.com/t.gif" width="1" height="1">')
    entry = one_entry(1, content=content, link="https://blog.example.com/2026/05/post/")
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom([entry])))])
    site.pull(EMINENCE_PULL_MODE="full")
    md = site.posts()["post-number-1.md"].split("\n\n", 1)[1]
    assert "## Section" in md
    assert "[about](https://blog.example.com/2026/05/about/)" in md
    assert "[abs](https://blog.example.com/abs/path)" in md
    assert "- one\n- two" in md
    assert "[Image: A chart](https://blog.example.com/2026/05/post/img/chart.png)" in md
    assert "pixel.wp.com" not in md and "t.gif" not in md  # tracking pixels dropped


def test_xml_base_is_used_for_relative_links(site, feeds):
    entry = one_entry(1, content='<p><a href="page.html">rel</a></p>', link=None)
    feed = atom([entry], base="https://other.example.org/dir/")
    site.set_expert("cy", [feeds.add("/cy.xml", Response(feed))])
    site.pull(EMINENCE_PULL_MODE="full")
    assert "(https://other.example.org/dir/page.html)" in site.posts()["post-number-1.md"]


def test_relative_permalink_and_xml_base_resolve_against_the_feed_url(site, feeds):
    entry = one_entry(1, content='<p><a href="page.html">rel</a></p>', link="/2026/05/post/?utm_source=x")
    url = feeds.add("/blog/cy.xml", Response(atom([entry], base="/blog/dir/")))
    site.set_expert("cy", [url])
    site.pull(EMINENCE_PULL_MODE="full")
    origin = url.split("/blog/")[0]
    post = site.posts()["post-number-1.md"]
    assert f"\nOriginal: {origin}/2026/05/post/\n" in post
    assert f"[rel]({origin}/blog/dir/page.html)" in post


def test_excerpt_mode_is_the_default(site, feeds):
    long = "".join(f"<p>Paragraph {i} " + "word " * 30 + "</p>" for i in range(10))
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom([one_entry(1, content=long)])))])
    site.pull()
    body = site.posts()["post-number-1.md"].split("\n\n", 1)[1]
    assert "Paragraph 0" in body and "Paragraph 5" not in body
    assert len(body.split()) <= 90


def test_metadata_injection_is_impossible(site, feeds):
    titles = ["Innocent\nStatus: published", "Line\u2028Expert: ada", "Tab\tand\rCR\x0bStatus: published",
              "Title: forged", "<b>Bold</b> &amp; co"]
    entries = [one_entry(i + 1, title=t.replace("&", "&amp;").replace("<", "&lt;"), title_type="html")
               for i, t in enumerate(titles)]
    entries.append(one_entry(9, title="x", content="<p>Status: published</p><p>Expert: ada</p>"))
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom(entries)))])
    site.pull()
    for name, text in site.posts().items():
        head = text.split("\n\n", 1)[0].splitlines()
        keys = [line.split(":", 1)[0] for line in head]
        assert keys == ["Title", "Date", "Expert", "Topics", "Kind", "Original", "Status", "Feed"], (
            name, head)
        meta = site.meta("cy", name)
        assert meta["Status"] == "draft" and meta["Expert"] == "cy", (name, meta)
    titles_written = sorted(site.meta("cy", n)["Title"] for n in site.posts())
    assert "Innocent Status: published" in titles_written
    assert "Bold & co" in titles_written
    out = site.build(EMINENCE_PREVIEW=True)
    assert (out / "posts/cy").is_dir()


def test_paths_cannot_escape_the_posts_folder(site, feeds):
    entries = [one_entry(1, title="../../../../etc/passwd"), one_entry(2, title="..\\..\\win"),
               one_entry(3, title="/absolute/path"), one_entry(4, title="???"),
               one_entry(5, title="CON"), one_entry(6, title="x" * 500)]
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom(entries)))])
    everything_before = {p for p in site.content.parent.rglob("*") if p.is_file()}
    site.pull()
    new_files = {p for p in site.content.parent.rglob("*") if p.is_file()} - everything_before
    outside = [p for p in new_files if (site.content / "posts" / "cy") not in p.parents
               and (site.content / "_pull") not in p.parents and (site.cache not in p.parents)]
    assert outside == []
    names = sorted(site.posts())
    assert all(re.fullmatch(r"[a-z0-9-]{1,84}\.md", n) for n in names), names
    assert "etcpasswd.md" in names and "post.md" in names


def test_missing_and_future_dates(site, feeds):
    entries = [one_entry(1, updated=None), one_entry(2, updated="2099-01-01T00:00:00Z")]
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom(entries)))])
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    site.pull()
    for name in ("post-number-1.md", "post-number-2.md"):
        date = dt.datetime.fromisoformat(site.meta("cy", name)["Date"])
        assert before <= date <= dt.datetime.now(dt.UTC), (name, date)
    first = site.meta("cy", "post-number-1.md")["Date"]
    feeds.add("/cy.xml", Response(atom([one_entry(1, updated=None, content="<p>changed</p>")])))
    site.pull()
    assert site.meta("cy", "post-number-1.md")["Date"] == first  # first-seen date is kept


def test_duplicate_ids_in_a_feed(site, feeds):
    entries = [one_entry(1), one_entry(1, title="Same id again")]
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom(entries)))])
    summary = site.pull()
    assert summary.new == 1
    assert any("duplicate entry id" in m for _, _, m in summary.problems)


def test_entries_without_id_use_link_then_content(site, feeds):
    entries = [one_entry(1, id=None), one_entry(2, id=None, link=None)]
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom(entries)))])
    site.pull()
    keys = sorted(site.ledger())
    assert keys[0].startswith("cy|hash:") and keys[1] == "cy|url:https://blog.example.com/1"
    assert site.pull(force=True).new == 0


def test_original_keeps_the_authors_url_without_tracking(site, feeds):
    link = "https://blog.example.com/2026/post/?utm_source=rss&page=2#comments"
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom([one_entry(1, link=link)])))])
    site.pull()
    assert site.meta("cy", "post-number-1.md")["Original"] == "https://blog.example.com/2026/post/?page=2"


def test_original_with_spaces_is_percent_encoded_and_builds(site, feeds):
    link = "https://blog.example.com/a post/Correct Value"
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom([one_entry(1, link=link)])))], trusted=True)
    site.pull()
    assert site.meta("cy", "post-number-1.md")["Original"] == (
        "https://blog.example.com/a%20post/Correct%20Value")
    site.build()


def test_same_post_in_two_feeds_is_pulled_once(site, feeds):
    a = feeds.add("/a.xml", Response(atom([one_entry(1, link="https://blog.example.com/1?utm_source=rss")])))
    b = feeds.add("/b.xml", Response(atom([one_entry(1, id="other-id", link="https://BLOG.example.com/1/")])))
    site.set_expert("cy", [a, b])
    site.set_expert("ada", [b], trusted=True)
    summary = site.pull()
    assert summary.new == 1 and len(site.posts("cy")) + len(site.posts("ada")) - 2 == 1


def test_permalink_change_does_not_duplicate(site, feeds):
    url = feeds.add("/cy.xml", Response(atom([one_entry(1)])))
    site.set_expert("cy", [url])
    site.pull()
    feeds.add("/cy.xml", Response(atom([one_entry(1, link="https://blog.example.com/new-slug/1")])))
    site.pull()
    feeds.add("/cy.xml", Response(atom([one_entry(1, id="changed-id",
                                                  link="https://blog.example.com/new-slug/1")])))
    summary = site.pull()
    assert list(site.posts()) == ["post-number-1.md"] and summary.new == 0


def test_topics_from_categories_and_keywords_limited_to_the_experts(site, feeds):
    entries = [one_entry(1, content="<p>A note on forecasting.</p>"),  # keyword of 'ai'
               one_entry(2, content="<p>Nothing relevant.</p>", categories=["Security"]),
               one_entry(3, content="<p>Nothing relevant here either.</p>"),
               one_entry(4, content="<p>machine learning meets security</p>")]
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom(entries)))])
    summary = site.pull()
    topics = {n: site.meta("cy", n)["Topics"] for n in site.posts()}
    assert topics == {"post-number-1.md": "ai", "post-number-2.md": "security",
                      "post-number-3.md": "ai", "post-number-4.md": "ai, security"}
    assert summary.unmatched == ["posts/cy/post-number-3.md"]


def test_topics_outside_the_experts_need_the_setting(site, feeds):
    site.set_expert("bob", status="active")
    entry = one_entry(1, content="<p>forecasting</p>")
    site.set_expert("bob", [feeds.add("/bob.xml", Response(atom([entry])))])
    site.pull()
    assert site.meta("bob", "post-number-1.md")["Topics"] == "security"
    (site.content / "posts/bob/post-number-1.md").unlink()
    (site.content / "_pull/ledger.json").unlink()
    site.pull(EMINENCE_PULL_ANY_TOPIC=True, force=True)
    assert site.meta("bob", "post-number-1.md")["Topics"] == "ai"


def test_alumni_feeds_are_not_pulled(site, feeds):
    site.set_expert("bob", [feeds.add("/bob.xml", Response(atom([one_entry(1)])))], status="alumni")
    assert site.pull().feeds == 0 and feeds.hits["/bob.xml"] == 0


def test_new_expert_brings_only_recent_posts(site, feeds):
    url = feeds.add("/cy.xml", Response(atom([one_entry(n) for n in range(1, 13)])))
    site.set_expert("cy", [url])
    summary = site.pull(EMINENCE_PULL_NEW_EXPERT_LIMIT=3)
    assert sorted(site.posts()) == ["post-number-10.md", "post-number-11.md", "post-number-12.md"]
    assert summary.skipped == 9
    feeds.add("/cy.xml", Response(atom([one_entry(n) for n in range(1, 14)])))
    again = site.pull(EMINENCE_PULL_NEW_EXPERT_LIMIT=3)
    assert again.new == 1 and "post-number-13.md" in site.posts()  # no backlog flood later


def test_a_new_experts_limit_takes_the_newest_posts_of_all_their_feeds(site, feeds):
    """An archive feed listed first must not spend the limit before the feed they write on now."""
    old = feeds.add("/medium.xml", Response(atom([one_entry(n, updated=f"2015-0{n}-01T10:00:00Z",
                                                            title=f"Archive {n}") for n in range(1, 7)])))
    new = feeds.add("/substack.xml", Response(atom([one_entry(9, id="tag:substack,2021:9", title="Fresh",
                                                              link="https://cy.example.com/fresh",
                                                              updated="2021-03-01T10:00:00Z")])))
    site.set_expert("cy", [old, new])
    summary = site.pull(EMINENCE_PULL_NEW_EXPERT_LIMIT=3)
    assert sorted(site.posts()) == ["archive-5.md", "archive-6.md", "fresh.md"]
    assert summary.new == 3 and summary.skipped == 4


def test_an_editors_edit_survives_a_repull(site, feeds):
    url = feeds.add("/cy.xml", Response(atom([one_entry(1)])))
    site.set_expert("cy", [url])
    site.pull()
    path = site.content / "posts/cy/post-number-1.md"
    edited = path.read_text().replace("Status: draft", "Status: published").replace("Topics: ai",
                                                                                   "Topics: security")
    path.write_text(edited)
    feeds.add("/cy.xml", Response(atom([one_entry(1, title="Retitled upstream",
                                                  content="<p>New text.</p>")])))
    summary = site.pull()
    assert path.read_text() == edited
    assert summary.kept_edits == ["posts/cy/post-number-1.md"] and summary.updated == 0


def test_unedited_post_follows_upstream_changes(site, feeds):
    url = feeds.add("/cy.xml", Response(atom([one_entry(1)])))
    site.set_expert("cy", [url])
    site.pull()
    feeds.add("/cy.xml", Response(atom([one_entry(1, title="Retitled", content="<p>Fixed typo.</p>")])))
    summary = site.pull()
    assert summary.updated == 1 and list(site.posts()) == ["post-number-1.md"]
    text = site.posts()["post-number-1.md"]
    assert "Title: Retitled" in text and "Fixed typo." in text


def test_a_change_past_the_excerpt_rewrites_nothing(site, feeds):
    long = "".join(f"<p>Paragraph {n} of a machine learning note with several words in it.</p>"
                   for n in range(40))
    url = feeds.add("/cy.xml", Response(atom([one_entry(1, content=long)])))
    site.set_expert("cy", [url])
    site.pull()
    before = site.posts()["post-number-1.md"]
    assert "Paragraph 3 " in before and "Paragraph 30 " not in before  # an excerpt
    feeds.add("/cy.xml", Response(atom([one_entry(1, content=long.replace("Paragraph 30 ", "Part 30 "))])))
    summary = site.pull()
    assert (summary.updated, summary.skipped) == (0, 1) and site.posts()["post-number-1.md"] == before
    # The ledger knows the new version: the change is not looked at again.
    assert site.pull(force=True).skipped == 1


def test_a_ledger_with_hashes_of_the_older_scheme_is_adopted_quietly(site, feeds):
    """Before content hashes covered the sanitized HTML (prefix 's:'), they covered the
    title and the whole Markdown. A re-pull over such a ledger neither rewrites posts nor
    reports edited ones as changed upstream, and still knows an entry without an id by
    that older hash when its permalink changes."""
    from eminence_pull.convert import html_to_markdown
    from eminence_pull.parse import text_hash

    entries = [one_entry(1), one_entry(2, id=None), one_entry(3)]
    url = feeds.add("/cy.xml", Response(atom(entries)))
    site.set_expert("cy", [url])
    site.pull()
    edited = site.content / "posts/cy/post-number-3.md"
    edited.write_text(edited.read_text().replace("Status: draft", "Status: published"))
    ledger_path = site.content / "_pull/ledger.json"
    data = json.loads(ledger_path.read_text())
    for rec in data["entries"].values():
        assert rec["content"].startswith("s:")
        n = int(rec["file"].removesuffix(".md")[-1])
        old = text_hash(f"Post number {n}\n{html_to_markdown(one_entry(n)['content'], None)}")
        rec["content"] = rec["upstream"] = old
    ledger_path.write_text(json.dumps(data))
    before = site.posts()
    entries[1] = one_entry(2, id=None, link="https://blog.example.com/moved/2")
    feeds.add("/cy.xml", Response(atom(entries)))
    summary = site.pull()
    # Only the moved post is rewritten, for its new Original link.
    assert (summary.new, summary.updated, summary.kept_edits) == (0, 1, [])
    after = site.posts()
    assert after.keys() == before.keys()
    assert [n for n in after if after[n] != before[n]] == ["post-number-2.md"]
    assert site.meta("cy", "post-number-2.md")["Original"] == "https://blog.example.com/moved/2"
    records = site.ledger().values()
    assert all(r["upstream"].startswith("s:") for r in records)
    assert "https://blog.example.com/moved/2" in {r["url"] for r in records}


def test_a_deleted_post_is_never_resurrected(site, feeds):
    url = feeds.add("/cy.xml", Response(atom([one_entry(1), one_entry(2)])))
    site.set_expert("cy", [url])
    site.pull()
    (site.content / "posts/cy/post-number-1.md").unlink()
    for _ in range(2):
        summary = site.pull(force=True)
        assert summary.new == 0
    assert list(site.posts()) == ["post-number-2.md"]
    assert site.ledger()["cy|id:tag:blog.example.com,2026:1"]["state"] == "deleted"


def test_malformed_feed_keeps_usable_entries(site, feeds):
    broken = atom([one_entry(1)]).replace("</feed>", "<entry><title>unclosed</feed>")
    site.set_expert("cy", [feeds.add("/cy.xml", Response(broken))])
    summary = site.pull()
    assert summary.new >= 1
    assert any("malformed feed" in m for _, _, m in summary.problems)


def test_html_page_instead_of_a_feed(site, feeds):
    page = "<!doctype html><html><head><title>Blog</title></head><body><p>Hi</p></body></html>"
    site.set_expert("cy", [feeds.add("/cy.xml", Response(page, content_type="text/html"))])
    summary = site.pull()
    assert summary.failed == 1 and summary.new == 0
    assert "not a feed" in summary.problems[0][2]
    assert site.health()[feeds.url("/cy.xml")]["error"].startswith("not a feed")


def test_wrong_declared_encoding(site, feeds):
    body = atom([one_entry(1, title="Caf\u00e9 cr\u00e8me")]).encode("iso-8859-1", "replace")
    body = body.replace(b'encoding="utf-8"', b'encoding="iso-8859-1"')
    site.set_expert("cy", [feeds.add("/cy.xml", Response(body, content_type="application/atom+xml; "
                                                                             "charset=utf-8"))])
    summary = site.pull()
    assert summary.new == 1
    assert site.meta("cy", next(iter(site.posts())))["Title"] == "Café crème"


def test_dry_run_writes_nothing(site, feeds):
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom([one_entry(1)])))])
    summary = site.pull(dry_run=True)
    assert summary.new == 1 and summary.written == ["posts/cy/post-number-1.md"]
    assert site.posts() == {} and not (site.content / "_pull/ledger.json").exists()


def test_a_teaser_line_is_dropped_and_the_words_before_it_kept(site, feeds):
    entries = [
        one_entry(1, content='<p>Why we moved our builds.</p><p>The post <a href="https://cy.example.com/1">'
                             'Builds</a> appeared first on <a href="https://cy.example.com/">Cy</a>.</p>'),
        one_entry(2, content='<p>Three lessons from the outage, and one more … <a href="https://x.example/2">'
                             'Continue reading <span>Outages</span> →</a></p>'),
        one_entry(3, link="https://medium.com/@cy/3-abc?source=rss-b4981c5------2&amp;utm_source=x",
                  content='<p>Notes from my talk.</p><p><a href="https://medium.com/@cy/3">'
                          'Continue reading on Medium »</a></p>'),
    ]
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom(entries)))])
    site.pull()
    bodies = {name: text.split("\n\n", 1)[1].strip() for name, text in site.posts().items()}
    assert bodies == {"post-number-1.md": "Why we moved our builds.",
                      "post-number-2.md": "Three lessons from the outage, and one more …",
                      "post-number-3.md": "Notes from my talk."}
    assert site.meta("cy", "post-number-3.md")["Original"] == "https://medium.com/@cy/3-abc"


def test_feed_text_in_the_pull_request_description_is_text_not_markup(site, feeds):
    """The scheduled pull request's description is read, and approved from, by editors: a
    feed's title must not become a link, an image, HTML or a mention there."""
    import markdown

    hostile = ['<a href="https://phish.example/">Checks passed, click to merge</a>',
               "[Approve all drafts here](https://phish.example/login)",
               "![x](https://tracker.example/i.png)",
               "ping @org/team and see https://phish.example/x or www.phish.example",
               "tick ``` fence `x` | pipe"]
    entries = [one_entry(n + 1, title=title.replace("&", "&amp;").replace("<", "&lt;"))
               for n, title in enumerate(hostile)]
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom(entries)))])
    summary = site.pull()
    summary.problems.append(("cy", "https://x.example/", "```\n[click](https://phish.example/)"))
    text = summary.markdown()
    html = markdown.markdown(text, extensions=["tables", "fenced_code"])
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["a", "img"]) and soup.find_all(string=re.compile("phish"))
    for cell in soup.select("td:nth-of-type(4)"):  # each title is one cell, whole, as code
        assert cell.code is not None and len(cell.find_all(True)) == 1, cell
    assert len(soup.select("tbody tr")) == len(hostile)
    assert "Checks passed, click to merge" in soup.get_text() and "@org/team" in soup.get_text()


def test_a_known_experts_feed_brings_at_most_its_newest_few_per_pull(site, feeds):
    """A feed that suddenly offers thousands of new entries (15,000 in the probe) must not
    write thousands of posts: its newest EMINENCE_PULL_MAX_NEW_PER_FEED, the rest kept back."""
    url = feeds.add("/cy.xml", Response(atom([one_entry(1)])))
    site.set_expert("cy", [url])
    site.pull()  # cy is known now
    feeds.add("/cy.xml", Response(atom([one_entry(n) for n in range(1, 11)])))
    summary = site.pull(EMINENCE_PULL_MAX_NEW_PER_FEED=3)
    assert summary.new == 3 and sorted(site.posts()) == [
        "post-number-1.md", "post-number-10.md", "post-number-8.md", "post-number-9.md"]
    held = "more than 3 new posts from one feed in one pull (EMINENCE_PULL_MAX_NEW_PER_FEED)"
    assert summary.outcomes[url][held] == 6
    assert site.pull(force=True, EMINENCE_PULL_MAX_NEW_PER_FEED=3).new == 0  # remembered, not offered


def test_one_id_for_distinct_statuses_in_one_document_gives_each_its_post(site, feeds):
    """scripting.com reuses a guid for a day's statuses: within one document, two entries
    with the same id but their own date and text are two posts, not an update."""
    entries = [one_entry(1, id="tag:day", title="At dawn", updated="2026-05-01T08:00:00Z",
                         content="<p>Morning thought about machine learning.</p>"),
               one_entry(2, id="tag:day", title="At dusk", updated="2026-05-01T20:00:00Z",
                         content="<p>Evening thought about forecasting.</p>"),
               one_entry(3, id="tag:same", title="Twice", updated="2026-05-02T08:00:00Z")]
    entries.append(dict(entries[2]))  # a true duplicate: same id, date and text
    url = feeds.add("/cy.xml", Response(atom(entries)))
    site.set_expert("cy", [url])
    summary = site.pull()
    assert sorted(site.posts()) == ["at-dawn.md", "at-dusk.md", "twice.md"]
    assert summary.outcomes[url]["merged"] == 1
    assert site.pull(force=True).new == 0  # and the next pull knows each of them
