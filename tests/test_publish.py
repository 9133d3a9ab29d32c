"""invoke publish: rsync to a folder and S3 to a local S3-compatible server (moto, 127.0.0.1)."""

from __future__ import annotations

import shutil

import pytest

from eminence_publish.publish import publish_rsync, publish_s3
from helpers import invoke


@pytest.fixture
def site_copy(published, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(published, copy)
    return copy


def test_rsync_uploads_only_changes_and_deletes_only_when_asked(site_copy, tmp_path):
    dest = tmp_path / "www"
    first = publish_rsync(str(site_copy), str(dest))
    assert first.uploaded == len([p for p in site_copy.rglob("*") if p.is_file()]) and first.deleted == 0
    assert (dest / "index.html").read_bytes() == (site_copy / "index.html").read_bytes()
    assert publish_rsync(str(site_copy), str(dest)).uploaded == 0
    (site_copy / "robots.txt").write_text("User-agent: *\nDisallow:\n")
    (site_copy / "404.html").unlink()
    again = publish_rsync(str(site_copy), str(dest))
    assert (again.uploaded, again.deleted) == (1, 0) and (dest / "404.html").exists()
    pruned = publish_rsync(str(site_copy), str(dest), delete=True)
    assert (pruned.uploaded, pruned.deleted) == (0, 1) and not (dest / "404.html").exists()


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


def test_s3_uploads_changes_with_content_types_and_deletes_only_when_asked(site_copy, s3):
    client, _ = s3
    total = len([p for p in site_copy.rglob("*") if p.is_file()])
    first = publish_s3(str(site_copy), "showcase", prefix="site", client=client)
    assert (first.uploaded, first.unchanged) == (total, 0)
    head = client.head_object(Bucket="showcase", Key="site/index.html")
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert client.head_object(Bucket="showcase", Key="site/feeds/all.atom.xml")["ContentType"] == (
        "application/atom+xml")
    assert client.head_object(Bucket="showcase", Key="site/theme/css/site.css")["ContentType"].startswith(
        "text/css")
    assert publish_s3(str(site_copy), "showcase", prefix="site", client=client).uploaded == 0
    (site_copy / "robots.txt").write_text("changed\n")
    (site_copy / "404.html").unlink()
    again = publish_s3(str(site_copy), "showcase", prefix="site", client=client)
    assert (again.uploaded, again.deleted) == (1, 0)
    assert client.get_object(Bucket="showcase", Key="site/robots.txt")["Body"].read() == b"changed\n"
    pruned = publish_s3(str(site_copy), "showcase", prefix="site", delete=True, client=client)
    assert pruned.deleted == 1
    keys = [o["Key"] for o in client.list_objects_v2(Bucket="showcase")["Contents"]]
    assert "site/404.html" not in keys and len(keys) == total - 1


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
