"""eminence_showcase.template_cache: compiled templates reused between builds, never
across a changed source or an environment that compiles differently."""

from __future__ import annotations

import os

import jinja2
import pytest

from eminence_showcase.template_cache import use_cache


def environment(templates: str, cache: str, **options) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates), **options)
    use_cache(env, cache)
    return env


def write(folder: str, name: str, text: str) -> None:
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
        fh.write(text)


def refuse_compiling(env: jinja2.Environment) -> None:
    def compile_(*args, **kwargs):
        raise AssertionError("compiled again")

    env.compile = compile_


def test_a_second_environment_reuses_the_compiled_template(tmp_path):
    write(str(tmp_path / "t"), "page.html", "{% for x in xs %}[{{ x }}]{% endfor %}")
    assert environment(str(tmp_path / "t"), str(tmp_path)).get_template("page.html").render(xs=[1]) == "[1]"
    again = environment(str(tmp_path / "t"), str(tmp_path))
    refuse_compiling(again)
    assert again.get_template("page.html").render(xs=[1, 2]) == "[1][2]"


def test_a_changed_template_is_compiled_again(tmp_path):
    write(str(tmp_path / "t"), "page.html", "old {{ x }}")
    environment(str(tmp_path / "t"), str(tmp_path)).get_template("page.html")
    write(str(tmp_path / "t"), "page.html", "new {{ x }}")
    assert environment(str(tmp_path / "t"), str(tmp_path)).get_template("page.html").render(x=1) == "new 1"


def test_a_theme_somewhere_else_reuses_it(tmp_path):
    """A fresh clone with its cache restored is at another path: the key is the name."""
    for where in ("clone-a", "clone-b"):
        write(str(tmp_path / where), "page.html", "{{ x }}!")
    environment(str(tmp_path / "clone-a"), str(tmp_path)).get_template("page.html")
    moved = environment(str(tmp_path / "clone-b"), str(tmp_path))
    refuse_compiling(moved)
    assert moved.get_template("page.html").render(x=3) == "3!"


@pytest.mark.parametrize("options", [
    {"trim_blocks": True}, {"autoescape": True}, {"extensions": ["jinja2.ext.i18n"]},
    {"variable_start_string": "[[", "variable_end_string": "]]"},
], ids=["trim_blocks", "autoescape", "i18n", "delimiters"])
def test_an_environment_that_compiles_differently_does_not_share(tmp_path, options):
    write(str(tmp_path / "t"), "page.html", "{% if x %}\n<{{ x }}>[[ x ]]{% endif %}")
    plain = environment(str(tmp_path / "t"), str(tmp_path))
    expected = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path / "t")), **options)
    plain.get_template("page.html")
    other = environment(str(tmp_path / "t"), str(tmp_path), **options)
    for env in (expected, other):
        if "extensions" in options:
            env.install_null_translations(newstyle=True)
    assert plain.bytecode_cache.directory != other.bytecode_cache.directory
    page = expected.get_template("page.html").render(x="<b>")
    assert other.get_template("page.html").render(x="<b>") == page
