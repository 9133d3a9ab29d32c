"""Benchmark the Eminence build at scale against plain Pelican, in one run (on demand).

    python3 -m invoke bench [--posts 5000] [--experts 200] [--topics 20]
                            [--endorsements 500] [--runs 3] [--scaling 1000,5000,20000]
                            [--plain] [--hugo]

Generates a synthetic showcase (N posts of ~600 words of Markdown with links, a
list and an image reference, spread over E experts and T topics, plus K
endorsements; each post carries Pelican's conventional `Tags`, `Category` and
`Author` lines, as a migrated blog's do, unless --plain) and measures, each as the
median of --runs with min–max, every build in a fresh subprocess:

- baseline: plain Pelican (no plugins, its `simple` theme, default settings)
  building the same post files, cold;
- Eminence cold: empty output and cache folders, everything built, Pagefind
  index included (the full `invoke build`);
- no-change rebuild, one-post-changed rebuild (one post's body edited), and
  one-expert-changed rebuild (one expert's biography edited), each from the
  state the previous build left;
- fresh clone, cache restored: what CI does. The content, the build cache and the
  output are copied into a new folder (new absolute path, new modification times),
  one post is edited, and it is built;
- with --hugo, the moonshot: Hugo (Debian's `hugo`) building the same posts cold,
  converted to its front matter with a minimal theme (hugo_baseline.py), in the same
  run; the fresh-clone one-post build is reported against it;
- peak memory: in each timed build, the largest sum of the RSS of the build's
  process tree (Pelican, its forked workers and Pagefind; an upper bound, a page
  shared after a fork counting in each process); and, in one more cold build of
  each that is not timed, the largest total PSS (a shared page counted once),
  which is too costly to sample during a timed build (measure.py). Both sampled
  every 20 ms.

Ratios are against the baseline measured in the same run, because absolute times
vary between machines and ratios much less. --scaling repeats the cold builds
(Eminence and, unless --no-scaling-baseline, the baseline) at each N, and a no-change
rebuild, to show how time and memory grow.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hugo_baseline  # noqa: E402
from measure import timed  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VOCABULARY = ("grid reliability forecasting operators model sensors failover security edge platform "
              "energy carbon runbook incident latency telemetry network control pressure substation "
              "the a of to and in that is for with on as we our it this was be are by from at")
WORDS = VOCABULARY.split()
CHART = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">'
         '<rect width="120" height="60" fill="#ddd"/></svg>\n')


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def paragraph(rng: random.Random, words: int) -> str:
    out, count = [], 0
    while count < words:
        n = rng.randint(8, 18)
        out.append(sentence(rng, n))
        count += n
    return " ".join(out)


def post_body(rng: random.Random, i: int) -> str:
    """~600 words: paragraphs, a heading, a list, links and an image reference."""
    return "\n\n".join([
        paragraph(rng, 140),
        f"See [the runbook](https://docs.example.com/runbooks/{i}) and "
        f"[the previous note](https://notes.example.com/{i - 1}/). " + paragraph(rng, 60),
        "## What we measured",
        "\n".join(f"- {sentence(rng, 9)}" for _ in range(5)),
        "![A chart of the results]({static}/images/chart.svg)",
        paragraph(rng, 150),
        paragraph(rng, 150),
    ])


def generate(folder: str, posts: int, experts: int, topics: int, endorsements: int,
             seed: int = 1, conventional: bool = True) -> None:
    """An Eminence content folder; plain Pelican reads its posts/ as ordinary articles."""
    rng = random.Random(seed)

    def write(rel: str, text: str) -> None:
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)

    write("images/chart.svg", CHART)
    topic_slugs = [f"topic-{t:02}" for t in range(topics)]
    for t, slug in enumerate(topic_slugs):
        write(f"topics/{slug}.md", f"Title: Topic {t}\nSummary: {sentence(rng, 12)}\n"
                                   f"Keywords: {WORDS[t % 20]}\nOrder: {t}\n\n{paragraph(rng, 80)}\n")
    expert_slugs = [f"expert-{e:03}" for e in range(experts)]
    expert_topics = {}
    for e, slug in enumerate(expert_slugs):
        mine = sorted({topic_slugs[e % topics], topic_slugs[(e * 7 + 3) % topics]})
        expert_topics[slug] = mine
        write(f"experts/{slug}.md", f"Title: Expert {e}\nRole: Engineer\nTopics: {', '.join(mine)}\n"
                                    f"Links: https://expert{e}.example.com/\n\n{paragraph(rng, 60)}\n")
    for i in range(posts):
        slug = expert_slugs[i % experts]
        day = f"20{20 + i % 6}-{1 + i % 12:02}-{1 + i % 28:02}"
        pelican = (f"Tags: {WORDS[i % 20]}, {WORDS[(i * 3 + 1) % 20]}\nCategory: {WORDS[i % 7]}\n"
                   f"Author: Expert {i % experts}\n") if conventional else ""
        write(f"posts/{slug}/post-{i:05}.md",
              f"Title: Post {i}: {sentence(rng, 6)[:-1]}\nDate: {day}\nExpert: {slug}\n{pelican}"
              f"Topics: {', '.join(expert_topics[slug][: 1 + i % 2])}\n"
              f"Original: https://expert{i % experts}.example.com/{i}/\n\n{post_body(rng, i)}\n")
    for k in range(endorsements):
        slug = expert_slugs[k % experts]
        write(f"endorsements/endorsement-{k:04}.md",
              f"Title: Endorsement {k}\nEndorser: Customer {k}\nEndorser-Role: CTO, Company {k}\n"
              f"Source: https://customer{k}.example.org/post\nDate: 2025-{1 + k % 12:02}-{1 + k % 28:02}\n"
              f"Topics: {expert_topics[slug][0]}\nExperts: {slug}\nConsent: public\nStatus: published\n"
              f"Relationship: customer\n\n{sentence(rng, 25)}\n")


def settings_files(work: str, content: str) -> tuple[str, str]:
    """(eminence, baseline) settings files, for the showcase in `work`."""
    eminence = os.path.join(work, "eminence_settings.py")
    with open(eminence, "w", encoding="utf-8") as fh:
        fh.write(textwrap.dedent(f"""
            import sys
            sys.path.insert(0, {ROOT!r})
            from pelicanconf import *
            PATH = {content!r}
            THEME = {os.path.join(ROOT, "theme")!r}
            PLUGIN_PATHS = [{os.path.join(ROOT, "plugins")!r}]
            OUTPUT_PATH = {os.path.join(work, "out-eminence")!r}
            CACHE_PATH = {os.path.join(work, "cache-eminence")!r}
            """))
    baseline = os.path.join(work, "baseline_settings.py")
    with open(baseline, "w", encoding="utf-8") as fh:
        fh.write(textwrap.dedent(f"""
            PATH = {content!r}
            ARTICLE_PATHS = ["posts"]
            STATIC_PATHS = ["images"]
            THEME = "simple"
            SITENAME = "Baseline"
            TIMEZONE = "UTC"
            OUTPUT_PATH = {os.path.join(work, "out-baseline")!r}
            CACHE_PATH = {os.path.join(work, "cache-baseline")!r}
            DELETE_OUTPUT_DIRECTORY = True
            """))
    return eminence, baseline


def build_eminence(conf: str, memory: str = "rss") -> tuple[float, float, str]:
    code = ("import sys; sys.path.insert(0, 'plugins'); from eminence_showcase import runner; "
            f"runner.build(runner.load_settings({conf!r}))")
    return timed([sys.executable, "-c", code], ROOT, "Eminence build", memory)


def build_baseline(conf: str, memory: str = "rss") -> tuple[float, float, str]:
    return timed([sys.executable, "-m", "pelican", "-s", conf, "-q"], ROOT, "plain Pelican build", memory)


def peak_pss(work: str) -> dict[str, float]:
    """Peak PSS (MiB) of a cold build of each, in runs that are not timed."""
    eminence, baseline = settings_files(work, os.path.join(work, "content"))
    peaks = {}
    for name, which, build, conf in (("baseline", "baseline", build_baseline, baseline),
                                     ("cold", "eminence", build_eminence, eminence)):
        clear(work, which)
        peaks[name] = build(conf, memory="pss")[1]
    return peaks


def clear(work: str, which: str) -> None:
    for name in (f"out-{which}", f"cache-{which}"):
        shutil.rmtree(os.path.join(work, name), ignore_errors=True)
    settle()


def settle() -> None:
    """Flush pending writes (a deleted tree, the last build's pages) so they are not
    billed to the next timed build: on this VM they cost seconds of system time."""
    os.sync()


def edit(path: str, n: int) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"\nEdited for benchmark run {n}.\n")


def stats(values: list[float]) -> str:
    return f"{statistics.median(values):8.2f} ({min(values):.2f}–{max(values):.2f})"


def measure(work: str, runs: int, full: bool, hugo_site: str | None = None,
            baseline_too: bool = True) -> dict:
    content = os.path.join(work, "content")
    eminence, baseline = settings_files(work, content)
    rows: dict[str, list[tuple[float, float]]] = {k: [] for k in (
        "baseline", "cold", "no-change", "one post changed", "one expert changed",
        "fresh clone, one post", "Hugo cold")}
    for n in range(runs):
        if baseline_too:
            clear(work, "baseline")
            rows["baseline"].append(build_baseline(baseline)[:2])
        clear(work, "eminence")
        rows["cold"].append(build_eminence(eminence)[:2])
        if not full:
            settle()  # a scaling row: how the cold and the no-change build grow
            rows["no-change"].append(build_eminence(eminence)[:2])
            continue
        settle()
        rows["no-change"].append(build_eminence(eminence)[:2])
        edit(os.path.join(content, "posts", "expert-000", "post-00000.md"), n)
        settle()
        rows["one post changed"].append(build_eminence(eminence)[:2])
        edit(os.path.join(content, "experts", "expert-001.md"), n)
        settle()
        rows["one expert changed"].append(build_eminence(eminence)[:2])
        rows["fresh clone, one post"].append(fresh_clone(work, n))
        if hugo_site:
            rows["Hugo cold"].append(hugo_baseline.build_cold(hugo_site)[:2])
    return {k: v for k, v in rows.items() if v}


def fresh_clone(work: str, n: int) -> tuple[float, float]:
    """CI's build: the last build's cache and output restored into a new checkout (a new
    absolute path, every file with a new modification time), one post edited."""
    clone = os.path.join(work, f"clone-{n}")
    for name in ("content", "cache-eminence", "out-eminence"):
        shutil.copytree(os.path.join(work, name), os.path.join(clone, name), copy_function=shutil.copy)
    conf, _ = settings_files(clone, os.path.join(clone, "content"))
    edit(os.path.join(clone, "content", "posts", "expert-002", "post-00002.md"), n)
    settle()
    try:
        return build_eminence(conf)[:2]
    finally:
        shutil.rmtree(clone, ignore_errors=True)


def large(work: str, posts: int, topics: int, runs: int, conventional: bool) -> None:
    """#34's rows at scale: a cold build's peak PSS (one untimed run: PSS sampling slows the
    build), then, from the state it left, timed no-change and one-post-changed builds."""
    content = os.path.join(work, "content")
    generate(content, posts, max(1, posts // 25), topics, posts // 10, conventional=conventional)
    eminence, _ = settings_files(work, content)
    print(f"{posts} posts, {posts // 25} experts, {topics} topics, {posts // 10} endorsements")
    clear(work, "eminence")
    seconds, pss, _ = build_eminence(eminence, memory="pss")
    print(f"cold (untimed: PSS sampled, {seconds:.0f} s): peak PSS {pss:.0f} MiB")
    rows: dict[str, list[float]] = {"no change": [], "one post changed": []}
    for n in range(runs):
        settle()
        rows["no change"].append(build_eminence(eminence)[0])
        edit(os.path.join(content, "posts", "expert-000", "post-00000.md"), n)
        settle()
        rows["one post changed"].append(build_eminence(eminence)[0])
    for name, times in rows.items():
        print(f"{name:<18} {stats(times)} s")


def report(rows: dict, pss: dict[str, float]) -> None:
    base = statistics.median(t for t, _ in rows["baseline"])
    cold = statistics.median(t for t, _ in rows["cold"])
    print(f"{'build':<24} {'seconds: median (min–max)':>27} {'vs baseline':>12} {'vs cold':>8} "
          f"{'peak RSS':>10}")
    for name, values in rows.items():
        times = [t for t, _ in values]
        med = statistics.median(times)
        peak = max(m for _, m in values)
        print(f"{name:<24} {stats(times):>27} {med / base:>11.2f}x {med / cold:>7.2f}x {peak:>7.0f} MiB")
    if rows.get("Hugo cold"):
        clone = statistics.median(t for t, _ in rows["fresh clone, one post"])
        hugo = statistics.median(t for t, _ in rows["Hugo cold"])
        print(f"\nmoonshot: fresh clone, one post / Hugo cold = {clone / hugo:.2f}x (aim: <= 1.0x)")
    print(f"\npeak RSS: the sum over the build's processes (an upper bound). Peak PSS of a cold build, "
          f"untimed: plain Pelican {pss['baseline']:.0f} MiB, Eminence {pss['cold']:.0f} MiB")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=5000)
    ap.add_argument("--experts", type=int, default=200)
    ap.add_argument("--topics", type=int, default=20)
    ap.add_argument("--endorsements", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scaling", default="", help="comma-separated post counts, e.g. 1000,5000,20000")
    ap.add_argument("--keep", action="store_true", help="keep the generated folders")
    ap.add_argument("--plain", action="store_true", help="posts without Tags, Category and Author lines")
    ap.add_argument("--hugo", action="store_true", help="also Hugo building the same posts cold")
    ap.add_argument("--large", type=int, default=0,
                    help="instead: at this many posts, a cold build's peak PSS (untimed), then timed "
                         "no-change and one-post builds")
    ap.add_argument("--no-scaling-baseline", action="store_true",
                    help="scaling rows without plain Pelican (about 41 minutes alone at 100,000 posts)")
    args = ap.parse_args(argv)

    print(f"{os.cpu_count()} CPU(s); Python {sys.version.split()[0]}")
    work = tempfile.mkdtemp(prefix="eminence-build-bench-")
    if args.large:
        try:
            return large(work, args.large, args.topics, args.runs, conventional=not args.plain)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    try:
        content = os.path.join(work, "content")
        generate(content, args.posts, args.experts, args.topics, args.endorsements,
                 conventional=not args.plain)
        print(f"\n{args.posts} posts ({'plain' if args.plain else 'with Tags, Category and Author'}), "
              f"{args.experts} experts, {args.topics} topics, "
              f"{args.endorsements} endorsements; {args.runs} run(s) each\n")
        hugo_site = None
        if args.hugo:
            if hugo_baseline.hugo() is None:
                print("--hugo: Debian's hugo is not installed (apt-get install hugo); no Hugo row.\n")
            else:
                hugo_site = os.path.join(work, "hugo")
                print(f"Hugo site: {hugo_baseline.convert(content, hugo_site)} posts converted\n")
        rows = measure(work, args.runs, full=True, hugo_site=hugo_site)
        report(rows, peak_pss(work))
        for n in [int(x) for x in args.scaling.split(",") if x.strip()]:
            shutil.rmtree(content)
            # Experts and endorsements grow with the posts, in the proportions.
            generate(content, n, max(1, n // 25), args.topics, n // 10, conventional=not args.plain)
            rows = measure(work, 1, full=False, baseline_too=not args.no_scaling_baseline)
            cold, again = rows["cold"][0], rows["no-change"][0]
            base = rows["baseline"][0][0] if rows.get("baseline") else None
            if n == [int(x) for x in args.scaling.split(",") if x.strip()][0]:
                print(f"\n{'posts':>7} {'baseline s':>11} {'ms/post':>8} {'Eminence s':>11} {'ms/post':>8} "
                      f"{'ratio':>6} {'peak RSS':>9} {'no-change s':>12} {'vs cold':>8}")
            baseline = f"{base:>11.2f} {base / n * 1000:>8.2f}" if base else f"{'-':>11} {'-':>8}"
            ratio = f"{cold[0] / base:>5.2f}x" if base else f"{'-':>6}"
            print(f"{n:>7} {baseline} {cold[0]:>11.2f} {cold[0] / n * 1000:>8.2f} {ratio} "
                  f"{cold[1]:>5.0f} MiB {again[0]:>12.2f} {again[0] / cold[0]:>7.2f}x")
    finally:
        if args.keep:
            print(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
