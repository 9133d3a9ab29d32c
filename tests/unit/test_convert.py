"""The feed HTML -> Markdown converter: structure kept, nothing executable, inert on its own."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from eminence_pull.convert import html_to_markdown
from helpers import script_capable

EXTRA = markdown.Markdown(extensions=["extra", "meta"], output_format="html5")


def render(md: str) -> str:
    return EXTRA.reset().convert(md)


def test_structure_survives():
    html = ("<h2>Head</h2><p>Some <strong>bold</strong> and <em>soft</em> text with <code>x = 1</code>."
            "</p><ul><li>one<ul><li>nested</li></ul></li><li>two</li></ul><ol><li>first</li>"
            "<li>second</li></ol><blockquote><p>quoted</p><p>twice</p></blockquote>"
            "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2 | 3</td></tr></table>"
            "<p>line<br>break</p><pre>if a &lt; b:\n    go()</pre><hr>")
    md = html_to_markdown(html, "https://blog.example.com/")
    out = render(md)
    for fragment in ("<h2>Head</h2>", "<strong>bold</strong>", "<em>soft</em>", "<code>x = 1</code>",
                     "<li>one<ul>\n<li>nested</li>", "<ol>\n<li>first</li>", "<blockquote>",
                     "<th>a</th>", "<td>2 | 3</td>", "line<br>\nbreak",
                     "<pre><code>if a &lt; b:\n    go()", "<hr>"):
        assert fragment in out, (fragment, md, out)


@pytest.mark.parametrize("html", [
    "<p>Hello {: onclick=alert(1) }</p>",
    "<h2>Head {: #x onmouseover=alert(2) }</h2>",
    "<p>x</p><p>{: .cls onload=alert(3)}</p>",
    "<p>[link](javascript:alert(1))</p>",
    "<p>[ref]: javascript:alert(1)</p><p>[ref]</p>",
    "<p>&lt;img src=x onerror=alert(1)&gt;</p>",
    "<p>*[HTML]: <b>x</b></p>",
    "<p>Term</p><p>: definition</p>",
    "<pre>```\n&lt;script&gt;alert(1)&lt;/script&gt;\n```</pre>",
    "<code>`</code><code>&lt;script&gt;</code>",
    '<a href="https://ok.example.com/x)&lt;script&gt;">label</a>',
    "<p># not a heading</p><p>1. not a list</p><p>- not a list</p><p>&gt; not a quote</p>",
    "<p>a | b<br>--- | ---<br>&lt;i onmouseover=alert(1)&gt; | c</p>",
])
def test_markdown_syntax_in_feed_text_stays_text(html):
    out = render(html_to_markdown(html, None))
    assert script_capable(out) == [], out
    assert "<h1" not in out and "<ol" not in out and "<table" not in out and "<dl" not in out, out
    assert "<blockquote" not in out and "<abbr" not in out, out


def test_escaped_punctuation_renders_as_itself():
    text = r"Costs *a lot* _really_ {x} [y] `z` \ & 3 < 4 > 2 #1"
    out = render(html_to_markdown(f"<p>{text.replace('&', '&amp;').replace('<', '&lt;')}</p>", None))
    assert out == "<p>Costs *a lot* _really_ {x} [y] `z` \\ &amp; 3 &lt; 4 &gt; 2 #1</p>"


def test_topic_matching_with_its_substring_prefilter_matches_exactly_what_the_regex_does():
    """TopicMatcher rules topics out with a substring test before running their
    regex; it must never rule out one the regex (whole word, IGNORECASE) matches."""
    import random
    import re

    from eminence_pull.parse import TopicMatcher

    terms = {"grid": ["Grid Reliability", "failover", "İstanbul office"],
             "ai": ["machine learning", "KI", "straße"], "sec": ["ſecurity", "µ-services"],
             "kelvin": ["KELVIN"], "greek": ["σοφία"], "empty": []}
    matcher = TopicMatcher(terms)

    def by_regex(text):
        return [slug for slug, pattern in matcher.patterns.items() if pattern.search(text)]

    alphabet = list("aeiklnrstvx KIİıiſsSµμΜσςΣßẞ\n\t-") + ["machine", "learning", "failover", "ki",
                                                          "istanbul", "office", "straße", "kelvin"]
    rng = random.Random(8)
    texts = ["I\u0307stanbul office", "ISTANBUL  OFFICE", "ıstanbul\noffice", "Security", "security",
             "SECURITY", "machine\u00a0learning", "MACHINE\tLEARNING", "Straße", "STRASSE", "KELVIN",
             "σοφίας", "ΣΟΦΊΑ", "µ-services", "Μ-SERVICES", "FAILOVER!", "afailover", "failovera",
             "grid", "ki", "K"]
    texts += ["".join(rng.choice(alphabet) + rng.choice(["", " "]) for _ in range(12)) for _ in range(20000)]
    for text in texts:
        assert matcher.match([], text) == by_regex(text), repr(text)
    assert sum(bool(by_regex(t)) for t in texts) > 1000  # the samples do match, often
    assert re.search("(?i)ſecurity", "SECURITY") and matcher.match([], "SECURITY") == ["sec"]


def test_safe_url_shortcut_for_root_paths_gives_what_urljoin_gives():
    """safe_url joins '/path' links to the base's origin without urljoin; the result
    must be exactly urljoin's, whatever the path or base."""
    import random
    from urllib.parse import quote, urljoin, urlsplit

    from eminence_pull.convert import URL_SAFE, URL_SCHEMES, safe_url

    def by_urljoin(value, base):
        url = urljoin(base, value.strip())
        parts = urlsplit(url)
        if parts.scheme not in URL_SCHEMES or (parts.scheme != "mailto" and not parts.hostname):
            return None
        return quote(url, safe=URL_SAFE)

    bases = ["https://b.example.com/x/y.html", "http://h:8080/a/", "https://[::1]/p", "ftp://x/y",
             "https://u:p@h.example/a?q#f", "http://h", "javascript:alert(1)", "/rel/base",
             "HTTPS://UP.example/", "https://h/\n", " https://h/", "https://h?x"]
    pieces = ["/", "a", ".", "..", "?", "#", "q=1", "&", ";", "%20", " ", "\\", "é", "//", "@", ":",
              "\t", "\n", "[", "]", "\u3000", "%2e", "\u202e"]
    rng = random.Random(5)
    for _ in range(30000):
        value = rng.choice(["/", " /", "/\t"]) + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        base = rng.choice(bases)
        try:
            expected = by_urljoin(value, base)
        except ValueError:
            expected = ValueError
        try:
            got = safe_url(value, base)
        except ValueError:
            got = ValueError
        assert got == expected, (value, base)


