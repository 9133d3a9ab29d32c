"""invoke publish: copy the built output to where readers get it, as a mirror.

Both targets upload only what changed and remove what an earlier publish put there
that the showcase no longer has (a rejected post, a withdrawn endorsement, a re-slugged
page, an old search fragment): a takedown reaches readers when it is published. What
the destination holds that Eminence never published (another site's files, a
verification file) is never touched: each publish leaves a manifest of what it
published, MANIFEST, at the destination, and only those files are candidates for
removal. `keep` removes nothing (the old behaviour); `delete` removes everything the
output does not hold. Readers never see a page before its assets: rsync moves every
file into place at the end (--delay-updates); S3 gets non-HTML files first, then the
pages, then the removals. Text files reach the host compressed (compress.py): as a
`.gz` beside each over rsync, as gzip with its Content-Encoding on S3.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from eminence_model.refusals import Refusal

from .compress import compressible, gzipped, precompress

MANIFEST = ".eminence-published.json"

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


class PublishError(Refusal):
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


def manifest_bytes(files) -> bytes:
    return json.dumps({"published": sorted(files)}, indent=0).encode() + b"\n"


def read_manifest(data: bytes | None) -> set[str]:
    """The files an earlier publish put at the destination (none when it left no
    manifest, or one that is not ours: then nothing is removed but what `delete` asks)."""
    try:
        listed = json.loads(data or b"{}").get("published", [])
    except (ValueError, AttributeError):
        return set()
    # Only relative paths inside the destination: a forged manifest must not reach outside.
    return {p for p in listed
            if isinstance(p, str) and p and not p.startswith("/") and ".." not in p.split("/")}


def _gone_dirs(gone: set[str], files) -> set[str]:
    """Folders that held only removed files (a post's `posts/x/slug/`): removed too."""
    kept = {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)}
    return {"/".join(g.split("/")[:i]) for g in gone for i in range(1, g.count("/") + 1)} - kept


def _literal(path: str) -> str:
    """A path as an rsync filter pattern that matches only itself (wildcards escaped)."""
    return "".join("\\" + c if c in "*?[\\" else c for c in path)


def publish_rsync(output: str, dest: str, delete: bool = False, keep: bool = False) -> Report:
    """To a folder, or host:folder over SSH (rsync's own syntax), with a `.gz` beside each
    text file for the host to serve (compress.py)."""
    if shutil.which("rsync") is None:
        raise PublishError("rsync is not installed (Debian: apt-get install rsync).")
    precompress(output)
    files = local_files(output)
    base = dest.rstrip("/") + "/"
    with tempfile.TemporaryDirectory() as tmp:
        earlier = os.path.join(tmp, "earlier.json")
        fetched = subprocess.run(["rsync", base + MANIFEST, earlier], capture_output=True)
        gone = set()
        if not keep and fetched.returncode == 0:
            with open(earlier, "rb") as fh:
                gone = read_manifest(fh.read()) - set(files)
        cmd = ["rsync", "--recursive", "--links", "--times", "--checksum", "--delay-updates",
               "--itemize-changes", "--out-format=%i %n"]
        if delete:
            cmd += ["--delete-after", f"--filter=P /{MANIFEST}"]
        elif gone:
            # Only what an earlier publish put there and the site no longer has: each such
            # file (and folder left empty) is "risked", everything else protected.
            rules = os.path.join(tmp, "rules")
            with open(rules, "w", encoding="utf-8") as fh:
                for path in sorted(gone | {d + "/" for d in _gone_dirs(gone, files)}):
                    fh.write(f"R /{_literal(path)}\n")
                fh.write("P *\n")
            cmd += ["--delete-after", f"--filter=merge {rules}"]
        run = subprocess.run([*cmd, output.rstrip("/") + "/", dest], capture_output=True, text=True)
        if run.returncode != 0:
            raise PublishError(f"rsync failed ({run.returncode}): {run.stderr.strip()}")
        manifest = os.path.join(tmp, MANIFEST)
        with open(manifest, "wb") as fh:
            fh.write(manifest_bytes(files))
        sent = subprocess.run(["rsync", "--checksum", manifest, base + MANIFEST], capture_output=True,
                              text=True)
        if sent.returncode != 0:
            raise PublishError(f"rsync could not write {MANIFEST}: {sent.stderr.strip()}")
    report = Report()
    for line in run.stdout.splitlines():
        code, _, name = line.partition(" ")
        if code.startswith("*deleting"):
            report.deleted += not name.endswith("/")
        elif code[1:2] == "f":  # a file was sent
            report.uploaded += 1
    report.unchanged = len(files) - report.uploaded
    return report


def publish_s3(output: str, bucket: str, prefix: str = "", delete: bool = False,
               endpoint_url: str | None = None, client=None, keep: bool = False) -> Report:
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
    # A text file is stored gzipped with Content-Encoding (S3 cannot pick a .gz per request),
    # so the .gz files an rsync publish left in the output are not uploaded.
    files = {rel: path for rel, path in files.items()
             if not (rel.endswith(".gz") and compressible(rel[:-3]) and rel[:-3] in files)}
    for rel in sorted(files, key=lambda r: (r.endswith(".html"), r)):
        with open(files[rel], "rb") as fh:
            data = fh.read()
        key = prefix + rel
        packed = gzipped(data) if compressible(rel) else None
        body = packed if packed is not None else data
        if remote.get(key) == hashlib.md5(body, usedforsecurity=False).hexdigest():
            report.unchanged += 1
            continue
        extra = {"ContentEncoding": "gzip"} if packed is not None else {}
        client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type(rel), **extra)
        report.uploaded += 1
    ours = set()
    if prefix + MANIFEST in remote:
        ours = read_manifest(client.get_object(Bucket=bucket, Key=prefix + MANIFEST)["Body"].read())
    if delete:
        gone = sorted(k for k in remote if k[len(prefix):] not in files and k != prefix + MANIFEST)
    else:
        gone = [] if keep else sorted(k for k in remote if k[len(prefix):] in ours - set(files))
    for i in range(0, len(gone), 1000):
        client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in gone[i:i + 1000]]})
    report.deleted = len(gone)
    client.put_object(Bucket=bucket, Key=prefix + MANIFEST, Body=manifest_bytes(files),
                      ContentType="application/json")
    return report
