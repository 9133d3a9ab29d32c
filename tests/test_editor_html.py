"""Hand-written bodies are sanitized at build time too: the site's promise (no
JavaScript on content pages, no third-party requests) does not depend on every
editor's paste."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from helpers import build, script_capable

HOSTILE = """Title: Second post
Date: 2026-02-01
Expert: ada
Topics: ai, security
Summary: Read this <script>alert('summary')</script> now.

Intro paragraph.

<script>alert('body')</script>
<img src="x" onerror="alert('img')" alt="pic">
<a href="javascript:alert('href')">click</a>
<script src="https://tracker.example.net/embed.js"></script>
<iframe src="https://tracker.example.net/frame"></iframe>

```python
print("code keeps its highlighting")
```
"""

ENDORSEMENT = """Title: Hand-written quote
Endorser: Carol Customer
Source: https://customer.example.org/post
Date: 2026-01-06
Topics: ai
Consent: granted
Consent-Note: Carol by e-mail, 2026-01-05
Status: published

They were great. <script>alert('quote')</script><img src=x onerror=alert(2)>
"""


def built(small_site, tmp_path, **settings) -> Path:
    (small_site / "posts" / "ada" / "second.md").write_text(HOSTILE)
    (small_site / "endorsements" / "written.md").write_text(ENDORSEMENT)
    build(small_site, tmp_path / "out", **settings)
    return tmp_path / "out"


def test_hand_written_html_is_sanitized_in_pages_feeds_and_descriptions(small_site, tmp_path):
    out = built(small_site, tmp_path)
    page = (out / "posts" / "ada" / "second" / "index.html").read_text()
    soup = BeautifulSoup(page, "html.parser")
    prose = str(soup.select_one(".prose"))
    assert script_capable(prose) == [] and "alert(" not in prose and "tracker.example.net" not in prose
    assert "Intro paragraph." in prose and "code keeps its highlighting" in prose
    assert 'class="highlight"' in prose  # code highlighting survives the editors' allowlist
    description = soup.find("meta", attrs={"name": "description"})["content"]
    assert "alert" not in description and description.startswith("Read this")
    for feed in out.rglob("*.atom.xml"):
        text = feed.read_text()
        assert "alert(" not in text and "tracker.example.net" not in text, feed
    wall = (out / "endorsements" / "index.html").read_text()
    assert "They were great." in wall and "alert(" not in wall


def test_a_site_may_trust_its_editors_raw_html(small_site, tmp_path):
    out = built(small_site, tmp_path, EMINENCE_TRUST_EDITOR_HTML=True)
    page = (out / "posts" / "ada" / "second" / "index.html").read_text()
    assert "<script>alert('body')</script>" in page


def test_a_huge_post_is_whole_on_its_page_and_bounded_in_the_feeds(small_site, tmp_path):
    words = " ".join(f"w{n}" for n in range(5000))
    (small_site / "posts" / "ada" / "second.md").write_text(
        "Title: Second post\nDate: 2026-02-01\nExpert: ada\nTopics: ai\n\n" + words + "\n")
    build(small_site, tmp_path / "out", EMINENCE_FEED_CONTENT_WORDS=300)
    out = tmp_path / "out"
    assert "w4999" in (out / "posts" / "ada" / "second" / "index.html").read_text()
    for name in ("all.atom.xml", "experts/ada.atom.xml", "topics/ai.atom.xml"):
        feed = (out / "feeds" / name).read_text()
        assert "w299" in feed and "w300 " not in feed and "w4999" not in feed, name
        assert "Read the whole post" in feed and len(feed) < 20_000, name
