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
        "sameAs": ["https://malik.example.com/", "https://social.example.net/@malik"]}
    assert post["isBasedOn"] == "https://malik.example.com/2026/postmortem-ice-storm/"


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
