"""eminence_model: the content model, the contract every stage shares.

The Markdown in content/ is the store between the stages (Planet Venus's
lesson): the pull writes it, editors and the desk change it, the build reads it.
This package says what a valid file is and how it is read and written, and has
no Pelican generator code and no knowledge of any stage above it:

    schema.py    the fields of topics, experts, posts and endorsements
    validate.py  parsing fields against the schema; every problem with its file, field and fix
    sources.py   reading topics and experts (validated) through Pelican's readers
    reading.py   the readers' cache shared by tools and builds
    sanitize.py  the HTML allowlist a body may keep, and its plain text
    store.py     content/'s files: atomic writes, metadata lines, the pull's state folder and lock
    digest.py    digests of settings and code, for caches
"""

from .validate import ContentError

__all__ = ["ContentError"]
