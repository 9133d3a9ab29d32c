"""docs/editing.md's field tables are the schema (eminence_model/schema.py): every field,
whether it is required, and for a choice every value it takes, so an editor reads what
validation enforces. Fields only the pull writes (its hint says so) may be described
in the prose under a table instead of in it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eminence_model.schema import ENDORSEMENT_FIELDS, EXPERT_FIELDS, POST_FIELDS, TOPIC_FIELDS, FieldKind

EDITING = Path(__file__).parents[2] / "docs" / "editing.md"
KINDS = {"Topic": TOPIC_FIELDS, "Expert": EXPERT_FIELDS, "Endorsement": ENDORSEMENT_FIELDS,
         "Post": POST_FIELDS}


def table(kind: str) -> dict[str, tuple[bool, str]]:
    """{field: (required, meaning)} from the table under '## <kind> — ...'."""
    text = EDITING.read_text(encoding="utf-8")
    section = re.search(rf"^## {kind} — .*?\n(.*?)(?=^## )", text, re.M | re.S)
    assert section, f"docs/editing.md has no '## {kind} — ...' section"
    rows = re.findall(r"^\| `([\w-]+)` \|\s*(yes)?\s*\| (.*) \|$", section.group(1), re.M)
    return {name: (required == "yes", meaning) for name, required, meaning in rows}


@pytest.mark.parametrize("kind", KINDS)
def test_the_field_table_is_the_schema(kind):
    documented = table(kind)
    for field in KINDS[kind]:
        if field.name not in documented:
            assert "written by the pull" in field.hint, f"docs/editing.md ({kind}) lacks `{field.name}`"
            continue
        required, meaning = documented.pop(field.name)
        assert required == field.required, f"{kind} `{field.name}`: the schema says required={field.required}"
        if field.kind is FieldKind.CHOICE:
            missing = [c for c in field.choices if f"`{c}`" not in meaning]
            assert not missing, f"{kind} `{field.name}`: the docs do not name {missing}"
    assert not documented, f"docs/editing.md ({kind}) lists fields the schema lacks: {sorted(documented)}"
