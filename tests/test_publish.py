"""invoke publish: rsync to a folder and S3 to a local S3-compatible server (moto, 127.0.0.1)."""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import shutil

import pytest

from eminence_publish.publish import MANIFEST, publish_rsync, publish_s3
from helpers import invoke


@pytest.fixture
def site_copy(published, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(published, copy)
    return copy


def test_rsync_mirrors_what_it_published_and_never_touches_the_rest(site_copy, tmp_path):
    dest = tmp_path / "www"
    first = publish_rsync(str(site_copy), str(dest))
    total = len([p for p in site_copy.rglob("*") if p.is_file()])  # with each page's .gz
    assert first.uploaded == total and first.deleted == 0
    assert (dest / "index.html").read_bytes() == (site_copy / "index.html").read_bytes()
    assert len(json.loads((dest / MANIFEST).read_text())["published"]) == total
    assert publish_rsync(str(site_copy), str(dest)).uploaded == 0
    (dest / "google1234.html").write_text("verification")  # the host's, never published by us
    (site_copy / "robots.txt").write_text("User-agent: *\nDisallow:\n")
    (site_copy / "404.html").unlink()
    shutil.rmtree(site_copy / "posts" / "ines-okafor" / "drift-is-a-calendar-problem")
    again = publish_rsync(str(site_copy), str(dest))
    assert (again.uploaded, again.deleted) == (1, 4), again  # each page and its .gz
    assert not (dest / "404.html").exists()
    assert not (dest / "posts/ines-okafor/drift-is-a-calendar-problem").exists()  # its folder too
    assert (dest / "google1234.html").read_text() == "verification"
    (site_copy / "sitemap.xml").unlink()
    kept = publish_rsync(str(site_copy), str(dest), keep=True)
    assert kept.deleted == 0 and (dest / "sitemap.xml").exists()
    pruned = publish_rsync(str(site_copy), str(dest), delete=True)
    assert pruned.deleted == 3 and not (dest / "sitemap.xml").exists()  # its .gz too
    assert not (dest / "sitemap.xml.gz").exists()
    assert not (dest / "google1234.html").exists() and (dest / MANIFEST).exists()


@pytest.fixture
def s3(monkeypatch):
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    for key, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                       ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(key, value)
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket="showcase")
    yield client, endpoint
    server.stop()


def test_s3_mirrors_what_it_published_with_content_types(site_copy, s3):
    client, _ = s3
    total = len([p for p in site_copy.rglob("*") if p.is_file()])
    first = publish_s3(str(site_copy), "showcase", prefix="site", client=client)
    assert (first.uploaded, first.unchanged) == (total, 0)
    head = client.head_object(Bucket="showcase", Key="site/index.html")
    assert head["ContentType"] == "text/html; charset=utf-8" and head["ContentEncoding"] == "gzip"
    stored = client.get_object(Bucket="showcase", Key="site/index.html")["Body"].read()
    assert gzip.decompress(stored) == (site_copy / "index.html").read_bytes()
    # Pagefind's index files are compressed already: stored as they are.
    fragment = next(p for p in (site_copy / "pagefind" / "fragment").iterdir())
    key = f"site/{fragment.relative_to(site_copy)}"
    assert "ContentEncoding" not in client.head_object(Bucket="showcase", Key=key)
    assert client.head_object(Bucket="showcase", Key="site/feeds/all.atom.xml")["ContentType"] == (
        "application/atom+xml")
    assert client.head_object(Bucket="showcase", Key="site/theme/css/site.css")["ContentType"].startswith(
        "text/css")
    assert publish_s3(str(site_copy), "showcase", prefix="site", client=client).uploaded == 0
    client.put_object(Bucket="showcase", Key="site/google1234.html", Body=b"verification")
    (site_copy / "robots.txt").write_text("changed\n")
    (site_copy / "404.html").unlink()
    again = publish_s3(str(site_copy), "showcase", prefix="site", client=client)
    assert (again.uploaded, again.deleted) == (1, 1)
    assert client.get_object(Bucket="showcase", Key="site/robots.txt")["Body"].read() == b"changed\n"
    assert not any(k["Key"].endswith(".gz") for k in client.list_objects_v2(Bucket="showcase")["Contents"])
    keys = {o["Key"] for o in client.list_objects_v2(Bucket="showcase")["Contents"]}
    assert "site/404.html" not in keys and "site/google1234.html" in keys
    (site_copy / "sitemap.xml").unlink()
    assert publish_s3(str(site_copy), "showcase", prefix="site", client=client, keep=True).deleted == 0
    pruned = publish_s3(str(site_copy), "showcase", prefix="site", delete=True, client=client)
    assert pruned.deleted == 2
    keys = [o["Key"] for o in client.list_objects_v2(Bucket="showcase")["Contents"]]
    assert "site/sitemap.xml" not in keys and len(keys) == total - 2 + 1  # + the manifest


