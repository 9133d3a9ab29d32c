"""eminence_model.showcase.link: input/expected pairs in testdata/link/, one JSON file each.

Each case gives entries the way validation hands them over (field values by attribute)
and what the linked showcase must be, by slug: what is shown and in which order, the
review queue, what is taken down, each topic's and expert's posts and endorsements,
the wall URLs. A new rule of linking is a new case file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from eminence_model.showcase import Consent, Entry, Kind, LinkError, PostStatus, link

DATA = Path(__file__).parent / "testdata" / "link"
CASES = sorted(DATA.glob("*.json"))


def entries(rows: list[dict], defaults: dict | None = None) -> list[Entry]:
    out = []
    for row in rows:
        values = {"title": row.get("title", row["slug"]), **(defaults or {}), **row}
        if "date" in values:
            values["date"] = dt.datetime.fromisoformat(values["date"]).replace(tzinfo=dt.UTC)
        out.append(Entry(f"/content/{row['slug']}.md", row["slug"], values, url=f"{row['slug']}.html"))
    return out


def linked(case: dict):
    endorsement = {"endorser": "Someone", "source": "https://example.org/said"}
    wall = case.get("wall_per_page", 0)
    return link(entries(case["topics"]), entries(case["experts"]),
                entries(case["endorsements"], endorsement), entries(case["posts"]),
                preview=case["preview"], wall_per_page=wall,
                wall_page_url=(lambda n: f"page{n}/") if wall else None)


def slugs(records) -> list[str]:
    return [r.slug for r in records]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_link(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    expect = case["expect"]
    model = linked(case)
    owners = {r.slug: r for r in (*model.topics, *model.experts)}
    got = {
        "topics": slugs(model.topics),
        "experts": slugs(model.experts),
        "posts": slugs(model.posts),
        "endorsements": slugs(model.endorsements),
        "review_posts": slugs(model.review.posts),
        "review_endorsements": slugs(model.review.endorsements),
        "taken_down": slugs(model.taken_down),
        "posts_of": {s: slugs(model.posts_of(owners[s])) for s in expect["posts_of"]},
        "endorsements_of": {s: slugs(model.endorsements_of(owners[s])) for s in expect["endorsements_of"]},
        "experts_of": {s: slugs(model.experts_of(owners[s])) for s in expect["experts_of"]},
        "active_experts_of": {s: slugs(model.experts_of(owners[s], active=True))
                              for s in expect["active_experts_of"]},
        "urls": {e.slug: e.url for e in model.every_endorsement if e.slug in expect["urls"]},
        "pulled": slugs(p for p in model.every_post if p.pulled),
        "trusted": slugs(x for x in model.experts if x.trusted),
    }
    assert got == expect, case["about"]


def test_links_are_records_and_values_typed():
    model = linked(json.loads((DATA / "public_build.json").read_text(encoding="utf-8")))
    post = next(p for p in model.every_post if p.slug == "new")
    assert post.expert is next(x for x in model.experts if x.slug == "bob")
    assert post.topics == (next(t for t in model.topics if t.slug == "security"),)
    assert post.kind is Kind.NOTE and post.status is PostStatus.PUBLISHED and not post.is_draft
    assert next(p for p in model.every_post if p.slug == "old").kind is Kind.ARTICLE  # the default
    revoked = next(e for e in model.every_endorsement if e.slug == "revoked")
    assert revoked.consent is Consent.WITHDRAWN and revoked.is_taken_down and revoked.is_draft


def test_records_are_frozen():
    model = linked(json.loads((DATA / "public_build.json").read_text(encoding="utf-8")))
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.posts[0].status = PostStatus.DRAFT
    with pytest.raises(TypeError):
        model.posts[0].values["title"] = "changed"


@pytest.mark.parametrize("kind, rows", [
    ("post's expert", {"posts": [{"slug": "p", "expert": "nobody", "topics": [], "date": "2026-01-01",
                                  "status": "published"}]}),
    ("expert's topic", {"experts": [{"slug": "x", "title": "X", "topics": ["nowhere"]}]}),
])
def test_a_dangling_reference_is_a_link_error(kind, rows):
    case = {"preview": False, "topics": [], "experts": [], "posts": [], "endorsements": [], **rows}
    with pytest.raises(LinkError, match="not in the showcase"):
        linked(case)
