"""The editor-facing content model: which fields each kind of file has.

The schema is data so that validation, documentation and scaffolding all read
the same definition. Field names are spelled the way editors write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pelican.contents import Content


class FieldKind(StrEnum):
    """What a field's value is: how validate.FieldParser reads it."""

    TEXT = "text"
    LIST = "list"  # comma-separated words
    DATE = "date"
    URL = "url"  # https (or http)
    URLS = "urls"
    FEEDS = "feeds"  # URLs, or local files where allowed
    TOPICS = "topics"  # topic slugs that must exist
    EXPERT = "expert"  # an expert slug that must exist
    EXPERTS = "experts"
    CHOICE = "choice"  # one of Field.choices
    YESNO = "yesno"
    INT = "int"
    AVATAR = "avatar"  # a file under content/ or an https URL
    DURATION = "duration"  # 42:10 or 1:02:03
    LANG = "lang"  # a BCP 47 language tag (languages.py), kept normalised


@dataclass(frozen=True)
class Field:
    name: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    hint: str = ""  # what to write, shown in error messages

    def __post_init__(self):
        object.__setattr__(self, "kind", FieldKind(self.kind))  # a misspelt kind fails at import

    @property
    def key(self) -> str:
        """Pelican lower-cases metadata keys."""
        return self.name.lower()

    @property
    def attr(self) -> str:
        """The attribute templates use: `Endorser-Role` -> `endorser_role`."""
        return self.key.replace("-", "_")


TOPIC_FIELDS = (
    Field("Title", required=True, hint="the topic's display name"),
    Field("Summary", required=True, hint="one or two sentences shown on topic cards"),
    Field("Keywords", "list", hint="comma-separated words used to assign pulled posts"),
    Field("Watch", "feeds", hint="comma-separated feed URLs watched for endorsements (searches, mentions)"),
    Field("Order", "int", hint="a whole number; lower numbers are listed first"),
)

EXPERT_FIELDS = (
    Field("Title", required=True, hint="the expert's display name"),
    Field("Topics", "topics", required=True, hint="comma-separated topic slugs"),
    Field("Role", hint="job title shown under the name"),
    Field("Feeds", "feeds", hint="comma-separated RSS/Atom feed URLs"),
    Field("Avatar", "avatar", hint="a path under content/ (e.g. images/experts/ada.svg) or an https URL"),
    Field("Links", "urls", hint="comma-separated profile URLs"),
    Field("Trusted", "yesno", hint="yes or no"),
    Field("Status", "choice", choices=("active", "alumni"), hint="active or alumni"),
    Field("Aliases", "list", hint="comma-separated other names they write under (keeps them out of "
                                  "endorsement candidates)"),
    Field("Lang", "lang", hint="the language they write in, a BCP 47 tag such as de or pt-BR "
                               "(their posts' language where a post names none; default: the site's)"),
)

ENDORSEMENT_FIELDS = (
    Field("Title", required=True, hint="a short headline"),
    Field("Endorser", required=True, hint="the name of the person or organisation quoted"),
    Field("Source", "url", required=True, hint="the https URL where it was said"),
    Field("Date", "date", required=True, hint="a date such as 2026-03-14"),
    Field("Topics", "topics", required=True, hint="comma-separated topic slugs"),
    Field(
        "Consent",
        "choice",
        required=True,
        choices=("public", "granted", "pending", "withdrawn"),
        hint="public, granted, pending or withdrawn",
    ),
    Field("Status", "choice", required=True, choices=("draft", "published"), hint="draft or published"),
    Field("Endorser-Role", hint="the endorser's role and organisation"),
    Field("Experts", "experts", hint="comma-separated slugs of experts it praises"),
    Field("Relationship", hint="e.g. customer, analyst, partner"),
    Field("Consent-Note", hint="who granted consent, when, for what use"),
    Field("Featured", "yesno", hint="yes or no"),
    Field("Endorser-URL", "url", hint="the endorser's own site or profile (https URL)"),
    Field("Matched", hint="the brand term the pull found (written by the pull, for the editor)"),
    Field("Lang", "lang", hint="the quote's language, a BCP 47 tag such as de (default: the site's)"),
    Field("Feed", hint="the watch feed it was found in (written by the pull)"),
    Field("Source-Note", hint="why the Source needs an editor's look (written by the pull)"),
)

# What a post is: its page, card, feed entry and JSON-LD follow it (docs/editing.md: "Kinds").
KINDS = ("article", "note", "video", "episode")

POST_FIELDS = (
    Field("Title", required=True, hint="the post's title (for a note: its first words)"),
    Field("Date", "date", required=True, hint="a date such as 2026-03-14"),
    Field("Expert", "expert", required=True, hint="the slug of the expert who wrote it"),
    Field("Topics", "topics", required=True, hint="comma-separated topic slugs"),
    Field("Kind", "choice", choices=KINDS, hint="article, note, video or episode"),
    Field("Original", "url", hint="the https URL of the original post"),
    Field("Media", "url", hint="the https URL of the video's watch page or the episode's audio file"),
    Field("Duration", "duration", hint="a running time such as 42:10 or 1:02:03"),
    Field("Media-Length", "int", hint="the size of an episode's audio file in bytes, as its feed gives it "
                                      "(podcast apps read it from our feeds)"),
    Field("Featured", "yesno", hint="yes or no"),
    Field("Status", "choice", choices=("draft", "published"), hint="draft or published"),
    Field("Feed", hint="the feed the post was pulled from (written by the pull)"),
    Field("Lang", "lang", hint="the post's language, a BCP 47 tag such as de, pt-BR or zh-Hant "
                               "(default: its expert's, else the site's)"),
    Field("Review-Note", hint="what an editor must check before publishing (written by invoke add-post)"),
)

PUBLIC_CONSENT = ("public", "granted")


class Topic(Content):
    mandatory_properties = ("title",)
    default_template = "topic"


class Expert(Content):
    mandatory_properties = ("title",)
    default_template = "expert"
    default_status = "active"  # Pelican's Content otherwise defaults to ""

    @property
    def is_alumni(self) -> bool:
        return getattr(self, "status", "active") == "alumni"


class Endorsement(Content):
    mandatory_properties = ("title",)
    default_template = None  # shown on the wall and on topic/expert pages

    @property
    def is_public(self) -> bool:
        return self.status == "published" and self.consent in PUBLIC_CONSENT
