"""eminence_model.settings: the one table of EMINENCE_* settings, and its refusals."""

from __future__ import annotations

import pytest

from eminence_model.settings import SETTINGS, TABLE, SettingsError, check, problems, setting


def test_every_default_is_a_value_its_setting_takes():
    assert problems({s.name: s.default for s in SETTINGS}) == []


def test_a_setting_not_given_is_the_tables_default_and_a_given_one_wins():
    assert setting({}, "EMINENCE_PULL_EXCERPT_WORDS") == TABLE["EMINENCE_PULL_EXCERPT_WORDS"].default == 80
    assert setting({"EMINENCE_PULL_EXCERPT_WORDS": 40}, "EMINENCE_PULL_EXCERPT_WORDS") == 40
    with pytest.raises(KeyError):
        setting({}, "EMINENCE_NOT_IN_THE_TABLE")  # code cannot read a setting the table lacks


@pytest.mark.parametrize("given, says", [
    ({"EMINENCE_PULL_EXERPT_WORDS": 40},
     "EMINENCE_PULL_EXERPT_WORDS is not a setting of Eminence; did you mean EMINENCE_PULL_EXCERPT_WORDS?"),
    ({"EMINENCE_ZZZ": 1}, "EMINENCE_ZZZ is not a setting of Eminence; remove it"),
    ({"EMINENCE_PULL_EXCERPT_WORDS": "40"},
     "EMINENCE_PULL_EXCERPT_WORDS = '40': it takes a whole number, e.g. EMINENCE_PULL_EXCERPT_WORDS = 80"),
    ({"EMINENCE_HOME_LATEST": True}, "EMINENCE_HOME_LATEST = True: it takes a whole number"),
    ({"EMINENCE_SEARCH": "no"}, "EMINENCE_SEARCH = 'no': it takes True or False"),
    ({"EMINENCE_BRAND_TERMS": "Acme"}, "EMINENCE_BRAND_TERMS = 'Acme': it takes a list"),
    ({"EMINENCE_WORKERS": "4"}, "EMINENCE_WORKERS = '4': it takes a whole number, or None"),
])
def test_a_wrong_setting_is_refused_with_its_fix(given, says):
    found = problems(given)
    assert len(found) == 1 and found[0].startswith(says), found


def test_every_problem_is_listed_at_once_and_engine_keys_are_not_settings():
    settings = {"EMINENCE_SEARCH": "no", "EMINENCE_ZZZ": 1, "_EMINENCE_BUILD": object(),
                "EMINENCE_WORKERS": None, "SITENAME": "Acme"}
    with pytest.raises(SettingsError) as raised:
        check(settings)
    assert len(raised.value.problems) == 2
    assert str(raised.value).startswith("2 problem(s) with the settings (pelicanconf.py):")
