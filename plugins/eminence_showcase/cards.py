"""Social cards: the image a share of a page shows (og:image, twitter:image).

One card for the site (home and the list pages), one per topic and one per expert;
a post page shows its expert's card (a card per post would multiply the build's cost
by the posts for little: a share of a post already shows its title as text). Cards are
1200x630 PNG (the size LinkedIn, Slack, Mastodon and X crop the least), drawn with
Pillow from text the model holds: no remote image is ever fetched.

Invariants:
- A card's file name carries a digest of everything drawn on it (and RENDERER), so a
  changed card has a new URL: platforms cache images by URL for days.
- A card is drawn only when no earlier build left it: the output writer skips a card
  whose digest it recorded (a no-change rebuild draws none), and a drawn card is kept
  in the cache folder too, so a build into an empty output/ (a fresh clone with the
  cache restored) copies instead of drawing.
- The declared width and height are the file's: a card is exactly its `size` (1200x630;
  the logo, 512x512).

Text is set in Pillow's bundled font (Aileron; Latin scripts) unless EMINENCE_CARD_FONT
names a TrueType/OpenType file that covers the showcase's scripts (e.g. Noto Sans CJK).
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from functools import lru_cache

from eminence_model.digest import sha
from eminence_model.sanitize import plain_text
from eminence_model.settings import SettingsError, setting

SIZE = (1200, 630)
RENDERER = "cards-1"  # change when the drawing changes: every card gets a new name
# The theme's hero colours (site.css --hero-from/--hero-text, --accent-soft).
BACKGROUND, TEXT, SOFT, MARK = (11, 61, 58), (244, 251, 250), (180, 214, 210), (19, 82, 77)
MARGIN = 72


@dataclass(frozen=True)
class Card:
    """What a card says; `path` is where the build writes it, under the output folder."""

    kind: str  # "site", "topic" or "expert"
    slug: str
    title: str
    subtitle: str
    footer: str
    mark: str  # initials in the disc
    font: str = ""  # a font file, or "" for Pillow's
    size: tuple[int, int] = SIZE

    @property
    def digest(self) -> str:
        return sha(RENDERER, self.kind, self.title, self.subtitle, self.footer, self.mark,
                   self.font, *map(str, self.size))[:10]

    @property
    def path(self) -> str:
        name = self.kind if self.kind in ("site", "logo") else f"{self.kind}s/{self.slug}"
        return f"cards/{name}.{self.digest}.png"

    @property
    def alt(self) -> str:
        return " — ".join(p for p in (self.title, self.subtitle) if p)

    @property
    def width(self) -> int:
        return self.size[0]

    @property
    def height(self) -> int:
        return self.size[1]


def _initials(name: str) -> str:
    parts = [p for p in str(name).replace("-", " ").split() if p[:1].isalpha()]
    return "".join(p[0] for p in (parts[:1] + parts[-1:] if len(parts) > 1 else parts)).upper()


def _first_sentence(html: str, limit: int = 140) -> str:
    text = " ".join(plain_text(html or "").split())
    end = text.find(". ")
    text = text[: end + 1] if 0 < end < limit else text
    return text if len(text) <= limit else text[: limit].rsplit(" ", 1)[0] + "…"


def plan(settings: dict, topics, experts) -> tuple[Card, Card, dict[str, Card], dict[str, Card]]:
    """The site's logo (its initials, square: the Organization's `logo`), its card and one
    per topic and expert (by slug), from the dressed objects."""
    site = settings.get("SITENAME", "")
    host = (settings.get("SITEURL") or "").split("//", 1)[-1].strip("/")
    font = setting(settings, "EMINENCE_CARD_FONT")
    if font:
        try:
            _font(font, 32)
        except OSError as error:
            raise SettingsError([f"EMINENCE_CARD_FONT = {font!r}: {error}; name a TrueType or "
                                 "OpenType file (relative to the project), or \"\" for Pillow's."]) from None
    footer = f"{site} · {host}" if host else site
    site_card = Card("site", "", site, setting(settings, "EMINENCE_TAGLINE"), host or "", _initials(site),
                     font)
    logo = Card("logo", "", site, "", "", _initials(site), font, (512, 512))
    topic_cards = {t.slug: Card("topic", t.slug, t.title, _first_sentence(getattr(t, "summary", "")),
                                footer, _initials(site), font) for t in topics}
    expert_cards = {x.slug: Card("expert", x.slug, x.title, getattr(x, "role", "") or "", footer,
                                 _initials(x.title), font) for x in experts}
    return logo, site_card, topic_cards, expert_cards


@lru_cache(maxsize=16)
def _font(path: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def _wrap(draw, text: str, font_path: str, size: int, width: int, lines: int):
    """`text` in at most `lines` lines of at most `width` pixels, the last one cut with
    an ellipsis if needed; words longer than a line are broken."""
    font = _font(font_path, size)
    out: list[str] = []
    words = text.split()
    while words and len(out) < lines:
        line = words.pop(0)
        while draw.textlength(line, font=font) > width:  # one long word: break it
            cut = len(line) - 1
            while cut > 1 and draw.textlength(line[:cut], font=font) > width:
                cut -= 1
            words.insert(0, line[cut:])
            line = line[:cut]
        while words and draw.textlength(f"{line} {words[0]}", font=font) <= width:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if words and out:
        last = out[-1]
        while last and draw.textlength(last + "…", font=font) > width:
            last = last[:-1]
        out[-1] = last.rstrip() + "…"
    return out, font


def render(card: Card) -> bytes:
    """The card as PNG bytes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", card.size, BACKGROUND)
    draw = ImageDraw.Draw(image)
    width, height = card.size
    if card.kind == "logo":
        draw.text((width / 2, height / 2), card.mark[:3], font=_font(card.font, width // 3), fill=TEXT,
                  anchor="mm")
        return _png(image)
    disc = 168
    left = MARGIN + disc + 56
    draw.ellipse((MARGIN, MARGIN, MARGIN + disc, MARGIN + disc), fill=MARK, outline=SOFT, width=4)
    mark_font = _font(card.font, 72)
    draw.text((MARGIN + disc / 2, MARGIN + disc / 2), card.mark[:3], font=mark_font, fill=TEXT,
              anchor="mm")
    text_width = width - left - MARGIN
    # The title as large as fits in three lines.
    for size in (76, 64, 54, 46):
        title, font = _wrap(draw, card.title, card.font, size, text_width, 3)
        if len(title) < 3 or size == 46:
            break
    y = MARGIN
    for line in title:
        draw.text((left, y), line, font=font, fill=TEXT)
        y += int(size * 1.2)
    if card.subtitle:
        subtitle, sub_font = _wrap(draw, card.subtitle, card.font, 36, text_width, 3)
        y += 24
        for line in subtitle:
            draw.text((left, y), line, font=sub_font, fill=SOFT)
            y += 46
    if card.footer:
        draw.line((MARGIN, height - MARGIN - 64, width - MARGIN, height - MARGIN - 64), fill=MARK, width=3)
        draw.text((MARGIN, height - MARGIN - 34), card.footer, font=_font(card.font, 32), fill=SOFT)
    return _png(image)


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def card_bytes(card: Card, cache_folder: str | None) -> bytes:
    """The card's PNG: from the cache folder when an earlier build drew it, else drawn
    (and kept there, written atomically)."""
    cached = os.path.join(cache_folder, f"{card.digest}.png") if cache_folder else None
    if cached and os.path.isfile(cached):
        with open(cached, "rb") as fh:
            return fh.read()
    data = render(card)
    if cached:
        os.makedirs(cache_folder, exist_ok=True)
        tmp = f"{cached}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, cached)
    return data


def prune_cache(cache_folder: str, cards) -> None:
    """Forget cards no page uses any more (a renamed expert's old card)."""
    keep = {f"{c.digest}.png" for c in cards}
    try:
        names = os.listdir(cache_folder)
    except OSError:
        return
    for name in names:
        if name.endswith(".png") and name not in keep:
            with contextlib.suppress(OSError):
                os.remove(os.path.join(cache_folder, name))
