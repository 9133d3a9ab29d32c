"""schema.org JSON-LD (read back with extruct), OpenGraph tags and canonical URLs."""

from __future__ import annotations

import extruct

from helpers import page, script_capable

SITE = "https://showcase.example.com"


def jsonld(out, rel):
    path = out / rel
    html = (path / "index.html" if path.is_dir() else path).read_text()
    data = extruct.extract(html, base_url=SITE, syntaxes=["json-ld"])["json-ld"]
    items = []
    for block in data:
        items += block.get("@graph", [block])
    return items


def test_organization_on_home(published):
    org = next(i for i in jsonld(published, "index.html") if i.get("@type") == "Organization")
    assert org["name"] == "Kestrel Works" and org["url"] == f"{SITE}/"
    assert "Security Engineering" in org["knowsAbout"]


def test_person_on_expert_pages(published):
    person = next(i for i in jsonld(published, "experts/priya-raman") if i.get("@type") == "Person")
    assert person["name"] == "Priya Raman" and person["jobTitle"] == "Head of Security Research"
    assert person["url"] == f"{SITE}/experts/priya-raman/"
    assert person["worksFor"]["name"] == "Kestrel Works"


def test_blogposting_with_author_on_post_pages(published):
    post = jsonld(published, "posts/malik-hassan/postmortem-ice-storm")[0]
    assert post["@type"] == "BlogPosting"
    assert post["author"] == {
        "@type": "Person", "name": "Malik Hassan", "url": f"{SITE}/experts/malik-hassan/",
        "jobTitle": "Reliability Engineering Lead", "worksFor": post["publisher"],
        "sameAs": ["https://malik.example.com/", "https://social.example.net/@malik"],
        "image": f"{SITE}/images/experts/malik-hassan.svg"}
    assert post["isBasedOn"] == "https://malik.example.com/2026/postmortem-ice-storm/"


NOTE = "posts/amara-nwosu/supply-chain-security-tip-of-the-week-pin-your-ci"
TALK = "posts/lena-fischer/carbon-aware-batch-jobs-moving-work-to-when-the-grid-is-green"
EPISODE = "posts/oskar-berg/ep-12-black-start-drills-with-a-control-room-veteran"


def test_each_kind_has_its_schema_type(published):
    note, _ = jsonld(published, NOTE)  # and its BreadcrumbList
    assert note["@type"] == "SocialMediaPosting" and note["author"]["name"] == "Amara Nwosu"
    assert note["text"].startswith("Supply chain security tip of the week: pin your CI actions")
    assert note["isBasedOn"] == "https://social.example.net/@amara/113480000000000001"
    assert note["url"] == f"{SITE}/{NOTE}/"
    talk, _ = jsonld(published, TALK)
    assert talk["@type"] == "VideoObject" and talk["creator"]["name"] == "Lena Fischer"
    assert talk["name"] == "Carbon-aware batch jobs: moving work to when the grid is green"
    assert talk["duration"] == "PT41M0S" and talk["uploadDate"] == "2026-11-24T10:00:00+00:00"
    assert talk["contentUrl"] == "https://talks.example.org/media/carbon-aware-batch-jobs.mp4"
    assert talk["description"].startswith("How we shifted 30% of our nightly batch energy")
    episode, _ = jsonld(published, EPISODE)
    assert episode["@type"] == "PodcastEpisode" and episode["author"]["name"] == "Oskar Berg"
    assert episode["associatedMedia"] == {
        "@type": "AudioObject", "duration": "PT52M14S",
        "contentUrl": "https://media.gridside.example.com/episodes/gridside-12.mp3"}
    assert episode["isBasedOn"] == "https://gridside.example.com/episodes/12-black-start-drills"


