"""Which language detector the pull uses: accuracy on real entries, and cost (on demand).

    python3 benchmarks/language_bench.py [--corpus ../shared/corpora] [--repeat 5]

The labelled set is every entry of the real-world and feedparser corpora whose feed or
entry declares a language (RSS `<language>`, `dc:language`, Atom `xml:lang`, JSON Feed
`language`): the text a detector would see at pull time (title, then the summary's or
content's text, as the pull cleans it) and the declared language as the label. The
labels are the publishers' own and so are not perfect (a CMS's default `en-US` on a
non-English blog is counted as the detector's error), which is why the figures are
read side by side, not as absolute accuracy.

Each detector runs in a child process of its own, so the import and model load, the
time per 1,000 entries and the peak memory are its own. Accuracy is over the language
subtag (`pt-BR` ~ `pt`), by text length: a note is a line, a post's excerpt a paragraph.
A detector that is not installed is reported as such (they are not dependencies of the
project, except the one the pull uses: `pip install py3langid lingua-language-detector`).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "plugins"))

BUCKETS = [(0, 40, "under 40 characters"), (40, 160, "40-159"), (160, 10**9, "160 and more")]
DETECTORS = ["eminence", "py3langid", "lingua", "lingua-low-accuracy"]


def labelled_entries(corpus: str) -> list[tuple[str, str]]:
    """(text, declared language subtag) of every entry whose feed declares a language."""
    import feedparser

    from eminence_model.languages import language_tag, primary
    from eminence_pull.convert import html_to_blocks
    from eminence_pull.langdetect import detection_text
    from eminence_pull.parse import entry_language

    files = sorted(f for pattern in ("realworld/**/*", "feedparser/**/*")
                   for f in glob.glob(os.path.join(corpus, pattern), recursive=True)
                   if os.path.isfile(f) and not f.endswith(".md"))
    out = []
    for path in files:
        with open(path, "rb") as fh:
            parsed = feedparser.parse(fh.read(), sanitize_html=False, resolve_relative_uris=False)
        feed_lang = language_tag((parsed.get("feed") or {}).get("language"))
        for raw in parsed.entries:
            tag = entry_language(raw) or feed_lang
            content = (raw.get("content") or [{}])[0].get("value") or raw.get("summary") or ""
            text = detection_text(raw.get("title") or "", html_to_blocks(content, None).text)
            if tag and text:
                out.append((text, primary(tag)))
    return out


def _detector(name: str):
    """A function text -> language subtag or None, loaded (the load is part of the cost)."""
    if name == "eminence":
        from eminence_pull.langdetect import detect_language
        return lambda text: detect_language(text)
    if name == "py3langid":
        import py3langid
        return lambda text: py3langid.classify(text)[0]
    from lingua import LanguageDetectorBuilder
    builder = LanguageDetectorBuilder.from_all_languages()
    if name == "lingua-low-accuracy":
        builder = builder.with_low_accuracy_mode()
    detector = builder.build()

    def detect(text):
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else None
    return detect


def child(name: str, data_path: str, repeat: int) -> None:
    with open(data_path) as fh:
        entries = json.load(fh)
    start = time.perf_counter()
    try:
        detect = _detector(name)
    except ImportError as exc:
        print(json.dumps({"missing": str(exc)}))
        return
    load = time.perf_counter() - start
    start = time.perf_counter()
    answers = [detect(text) for text, _ in entries]  # lingua loads its models in this pass
    first = time.perf_counter() - start + load
    start = time.perf_counter()
    for _ in range(repeat):
        for text, _ in entries:
            detect(text)
    per_1000 = (time.perf_counter() - start) / (repeat * len(entries)) * 1000
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"load": first, "per_1000": per_1000, "peak_mib": peak_mib, "answers": answers}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpora"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.repeat)
        return
    entries = labelled_entries(args.corpus)
    data_path = os.path.join(ROOT, "cache", "language-bench.json")
    os.makedirs(os.path.dirname(data_path), exist_ok=True)
    with open(data_path, "w") as fh:
        json.dump(entries, fh)
    languages = sorted({label for _, label in entries})
    print(f"{len(entries)} entries in {len(languages)} declared languages: {', '.join(languages)}\n")
    header = ["detector", "load + first pass s", "ms / 1,000", "peak MiB", "all"] + [b[2] for b in BUCKETS]
    rows = []
    for name in DETECTORS:
        command = [sys.executable, __file__, "--repeat", str(args.repeat), "--child", name, data_path]
        proc = subprocess.run(command, capture_output=True, text=True, check=True)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if "missing" in result:
            rows.append([name, "not installed: " + result["missing"]])
            continue
        cells = [name, f"{result['load']:.2f}", f"{result['per_1000'] * 1000:.0f}",
                 f"{result['peak_mib']:.0f}"]
        for low, high, _ in [(0, 10**9, "")] + BUCKETS:
            pairs = [(a, label) for a, (text, label) in zip(result["answers"], entries, strict=True)
                     if low <= len(text) < high]
            answered = [(a, label) for a, label in pairs if a]
            right = sum(a == label for a, label in answered)
            # Right of those answered; and how many it answered, where it abstains
            cells.append("-" if not answered else f"{right / len(answered):.1%} of {len(answered)}"
                         + ("" if len(answered) == len(pairs) else f" ({len(pairs) - len(answered)} unsure)"))
        rows.append(cells)
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
