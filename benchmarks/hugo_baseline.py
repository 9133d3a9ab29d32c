"""Hugo building the same posts cold: the moonshot baseline of `invoke bench --hugo`.

The generated Eminence posts (Pelican metadata lines) become a Hugo site: each post
with YAML front matter (title, date, tags, categories, author), the chart image under
static/, a minimal theme of three layouts (a page per post, a paginated list per
section and taxonomy term, the home), Hugo's default taxonomies. It is built cold: no
public/ and no resources/ (Hugo's cache), as a fresh clone without a cache would.

Debian's `hugo` (`apt-get install hugo`); where it is missing the benchmark says so and
leaves the row out.
"""

from __future__ import annotations

import json
import os
import shutil

from measure import timed

LAYOUT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>
</head><body><header><a href="/">{{ .Site.Title }}</a></header><main>%s</main></body></html>
"""
SINGLE = "<article><h1>{{ .Title }}</h1><p>{{ .Date.Format \"2 January 2006\" }}</p>{{ .Content }}</article>"
LIST = ("<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}<li><a href=\"{{ .RelPermalink }}\">"
        "{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>{{ template \"_internal/pagination.html\" . }}")


def hugo() -> str | None:
    return shutil.which("hugo")


def _split(text: str) -> tuple[dict[str, str], str]:
    head, _, body = text.partition("\n\n")
    meta = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip().lower()] = value.strip()
    return meta, body


def convert(content: str, site: str) -> int:
    """The posts of an Eminence content folder as a Hugo site in `site`; returns how many."""
    shutil.rmtree(site, ignore_errors=True)
    count = 0
    posts = os.path.join(content, "posts")
    for expert in sorted(os.listdir(posts)):
        for name in sorted(os.listdir(os.path.join(posts, expert))):
            with open(os.path.join(posts, expert, name), encoding="utf-8") as fh:
                meta, body = _split(fh.read())
            front = {"title": meta["title"], "date": meta["date"],
                     "tags": [t.strip() for t in meta.get("tags", "").split(",") if t.strip()],
                     "categories": [meta["category"]] if meta.get("category") else [],
                     "author": meta.get("author", expert)}
            # JSON strings are YAML strings: no title can break the front matter.
            yaml = "\n".join(f"{k}: {json.dumps(v)}" for k, v in front.items())
            body = body.replace("{static}/", "/")  # Pelican's link syntax, as Hugo serves static/
            path = os.path.join(site, "content", "posts", expert, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(f"---\n{yaml}\n---\n\n{body}")
            count += 1
    shutil.copytree(os.path.join(content, "images"), os.path.join(site, "static", "images"))
    for rel, inner in (("_default/single.html", SINGLE), ("_default/list.html", LIST), ("index.html", LIST)):
        path = os.path.join(site, "layouts", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(LAYOUT % inner)
    with open(os.path.join(site, "hugo.toml"), "w", encoding="utf-8") as fh:
        fh.write('baseURL = "https://showcase.example.com/"\ntitle = "Benchmark"\n'
                 "paginate = 12\n[markup.goldmark.renderer]\nunsafe = false\n")
    return count


def build_cold(site: str) -> tuple[float, float, str]:
    """(seconds, peak MiB, output) of a cold `hugo` build of the converted site."""
    for name in ("public", "resources", "hugo-cache"):
        shutil.rmtree(os.path.join(site, name), ignore_errors=True)
    os.sync()
    return timed([hugo(), "--quiet", "--cacheDir", os.path.join(site, "hugo-cache")], site, "hugo build")
