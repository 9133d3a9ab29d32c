"""What a share and a search engine see, on every page of the example built as CI
publishes it: a card image that exists at the size declared, and JSON-LD with the
properties Google's structured-data documentation requires (and the ones it recommends
that we have data for), type by type, read back with extruct."""

from __future__ import annotations

import io
import shutil
from collections import Counter

import extruct
import pytest
from PIL import Image

from helpers import build, page, site_pages

SITE = "https://showcase.example.com"  # the `published` fixture's

# Google Search Central's structured-data pages, per type: required (and recommended
# where the showcase holds the data). PodcastEpisode and Quotation have no Google page:
# schema.org's expected properties.
REQUIRED = {
    "BlogPosting": {"headline", "author", "datePublished", "image"},
    "SocialMediaPosting": {"author", "datePublished", "text", "url", "image"},
    "VideoObject": {"name", "thumbnailUrl", "uploadDate", "description", "duration"},
    "PodcastEpisode": {"name", "partOfSeries", "associatedMedia", "datePublished", "duration"},
    "Person": {"name", "url", "image"},
    "Organization": {"name", "url", "logo"},
    "BreadcrumbList": {"itemListElement"},
    "ItemList": {"itemListElement"},
    "Quotation": {"text", "creator", "isBasedOn"},
}


def jsonld_items(html: str) -> list[dict]:
    items = []
    for block in extruct.extract(html, base_url=SITE, syntaxes=["json-ld"])["json-ld"]:
        items += block.get("@graph", [block])
    return items


def test_every_page_shows_a_card_that_exists_at_the_size_it_declares(published):
    seen = set()
    for rel, soup in site_pages(published):
        meta = {m.get("property") or m.get("name"): m["content"] for m in soup.find_all("meta")
                if m.get("content") is not None}
        assert meta.get("twitter:card") == "summary_large_image", rel
        url = meta.get("og:image", "")
        assert url.startswith(f"{SITE}/cards/") and url.endswith(".png"), (rel, url)
        if url not in seen:
            seen.add(url)
            with Image.open(published / url.removeprefix(f"{SITE}/")) as image:
                assert image.format == "PNG"
                assert image.size == (int(meta["og:image:width"]), int(meta["og:image:height"])), url
        assert meta["og:image:alt"].strip(), rel
    # One for the site, each topic and each expert; a post shows its expert's.
    assert len(seen) == 1 + 5 + 12


def test_a_page_shows_its_own_card(published):
    def card(rel):
        return page(published, rel).find("meta", property="og:image")["content"]

    assert "/cards/topics/security." in card("topics/security/")
    assert "/cards/experts/priya-raman." in card("experts/priya-raman/")
    assert "/cards/experts/malik-hassan." in card("posts/malik-hassan/postmortem-ice-storm/")
    assert "/cards/site." in card("index.html") and "/cards/site." in card("experts/")
    expert = page(published, "experts/priya-raman/")
    assert expert.find("meta", property="og:image:alt")["content"] == (
        "Priya Raman — Head of Security Research")


def test_every_type_has_the_properties_search_engines_require(published):
    found = set()
    for rel, soup in site_pages(published):
        for item in jsonld_items(str(soup)):
            kind = item.get("@type")
            if kind in REQUIRED:
                found.add(kind)
                missing = sorted(p for p in REQUIRED[kind] if not item.get(p))
                assert not missing, f"{rel}: {kind} lacks {missing}"
            for element in item.get("itemListElement", []):
                assert element["position"] >= 1 and (element.get("item") or element.get("url")), rel
    assert found == set(REQUIRED)


def test_nested_pages_carry_their_breadcrumbs(published):
    for rel, soup in site_pages(published):
        trails = [i for i in jsonld_items(str(soup)) if i.get("@type") == "BreadcrumbList"]
        if rel in ("index.html", "404.html"):
            assert not trails, rel
            continue
        trail, = trails
        names = [e["name"] for e in trail["itemListElement"]]
        assert names[0] == "Kestrel Works" and len(names) >= 2, rel
        assert [e["position"] for e in trail["itemListElement"]] == list(range(1, len(names) + 1))
        last = trail["itemListElement"][-1]["item"]
        if "/page/" not in rel:  # a later page's trail ends at its stream
            assert last == f"{SITE}/{rel.removesuffix('index.html')}", rel
    post = [i for i in jsonld_items(str(page(published, "posts/malik-hassan/postmortem-ice-storm/")))
            if i.get("@type") == "BreadcrumbList"][0]
    assert [e["name"] for e in post["itemListElement"]][1:3] == ["Experts", "Malik Hassan"]