def test_converting_with_a_limit_gives_the_same_excerpt_for_every_budget():
    from eminence_pull.convert import excerpt, html_to_blocks

    words = " ".join(f"w{n}" for n in range(12))
    html = (f"lead text {words} <b>bold</b><p>{words}</p><ul><li>{words}</li></ul><ul><li>b</li></ul>"
            f"tail <i>{words}</i><div><p>{words}</p><p>{words}</p></div><pre>code  kept\n  as is</pre>"
            f"<h2>{words}</h2><blockquote><p>{words}</p></blockquote><table><tr><td>{words}</td></tr>"
            f"</table><ol><li>{words}</li></ol><ol><li>{words}</li></ol>end {words}")
    whole = html_to_blocks(html, "https://blog.example.com/")
    assert "<!-- -->" in whole.blocks  # the two adjacent lists, kept apart
    cut = 0
    for budget in range(0, 160):
        part = html_to_blocks(html, "https://blog.example.com/", budget)
        assert excerpt(part.blocks, budget) == excerpt(whole.blocks, budget), budget
        assert part.blocks == whole.blocks[:len(part.blocks)]
        cut += len(part.blocks) < len(whole.blocks)
    assert cut > 100


DATA = Path(__file__).parent / "testdata" / "convert"


@pytest.mark.parametrize("name", sorted(p.stem for p in DATA.glob("*.html")))
def test_converter_gives_exactly_the_expected_markdown(name):
    """testdata/convert/NAME.html (feed HTML, as an entry of a post at BASE) must become
    exactly NAME.md. A change of the converter's output shows here as a diff to review."""
    html = (DATA / f"{name}.html").read_text(encoding="utf-8")
    expected = (DATA / f"{name}.md").read_text(encoding="utf-8")
    assert html_to_markdown(html, "https://blog.example.com/posts/2026/grid/") == expected
