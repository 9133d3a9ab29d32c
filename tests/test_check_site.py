"""invoke check-site: broken internal links and anchors fail the check; the example passes."""

from __future__ import annotations

from eminence_publish.sitecheck import check_feeds, check_site
from helpers import build, invoke, write

SITE = "https://showcase.example.com"


def test_the_example_has_no_broken_link(example_output, published):
    assert check_site(str(example_output)) == []
    assert check_site(str(published), SITE) == []
    assert check_feeds(str(published)) == []


def test_a_broken_link_and_a_missing_anchor_are_found(small_site, tmp_path):
    write(small_site, "posts/ada/links.md", """
        Title: Links
        Date: 2026-03-01
        Expert: ada
        Topics: ai

        See [a missing page](/nowhere/), [a real one](/topics/ai/),
        [a missing anchor](/topics/ai/#no-such-id), [a real anchor](/topics/ai/#topic-stream)
        and [elsewhere](https://example.org/whatever).
        """)
    out = tmp_path / "out"
    build(small_site, out)
    found = sorted(str(b) for b in check_site(str(out)))
    assert found == ["posts/ada/links/index.html: /nowhere/: no such file in the output",
                     "posts/ada/links/index.html: /topics/ai/#no-such-id: no element with id "
                     "'no-such-id'"]


def test_an_invalid_feed_is_found(example_output, tmp_path):
    import shutil

    copy = tmp_path / "site"
    shutil.copytree(example_output, copy)
    (copy / "feeds" / "all.atom.xml").write_text("<feed><entry>not closed")
    assert [b.page for b in check_feeds(str(copy))] == ["feeds/all.atom.xml"]


def test_invoke_check_site_exit_codes(project):
    assert invoke(project, "build").returncode == 0
    ok = invoke(project, "check-site", "--strict-html")
    assert ok.returncode == 0 and "feeds and HTML are valid" in ok.stdout, ok.stderr
    post = project / "output/posts/malik-hassan/postmortem-ice-storm/index.html"
    post.write_text(post.read_text().replace("</main>", '<a href="../../gone/">x</a></main>'))
    bad = invoke(project, "check-site")
    assert bad.returncode == 1
    assert "posts/malik-hassan/postmortem-ice-storm/index.html: ../../gone/: no such file" in bad.stderr


def test_invalid_html_is_reported_with_file_and_line(example_output, tmp_path):
    import shutil

    from eminence_publish.sitecheck import validate_html

    copy = tmp_path / "site"
    shutil.copytree(example_output, copy)
    assert validate_html(str(copy)) == []  # the example is valid HTML
    page = copy / "topics" / "security" / "index.html"
    page.write_text(page.read_text().replace("</main>", "<p><div>bad nesting</p></main>"))
    found = validate_html(str(copy))
    assert found and all(b.page == "topics/security/index.html" for b in found), found
    assert any("div" in b.why for b in found)


def test_the_production_build_draws_no_nu_warning_either(published, tmp_path):
    """Every page of the example as CI publishes it, warnings counted (issue #33: 26
    warnings for aria-label on a bare span, 353 on the chips' list, 14 for note cards)."""
    import shutil

    from eminence_publish.sitecheck import validate_html

    copy = tmp_path / "site"
    shutil.copytree(published, copy)
    assert validate_html(str(copy), warnings=True) == []
    page = copy / "experts" / "index.html"  # a warning the checker gives is one we catch
    page.write_text(page.read_text().replace("<main ", '<main role="main" ', 1))
    found = validate_html(str(copy), warnings=True)
    assert [b.page for b in found] == ["experts/index.html"], found
    assert validate_html(str(copy)) == []  # a warning, not an error
