"""invoke publish: copy the built output to where readers get it.

Both targets upload only what changed and delete files that no longer exist only
when asked. Readers never see a page before its assets: rsync moves every file
into place at the end (--delay-updates); S3 gets non-HTML files first, then the
pages, then (if asked) the deletions.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import subprocess
from dataclasses import dataclass

TYPES = {".atom.xml": "application/atom+xml", ".xml": "application/xml", ".opml": "text/x-opml",
         ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
         ".wasm": "application/wasm", ".txt": "text/plain; charset=utf-8"}


@dataclass
class Report:
    uploaded: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        return f"{self.uploaded} uploaded, {self.unchanged} unchanged, {self.deleted} deleted"


class PublishError(Exception):
    pass


def content_type(path: str) -> str:
    for suffix, kind in TYPES.items():
        if path.endswith(suffix):
            return kind
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def local_files(output: str) -> dict[str, str]:
    """{relative path with /: absolute path} of everything in the output."""
    found = {}
    for folder, _, files in os.walk(output):
        for name in files:
            full = os.path.join(folder, name)
            found[os.path.relpath(full, output).replace(os.sep, "/")] = full
    return found


def publish_rsync(output: str, dest: str, delete: bool = False) -> Report:
    """To a folder, or host:folder over SSH (rsync's own syntax)."""
    if shutil.which("rsync") is None:
        raise PublishError("rsync is not installed (Debian: apt-get install rsync).")
    cmd = ["rsync", "--recursive", "--links", "--times", "--checksum", "--delay-updates",
           "--itemize-changes", "--out-format=%i %n"]
    if delete:
        cmd.append("--delete-after")
    run = subprocess.run([*cmd, output.rstrip("/") + "/", dest], capture_output=True, text=True)
    if run.returncode != 0:
        raise PublishError(f"rsync failed ({run.returncode}): {run.stderr.strip()}")
    report = Report()
    for line in run.stdout.splitlines():
        code, _, name = line.partition(" ")
        if code.startswith("*deleting"):
            report.deleted += 1
        elif code[1:2] == "f":  # a file was sent
            report.uploaded += 1
    report.unchanged = len(local_files(output)) - report.uploaded
    return report


def publish_s3(output: str, bucket: str, prefix: str = "", delete: bool = False,
               endpoint_url: str | None = None, client=None) -> Report:
    """To an S3-compatible bucket; credentials come from the usual AWS_* variables."""
    if client is None:
        import boto3

        client = boto3.client("s3", endpoint_url=endpoint_url)
    prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
    remote = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            remote[obj["Key"]] = obj["ETag"].strip('"')
    files = local_files(output)
    report = Report()
    # Assets first, pages last: no page is ever served before what it links to.
    for rel in sorted(files, key=lambda r: (r.endswith(".html"), r)):
        with open(files[rel], "rb") as fh:
            data = fh.read()
        key = prefix + rel
        if remote.get(key) == hashlib.md5(data, usedforsecurity=False).hexdigest():
            report.unchanged += 1
            continue
        client.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type(rel))
        report.uploaded += 1
    if delete:
        gone = sorted(k for k in remote if k[len(prefix):] not in files)
        for i in range(0, len(gone), 1000):
            client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in gone[i:i + 1000]]})
        report.deleted = len(gone)
    return report
