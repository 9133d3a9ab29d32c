"""How the review queue ranks endorsement candidates from real watch feeds (on demand).

    python3 tools/rank_watch.py [--top 5] [FILE=Term,Term ...]

Each watch feed of ../shared/corpora/realworld/watch/ (or the FILE=terms given) is pulled
as a topic's Watch feed of an empty showcase, with brand terms for a company it mentions,
through the real pull (offline: EMINENCE_FEED_FILES) and the queue's ranking, and the top
candidates are printed with their score and reasons: what docs/operating.md ("Ranking") reports, read
and judged by hand. Not a test: what counts as praise is an editor's call.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

WATCH = ROOT.parent / "shared" / "corpora" / "realworld" / "watch"
# A company (or product) each capture mentions, as its brand terms.
FEEDS = {
    "google_alerts_slack_atom.xml": ["Slack"],
    "hnapp_search_atom.xml": ["Intel", "Microsoft", "Kotlin", "Magic Leap"],
    "hnrss_newest_rss.xml": ["Google", "Apple", "GitHub"],
    "bing_news_search_madrid_rss.xml": ["Real Madrid"],
    "nitter_search_kubernetes_rss.xml": ["Kubernetes"],
    "mastodon_tag_kubernetes_rss.xml": ["Kubernetes"],
    "stackoverflow_tag_kubernetes_atom.xml": ["Kubernetes"],
    "reddit_search_atom.xml": ["FeedMail"],
    "youtube_channel_google_atom.xml": ["Google"],
    "github_releases_gulp_atom.xml": ["gulp"],
}


def rank_feed(path: Path, terms: list[str], top: int) -> list[dict]:
    from eminence_desk import queue_items
    from eminence_model.sources import read_people
    from eminence_pull import run_pull
    from eminence_showcase import runner

    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        (content / "topics").mkdir(parents=True)
        url = f"https://watch.example.net/{path.name}"
        (content / "topics" / "watch.md").write_text(
            f"Title: Watch\nSummary: What others say.\nWatch: {url}\n\nWatched.\n")
        settings = runner.load_settings(
            str(ROOT / "examples" / "kestrel-works" / "pelicanconf.py"), PATH=str(content),
            OUTPUT_PATH=str(Path(tmp) / "out"), CACHE_PATH=str(Path(tmp) / "cache"),
            EMINENCE_FEED_FILES={url: str(path)}, EMINENCE_BRAND_TERMS=terms,
            EMINENCE_INTERNAL_DOMAINS=[], EMINENCE_WATCH_MAX_NEW=1000, EMINENCE_PREVIEW=True)
        read_people(settings)
        run_pull(settings)
        model = runner.check(settings)
        items = queue_items(model, str(content), now=dt.datetime.now(dt.UTC), brand_terms=terms)
        return [i for i in items if i["kind"] == "endorsement"][:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("feeds", nargs="*", help="FILE=Term,Term (default: the built-in list)")
    args = parser.parse_args()
    feeds = {f.split("=", 1)[0]: f.split("=", 1)[1].split(",") for f in args.feeds} or FEEDS
    os.environ.setdefault("EMINENCE_WORKERS", "1")
    for name, terms in feeds.items():
        ranked = rank_feed(WATCH / name, terms, args.top)
        print(f"\n== {name} (brand terms: {', '.join(terms)}): {len(ranked)} shown")
        for item in ranked:
            print(f"  {item['score']:>3}  {item['title'][:90]}")
            print(f"       {'; '.join(item['why'])}")
            print(f"       \"{item['quote'][:160]}\"")


if __name__ == "__main__":
    main()