def test_each_kind_page_shows_what_it_is(published):
    note = page(published, NOTE + "/")
    assert note.h1["class"] == ["visually-hidden"]  # no invented headline: the text is the page
    assert note.h1.get_text() == "Note by Amara Nwosu, 23 November 2026"
    assert note.select_one(".note-text").get_text().startswith("Supply chain security tip of the week")
    assert note.select_one('link[rel="canonical"]')["href"] == "https://social.example.net/@amara/113480000000000001"
    assert note.select_one(".original a").get_text() == "See it on social.example.net"
    talk = page(published, TALK + "/")
    # One call to action: where the talk plays (its page); the file is a plainer second link,
    # and the running time is said once, beside the date.
    watch = talk.select_one(".media .media-link")
    assert watch["href"] == "https://talks.example.org/v/carbon-aware-batch-jobs"
    assert watch.get_text(" ", strip=True).startswith("Watch on talks.example.org :")
    assert talk.select_one(".media .media-file")["href"] == (
        "https://talks.example.org/media/carbon-aware-batch-jobs.mp4")
    assert not talk.select_one(".original")  # "Read the original" would be the same page again
    assert talk.select_one("main").get_text().count("41:00") == 1
    # Read aloud as "running time 41:00" (a label on a bare span is not read: ARIA 1.2).
    duration = talk.select_one(".byline .duration")
    assert duration.get_text() == "running time 41:00" and not duration.has_attr("aria-label")
    assert duration.select_one(".visually-hidden").get_text() == "running time "
    episode = page(published, EPISODE + "/")
    listen = episode.select_one(".media .media-link")
    assert listen["href"] == "https://media.gridside.example.com/episodes/gridside-12.mp3"
    assert listen.get_text(" ", strip=True).startswith("Listen to the episode :")
    for soup in (note, talk, episode):  # links, never players or remote images
        assert not soup.find(["audio", "video", "iframe", "embed", "object"])
        assert all(not img["src"].startswith("http") for img in soup.find_all("img"))


def test_quotations_for_endorsements(published):
    quotes = [i for i in jsonld(published, "endorsements") if i.get("@type") == "Quotation"]
    assert len(quotes) == 11
    analyst = next(q for q in quotes if q["isBasedOn"].endswith("ot-edge-platforms"))
    assert analyst["creator"] == {"@type": "Person", "name": "Ravi Menon",
                                  "jobTitle": "Principal Analyst, Meridian Infrastructure Research"}
    assert analyst["text"].startswith("Kestrel Works' staged-ring model")
    pulled = next(q for q in quotes if q["creator"]["name"] == "Eleanor Brooks")
    assert pulled["creator"]["url"] == "https://coastline-power.example.org/people/eleanor-brooks"
    assert pulled["isBasedOn"] == "https://coastline-power.example.org/blog/2026/storm-season-review"


def test_opengraph_and_canonical(published):
    topic = page(published, "topics/security/")
    og = {m["property"]: m["content"] for m in topic.find_all("meta", property=True)}
    assert og["og:url"] == f"{SITE}/topics/security/" and og["og:type"] == "website"
    assert og["og:title"] == "Security Engineering · Kestrel Works"
    assert topic.find("link", rel="canonical")["href"] == f"{SITE}/topics/security/"
    hand_written = page(published, "posts/ines-okafor/drift-is-a-calendar-problem/")
    assert hand_written.find("link", rel="canonical")["href"] == (
        "https://ines.example.com/2026/drift-is-a-calendar-problem/")
    assert {m["property"]: m["content"] for m in hand_written.find_all("meta", property=True)}[
        "og:type"] == "article"


def test_text_cannot_break_out_of_json_ld(small_site, tmp_path):
    from helpers import build, write

    write(small_site, "posts/ada/evil.md", "Title: </script><script>alert(1)</script> & <!-- x\n"
                                           "Date: 2026-03-01\nExpert: ada\nTopics: ai\n\nBody.\n")
    build(small_site, tmp_path / "out")
    html = (tmp_path / "out/posts/ada/evil/index.html").read_text()
    assert script_capable(html) == []
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in html  # escaped inside JSON-LD
    assert "<script>alert(1)" not in html