def test_each_text_file_has_its_gzip_beside_it_and_none_goes_stale(tmp_path):
    from eminence_publish.compress import precompress

    site = tmp_path / "site"
    page = "<p>" + "Kestrel Works keeps the grid calm. " * 200 + "</p>"
    files = {"index.html": page, "posts/a/index.html": page, "theme/css/site.css": "a{color:red}" * 100,
             "robots.txt": "User-agent: *\n", "pagefind/fragment/en_1.pf_fragment": "x" * 2000,
             "downloads/archive.tar.gz": "not ours"}
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text)
    assert precompress(str(site)) == (3, 0)
    assert gzip.decompress((site / "index.html.gz").read_bytes()) == page.encode()
    assert not (site / "robots.txt.gz").exists()  # too small to gain
    assert not (site / "pagefind/fragment/en_1.pf_fragment.gz").exists()
    assert precompress(str(site)) == (0, 0)  # nothing changed: nothing written
    (site / "index.html").write_text(page.replace("calm", "steady"))
    shutil.rmtree(site / "posts")
    assert precompress(str(site)) == (1, 0)  # the page's folder went with its .gz
    assert b"steady" in gzip.decompress((site / "index.html.gz").read_bytes())
    (site / "theme/css/site.css").unlink()
    assert precompress(str(site)) == (0, 1) and not (site / "theme/css/site.css.gz").exists()
    assert (site / "downloads/archive.tar.gz").read_text() == "not ours"  # the site's own file
    # Deterministic: the same bytes compress to the same bytes (S3's ETag says "unchanged").
    before = (site / "index.html.gz").read_bytes()
    (site / "index.html.gz").unlink()
    precompress(str(site))
    assert (site / "index.html.gz").read_bytes() == before


def test_invoke_publish_checks_first_and_never_deploys_a_failed_build(project, tmp_path, s3):
    _, endpoint = s3
    dest = tmp_path / "www"
    run = invoke(project, "publish", "--target", "rsync", "--dest", str(dest),
                 "--siteurl", "https://showcase.example.com")
    assert run.returncode == 0, run.stderr
    assert "Published to" in run.stdout and (dest / "sitemap.xml").is_file()
    s3run = invoke(project, "publish", "--target", "s3", "--bucket", "showcase", "--endpoint-url", endpoint)
    assert s3run.returncode == 0 and "0 deleted" in s3run.stdout, s3run.stderr
    post = project / "content/posts/ines-okafor/drift-is-a-calendar-problem.md"
    post.write_text(post.read_text().replace("Topics: applied-ai", "Topics: nowhere"))
    fresh = tmp_path / "www2"
    failed = invoke(project, "publish", "--target", "rsync", "--dest", str(fresh))
    assert failed.returncode == 1 and "unknown topic 'nowhere'" in failed.stderr
    assert not fresh.exists()


def test_a_takedown_reaches_the_host(project, tmp_path):
    """Publish, reject a post and withdraw an endorsement, publish again: neither is
    reachable at the destination, in its feeds, sitemap or search index."""
    dest = tmp_path / "www"
    site = ["--siteurl", "https://showcase.example.com"]
    assert invoke(project, "publish", "--target", "rsync", "--dest", str(dest), *site).returncode == 0
    post, quote = "drift-is-a-calendar-problem", "metro-transit-reliability"
    assert (dest / "posts/ines-okafor" / post / "index.html").exists()
    assert any(quote in p.read_text(errors="replace") for p in dest.rglob("*.html"))
    rejected = invoke(project, "reject", "-p", f"content/posts/ines-okafor/{post}.md", "--reason", "takedown")
    assert rejected.returncode == 0, rejected.stderr
    endorsement = project / "content/endorsements" / f"{quote}.md"
    endorsement.write_text(re.sub(r"Consent: \w+", "Consent: withdrawn", endorsement.read_text()))
    again = invoke(project, "publish", "--target", "rsync", "--dest", str(dest), *site)
    assert again.returncode == 0 and re.search(r"[1-9]\d* deleted", again.stdout), again.stdout + again.stderr
    assert not (dest / "posts/ines-okafor" / post).exists()
    for path in (p for p in dest.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.parent.name.startswith("pagefind") or "pagefind" in path.parts:
            with contextlib.suppress(OSError, EOFError):
                data = gzip.decompress(data)
        text = data.decode("utf-8", "replace")
        assert post not in text and f"endorsement-{quote}" not in text, path.relative_to(dest)


def test_a_removed_file_named_like_a_pattern_removes_only_itself(tmp_path):
    site, dest = tmp_path / "site", tmp_path / "www"
    site.mkdir()
    for name in ("a*b.html", "axb.html", "a[1].html", "a1.html"):
        (site / name).write_text(name)
    publish_rsync(str(site), str(dest))
    (site / "a*b.html").unlink()
    (site / "a[1].html").unlink()
    again = publish_rsync(str(site), str(dest))
    assert again.deleted == 2
    assert sorted(p.name for p in dest.iterdir() if p.name != MANIFEST) == ["a1.html", "axb.html"]
