"""Where each kind of page lives: the URL settings every reader of the content shares.

The build (the showcase plugin, when Pelican starts) and tools that read the showcase
without building (sources.read_showcase: the desk) apply the same layout, so a record's
URL is the page the build writes. A showcase may set any of these in its pelicanconf.py.
"""

from __future__ import annotations

from .settings import setting

URL_DEFAULTS = {
    "TOPIC_URL": "topics/{slug}/",
    "TOPIC_SAVE_AS": "topics/{slug}/index.html",
    "EXPERT_URL": "experts/{slug}/",
    "EXPERT_SAVE_AS": "experts/{slug}/index.html",
    # Endorsements live on the wall, not on pages of their own.
    "ENDORSEMENT_URL": "endorsements/#endorsement-{slug}",
    "ENDORSEMENT_SAVE_AS": "",
}

DRAFT_KEYS = ("DRAFT_URL", "DRAFT_SAVE_AS", "DRAFT_LANG_URL", "DRAFT_LANG_SAVE_AS",
              "DRAFT_PAGE_URL", "DRAFT_PAGE_SAVE_AS", "DRAFT_PAGE_LANG_URL", "DRAFT_PAGE_LANG_SAVE_AS")


def apply_url_settings(settings: dict) -> None:
    """Fill in the showcase's URL layout (in place), as the build uses it."""
    for key, value in URL_DEFAULTS.items():
        settings.setdefault(key, value)
    for key in ("TOPIC", "EXPERT", "ENDORSEMENT"):
        settings.setdefault(f"{key}_LANG_URL", settings[f"{key}_URL"])
        settings.setdefault(f"{key}_LANG_SAVE_AS", settings[f"{key}_SAVE_AS"])
    # A post has one address whatever its language (no translations here, engine_settings):
    # Pelican's defaults would write a German post to {slug}-de.html.
    settings["ARTICLE_LANG_URL"], settings["ARTICLE_LANG_SAVE_AS"] = settings["ARTICLE_URL"], settings[
        "ARTICLE_SAVE_AS"]
    paginated = dict(settings.get("PAGINATED_TEMPLATES") or {})
    for name in ("topic", "expert", "posts"):
        paginated.setdefault(name, None)
    # Quote cards are small: more per page, still well under ~150 KB a page.
    paginated.setdefault("endorsements", setting(settings, "EMINENCE_ENDORSEMENTS_PER_PAGE"))
    settings["PAGINATED_TEMPLATES"] = paginated
    if setting(settings, "EMINENCE_PREVIEW"):
        # Preview shows drafts at the URL they will have once published.
        settings["DRAFT_URL"] = settings["DRAFT_LANG_URL"] = settings["ARTICLE_URL"]
        settings["DRAFT_SAVE_AS"] = settings["DRAFT_LANG_SAVE_AS"] = settings["ARTICLE_SAVE_AS"]
    else:
        # A public build writes drafts nowhere, not even Pelican's drafts/ folder.
        for key in DRAFT_KEYS:
            settings[key] = ""
