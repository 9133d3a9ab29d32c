"""The pull's settings and their defaults (a showcase sets any of them in pelicanconf.py)."""

from __future__ import annotations

DEFAULTS = {
    "EMINENCE_PULL_WORKERS": 16,  # concurrent fetches
    "EMINENCE_PULL_PROCESSES": 0,  # parser processes; 0 = one per core when there are many feeds
    "EMINENCE_PULL_TIMEOUT": 10,  # seconds per request
    "EMINENCE_PULL_MAX_BYTES": 5 * 1024 * 1024,
    "EMINENCE_PULL_MAX_RETRY_WAIT": 5,  # wait this long at most for a Retry-After, then skip
    "EMINENCE_PULL_MODE": "excerpt",  # or "full"
    "EMINENCE_PULL_EXCERPT_WORDS": 80,
    "EMINENCE_PULL_NEW_EXPERT_LIMIT": 5,  # posts a newly added expert brings
    "EMINENCE_PULL_ANY_TOPIC": False,  # True: assign any topic, not only the expert's
    "EMINENCE_ALLOW_LOCAL_FEEDS": False,
    "EMINENCE_FEED_FAILING_DAYS": 7,
    "EMINENCE_EXPERT_SILENT_MONTHS": 6,
    "EMINENCE_PULL_ON_BUILD": False,
    # Endorsement candidates from topics' Watch feeds (candidates.py).
    "EMINENCE_BRAND_TERMS": [],  # product and company names a mention must contain
    "EMINENCE_INTERNAL_DOMAINS": [],  # authors/links on these domains are us, not endorsers
    "EMINENCE_WATCH_MAX_NEW": 10,  # new candidates per watch feed per pull
}


def setting(settings: dict, key: str):
    return settings.get(key, DEFAULTS[key])