def test_each_media_kind_says_where_it_plays(published):
    talk = next(i for i in jsonld_items(str(page(
        published, "posts/lena-fischer/carbon-aware-batch-jobs-moving-work-to-when-the-grid-is-green/")))
        if i.get("@type") == "VideoObject")
    assert talk["contentUrl"] == "https://talks.example.org/media/carbon-aware-batch-jobs.mp4"
    assert not talk["url"].endswith(".mp4")  # the page that shows it, not the file
    assert talk["thumbnailUrl"][0].startswith(f"{SITE}/cards/experts/lena-fischer.")
    episode = next(i for i in jsonld_items(str(page(
        published, "posts/oskar-berg/ep-12-black-start-drills-with-a-control-room-veteran/")))
        if i.get("@type") == "PodcastEpisode")
    assert episode["partOfSeries"] == {"@type": "PodcastSeries", "url": "https://gridside.example.com/",
                                       "webFeed": "https://gridside.example.com/feed.mp3.rss"}
    assert episode["duration"] == "PT52M14S" and "timeRequired" not in episode
    home = next(i for i in jsonld_items(str(page(published, "index.html")))
                if i.get("@type") == "Organization")
    assert home["logo"]["url"].startswith(f"{SITE}/cards/logo.") and home["logo"]["width"] == 512
    with Image.open(published / home["logo"]["url"].removeprefix(f"{SITE}/")) as logo:
        assert logo.size == (512, 512)


def test_a_rebuild_draws_only_the_cards_that_changed(small_site, tmp_path, monkeypatch):
    from eminence_showcase import cards

    drawn = []
    real = cards.render
    monkeypatch.setattr(cards, "render", lambda card: drawn.append(card.kind) or real(card))
    out, cache = tmp_path / "out", tmp_path / "cache"
    options = dict(SITEURL=SITE, EMINENCE_SEARCH=False, EMINENCE_WORKERS=1, CACHE_PATH=str(cache))
    build(small_site, out, **options)
    assert Counter(drawn) == {"logo": 1, "site": 1, "topic": 2, "expert": 3}
    drawn.clear()
    build(small_site, out, **options)
    assert drawn == []  # nothing changed: no card drawn
    expert = small_site / "experts" / "ada.md"
    expert.write_text(expert.read_text().replace("Title: Ada Example", "Title: Ada King"))
    build(small_site, out, **options)
    assert drawn == ["expert"]
    assert len(list((out / "cards" / "experts").glob("ada.*.png"))) == 1  # the old one removed
    drawn.clear()
    shutil.rmtree(out)  # a fresh clone with the cache restored: copied, not drawn
    build(small_site, out, **options)
    assert drawn == []


def test_a_font_that_cannot_be_read_is_refused_with_the_fix(small_site, tmp_path):
    from eminence_model.settings import SettingsError

    with pytest.raises(SettingsError, match="EMINENCE_CARD_FONT = 'missing.ttf'.*TrueType"):
        build(small_site, tmp_path / "out", EMINENCE_SEARCH=False, EMINENCE_CARD_FONT="missing.ttf")


def test_a_long_title_is_cut_to_the_card_not_past_it():
    from PIL import ImageDraw

    from eminence_showcase.cards import Card, _wrap, render

    text = "Word " * 80 + "Unbreakablewordthatislongerthanalineofthecardcanhold" * 3
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    lines, font = _wrap(draw, text, "", 64, 800, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(draw.textlength(line, font=font) <= 800 for line in lines)
    lines, font = _wrap(draw, "Unbreakablewordthatislongerthanalineofthecardcanhold" * 3, "", 64, 800, 3)
    assert all(draw.textlength(line, font=font) <= 800 for line in lines) and len(lines) == 3
    with Image.open(io.BytesIO(render(Card("topic", "t", text, "sub " * 100, "Footer", "KW")))) as image:
        assert image.size == (1200, 630)
