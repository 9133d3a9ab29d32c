"""Run Pelican the way `invoke` does: build, or validate without writing.

Used by tasks.py and by the tests, so both exercise exactly the same path.
"""

from __future__ import annotations

from pelican import Pelican
from pelican.settings import read_settings


def load_settings(settings_file: str = "pelicanconf.py", **overrides) -> dict:
    return read_settings(settings_file, override=overrides or None)


def build(settings: dict) -> Pelican:
    """Build the site; raises ContentError (output untouched) on invalid content."""
    pelican = Pelican(settings)
    pelican.run()
    return pelican


def check(settings: dict) -> dict:
    """Read and validate all content exactly as a build does, but write nothing.

    Returns the shared context (topics, experts, articles...) for reporting.
    """
    pelican = Pelican(settings)
    context = settings.copy()
    context.update(generated_content={}, static_links=set(), static_content={},
                   localsiteurl=settings["SITEURL"])
    # The same generator list Pelican.run() uses; only their reading half runs.
    for cls in pelican._get_generator_classes():
        generator = cls(context=context, settings=pelican.settings, path=pelican.path,
                        theme=pelican.theme, output_path=pelican.output_path)
        if hasattr(generator, "generate_context"):
            generator.generate_context()
    return context
