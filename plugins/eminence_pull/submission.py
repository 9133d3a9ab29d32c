"""An expert's own submission, from the GitHub issue form "Add my talk, post or
interview" (.github/ISSUE_TEMPLATE/add-post.yml), made into a draft and a pull request
description by .github/workflows/add-post.yml (`invoke submission`).

The issue's body is untrusted, and so is the page it names: the workflow hands the body
to this module in a file (never through the shell), and every value taken from the
body or the page reaches the pull request description inside a code span, so nothing
from them becomes a link, an image, a mention or a closing keyword there. The
submitter is named (they asked); a submitter who is not known as the expert (a GitHub
address among the expert's Links, or an alias equal to their login) is marked for the
editor in the draft's Review-Note and the description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eminence_model.refusals import Refusal
from eminence_model.sources import read_people

from .add_by_url import Added, add_post

# The issue form's labels, as GitHub writes them into the body ("### Label").
LABELS = {"url": "Page URL", "expert": "Expert", "topics": "Topics", "note": "Note for the editors"}
NO_RESPONSE = "_No response_"


class SubmissionRefused(Refusal):
    """The issue does not say what to add, or add-post refused it."""


@dataclass
class Submission:
    url: str
    expert: str
    topics: list[str]
    note: str


def read_form(body: str) -> Submission:
    """The answers of the issue form's body (GitHub renders each as "### Label" and text)."""
    answers: dict[str, str] = {}
    for block in re.split(r"(?m)^### ", body or "")[1:]:
        label, _, text = block.partition("\n")
        text = text.strip()
        answers[label.strip()] = "" if text == NO_RESPONSE else text
    got = {key: answers.get(label, "") for key, label in LABELS.items()}
    missing = [LABELS[k] for k in ("url", "expert") if not got[k]]
    if missing:
        raise SubmissionRefused(f"the issue does not give: {', '.join(missing)}; "
                                "edit it with the form's fields")
    return Submission(got["url"].split()[0], got["expert"].split()[0].strip().lower(),
                      [t.strip() for t in got["topics"].split(",") if t.strip()], got["note"])


def is_the_expert(login: str, expert: dict) -> bool:
    """Whether a GitHub login is the expert's: a github.com link of theirs, or an alias."""
    login = login.strip().lstrip("@").lower()
    links = [str(u).lower().rstrip("/") for u in expert.get("links", [])]
    aliases = [a.strip().lstrip("@").lower() for a in expert.get("aliases", [])]
    return bool(login) and (f"https://github.com/{login}" in links or login in aliases)


def code(text: str) -> str:
    """Text from the issue or the page, inert in Markdown: a code span (no links, images,
    mentions, HTML or closing keywords), on one line."""
    return "`" + " ".join(str(text).replace("`", "'").split())[:300] + "`"


def submit(settings: dict, body: str, submitter: str, issue: int) -> tuple[Added, str]:
    """Write the draft; return it and the pull request's description."""
    if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})", submitter or ""):
        raise SubmissionRefused(f"{submitter!r} is not a GitHub login")
    form = read_form(body)
    people = read_people(settings)
    expert = people.experts.get(form.expert)
    if expert is None:
        raise SubmissionRefused(f"no expert {code(form.expert)}; the form's Expert is their slug, one of: "
                                f"{', '.join(sorted(people.experts))}")
    own = is_the_expert(submitter, expert)
    review = [] if own else [f"submitted by {submitter} (GitHub), who is not known as {expert.get('title')}: "
                             "check with them"]
    added = add_post(settings, form.url, form.expert, form.topics or None, review=review)
    lines = [f"Submitted by @{submitter} in #{issue}: a draft for review.", "",
             "| | |", "|---|---|",
             f"| Draft | `content/{added.path}` ({added.kind.value}) |",
             f"| Title | {code(added.title)} |",
             f"| Page | {code(form.url)} |",
             f"| Expert | {code(expert.get('title'))} ({code(form.expert)}) |",
             f"| Read from the page | {', '.join(added.read) or 'nothing (the platform is not fetched)'} |",
             f"| Names the expert | {code(added.names_expert) if added.names_expert else '**no**'} |",
             f"| Submitter is the expert | {'yes' if own else '**not known**: check with them'} |"]
    if added.review_note:
        lines += ["", f"**To check before publishing:** {code(added.review_note)}"]
    if form.note:
        lines += ["", f"Note from the submitter: {code(form.note)}"]
    lines += ["", "Merging adds it as a draft to the editors' queue (`invoke desk`), where approving "
              "publishes it. Close this pull request to decline."]
    return added, "\n".join(lines) + "\n"
