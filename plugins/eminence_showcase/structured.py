"""schema.org JSON-LD and page URLs for the theme, as Jinja filters bound to the settings.

JSON is escaped for HTML (<, > and & as \\u escapes), so text from feeds can never
close the <script type="application/ld+json"> element it sits in.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from markupsafe import Markup

from eminence_model.sanitize import plain_text
from eminence_model.settings import setting

from .feeds import base_url

VIDEO_FILES = (".mp4", ".m4v", ".webm", ".mov", ".ogv")


def media_file(url) -> str | None:
    """The URL if it is a video file (not a page that plays it)."""
    return url if url and urlsplit(str(url)).path.lower().endswith(VIDEO_FILES) else None


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

    def absolute(path: str) -> str:
        return path if path.startswith(("https://", "http://")) else f"{base}/{path}"

    def person(expert) -> dict:
        data = {"@type": "Person", "name": expert.title, "url": f"{base}/{expert.url}",
                "worksFor": org}
        image = getattr(expert, "avatar", None) or getattr(getattr(expert, "card", None), "path", None)
        if image:  # their portrait, else their card
            data["image"] = absolute(image)
        if getattr(expert, "role", None):
            data["jobTitle"] = expert.role
        if getattr(expert, "links", None):
            data["sameAs"] = list(expert.links)
        return data

    def ld_home(topics, logo=None) -> Markup:
        data = {"@context": "https://schema.org", **org, "description": setting(settings, "EMINENCE_INTRO"),
                "knowsAbout": [t.title for t in topics]}
        if logo is not None:
            data["logo"] = {"@type": "ImageObject", "url": absolute(logo.path), "width": logo.width,
                            "height": logo.height}
        if setting(settings, "EMINENCE_SAME_AS"):
            data["sameAs"] = list(setting(settings, "EMINENCE_SAME_AS"))
        return _json(data)

    def ld_breadcrumbs(trail) -> Markup:
        """Home, then each (name, path) of the trail: the last is the page itself."""
        crumbs = [(settings.get("SITENAME", ""), ""), *trail]
        return _json({"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": n, "name": str(name), "item": f"{base}/{path}"}
            for n, (name, path) in enumerate(crumbs, 1)]})

    def ld_item_list(objects) -> Markup:
        """The pages a list page lists (topics, experts), in its order."""
        return _json({"@context": "https://schema.org", "@type": "ItemList", "itemListElement": [
            {"@type": "ListItem", "position": n, "url": f"{base}/{o.url}"}
            for n, o in enumerate(objects, 1)]})

    def ld_person(expert) -> Markup:
        data = person(expert)
        data["knowsAbout"] = [t.title for t in expert.topics]
        return _json({"@context": "https://schema.org", **data})

    def ld_post(article) -> Markup:
        """BlogPosting, SocialMediaPosting (a note), VideoObject or PodcastEpisode."""
        kind = getattr(article, "kind", "article")
        url = f"{base}/{article.url}"
        data = {"@context": "https://schema.org", "author": person(article.expert), "publisher": org,
                "url": url, "about": [t.title for t in article.topics],
                "inLanguage": getattr(article, "lang", None) or settings.get("DEFAULT_LANG", "en")}
        original = getattr(article, "original", None)
        media = getattr(article, "media", None) or original
        duration = iso_duration(getattr(article, "duration", None))
        text = plain_text(article.content)
        card = getattr(article.expert, "card", None)
        if card is not None and kind != "video":
            data["image"] = absolute(card.path)
        if kind == "note":
            data.update({"@type": "SocialMediaPosting", "headline": article.title, "text": text,
                         "articleBody": text, "datePublished": article.date.isoformat()})
        elif kind == "video":
            # The page that shows the video is its url; the file itself is contentUrl.
            file = media_file(media)
            watch = [u for u in (original, media) if u and u != file]
            data.update({"@type": "VideoObject", "name": article.title,
                         "description": text or article.title,
                         "uploadDate": article.date.isoformat(), "url": watch[0] if watch else url,
                         "creator": data.pop("author")})
            if card is not None:
                data["thumbnailUrl"] = [absolute(card.path)]
            if file:
                data["contentUrl"] = file
            if duration:
                data["duration"] = duration
        elif kind == "episode":
            audio = {"@type": "AudioObject", "contentUrl": media}
            if duration:
                audio["duration"] = duration
            data.update({"@type": "PodcastEpisode", "name": article.title,
                         "description": text or article.title,
                         "datePublished": article.date.isoformat(), "associatedMedia": audio})
            series = {"@type": "PodcastSeries"}
            if str(getattr(article, "feed", "")).startswith(("https://", "http://")):
                series["webFeed"] = article.feed
            if original:
                parts = urlsplit(original)
                series["url"] = f"{parts.scheme}://{parts.netloc}/"
            if len(series) > 1:
                data["partOfSeries"] = series
            if duration:
                data["duration"] = duration
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
                          "about": [t.title for t in e.topics], "inLanguage": getattr(e, "lang", None)
                          or settings.get("DEFAULT_LANG"), "url": f"{base}/{e.url}"})
        return _json({"@context": "https://schema.org", "@graph": items})

    return {"page_url": page_url, "ld_home": ld_home, "ld_person": ld_person, "ld_post": ld_post,
            "ld_quotes": ld_quotes, "ld_breadcrumbs": ld_breadcrumbs, "ld_item_list": ld_item_list,
            "media_file": media_file}
