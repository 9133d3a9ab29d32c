"""eminence_desk: curation, the stage between the pull and the build.

The editor's commands (invoke queue / approve / reject / feature / retopic /
health / new-topic / new-expert / add-feed) as functions; tasks.py parses arguments and
prints. Every command validates the content first (the build's own checks, same
messages) and edits only the metadata lines concerned.

    edits.py     approve, reject (with the ledger's tombstone), feature, retopic; which files
    queue.py     what waits for review, endorsements ranked
    health.py    failing feeds, moves, silent experts, quiet topics, with their fixes
    adopt.py     invoke init: a clone of Eminence made a company's own, empty showcase
    scaffold.py  new topic and expert files; finding a feed from a URL and checking it once
    web.py       the desk in the browser (invoke desk), over these same functions;
                 guard.py its refusals, decisions.py the session's decisions and commit
"""

from .edits import (
    Change,
    DeskError,
    approve,
    feature,
    kind_of,
    reject,
    retopic,
    set_fields,
    targets,
)
from .health import health_lines, health_report, needs_action
from .queue import queue_items, queue_lines
from .scaffold import add_feed, check_feed, check_feeds, new_expert, new_topic

__all__ = [
    "Change", "DeskError", "add_feed", "approve", "check_feed", "check_feeds", "feature", "health_lines",
    "health_report", "kind_of", "needs_action", "new_expert", "new_topic", "queue_items", "queue_lines",
    "reject", "retopic", "set_fields", "targets",
]
