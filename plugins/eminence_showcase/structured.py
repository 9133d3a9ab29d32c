"""schema.org JSON-LD and page URLs for the theme, as Jinja filters bound to the settings.

JSON is escaped for HTML (<, > and & as \\u escapes), so text from feeds can never
close the <script type="application/ld+json"> element it sits in.
"""

from __future__ import annotations

import json

from markupsafe import Markup

from eminence_model.sanitize import plain_text
from eminence_model.settings import setting

from .feeds import base_url


def _json(data) -> Markup:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def iso_duration(clock: str | None) -> str | None:
    """'1:02:05' or '42:10' (the Duration field) as ISO 8601: 'PT1H2M5S', 'PT42M10S'."""
    if not clock:
        return None
    parts = [int(p) for p in clock.split(":")]
    hours, minutes, seconds = ([0] * (3 - len(parts)) + parts)[-3:]
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{seconds}S"


def filters(settings: dict) -> dict:
    base = base_url(settings)
    org = {"@type": "Organization", "name": settings.get("SITENAME", ""), "url": f"{base}/"}

    def page_url(output_file: str) -> str:
        path = output_file or ""
        path = path[: -len("index.html")] if path.endswith("index.html") else path
        return f"{base}/{path}"

    def person(expert) -> dict:
        data = {"@type": "Person", "name": expert.title, "url": f"{base}/{expert.url}",
                "worksFor": org}
        if getattr(expert, "role", None):
            data["jobTitle"] = expert.role
        if getattr(expert, "links", None):
            data["sameAs"] = list(expert.links)
        return data

    def ld_home(topics) -> Markup:
        return _json({"@context": "https://schema.org", **org,
                      "description": setting(settings, "EMINENCE_INTRO"),
                      "knowsAbout": [t.title for t in topics]})

    def ld_person(expert) -> Markup:
        data = person(expert)
        data["knowsAbout"] = [t.title for t in expert.topics]
        return _json({"@context": "https://schema.org", **data})

    def ld_post(article) -> Markup:
        """BlogPosting, SocialMediaPosting (a note), VideoObject or PodcastEpisode."""
        kind = getattr(article, "kind", "article")
        url = f"{base}/{article.url}"
        data = {"@context": "https://schema.org", "author": person(article.expert), "publisher": org,
                "url": url, "about": [t.title for t in article.topics]}
        original = getattr(article, "original", None)
        media = getattr(article, "media", None) or original
        duration = iso_duration(getattr(article, "duration", None))
        if kind == "note":
            data.update({"@type": "SocialMediaPosting", "headline": article.title,
                         "articleBody": plain_text(article.content),
                         "datePublished": article.date.isoformat()})
        elif kind == "video":
            data.update({"@type": "VideoObject", "name": article.title,
                         "description": plain_text(article.content) or article.title,
                         "uploadDate": article.date.isoformat(), "url": media or url,
                         "creator": data.pop("author")})
            if duration:
                data["duration"] = duration
        elif kind == "episode":
            audio = {"@type": "AudioObject", "contentUrl": media}
            if duration:
                audio["duration"] = duration
            data.update({"@type": "PodcastEpisode", "name": article.title,
                         "description": plain_text(article.content) or article.title,
                         "datePublished": article.date.isoformat(), "associatedMedia": audio})
            if duration:
                data["timeRequired"] = duration
        else:
            data.update({"@type": "BlogPosting", "headline": article.title,
                         "datePublished": article.date.isoformat()})
        if original:
            data["isBasedOn"] = original
            data["mainEntityOfPage"] = original
        return _json(data)

    def ld_quotes(endorsements) -> Markup:
        items = []
        for e in endorsements:
            creator = {"@type": "Person", "name": e.endorser}
            if getattr(e, "endorser_role", None):
                creator["jobTitle"] = e.endorser_role
            if getattr(e, "endorser_url", None):
                creator["url"] = e.endorser_url
            items.append({"@type": "Quotation", "text": plain_text(e.content), "creator": creator,
                          "isBasedOn": e.source, "dateCreated": e.date.date().isoformat(),
                          "about": [t.title for t in e.topics],
                          "url": f"{base}/{e.url}"})
        return _json({"@context": "https://schema.org", "@graph": items})

    return {"page_url": page_url, "ld_home": ld_home, "ld_person": ld_person, "ld_post": ld_post,
            "ld_quotes": ld_quotes}
