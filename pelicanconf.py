"""This showcase's settings (development and preview builds; `publishconf.py` imports
them and overrides what production needs).

Until `invoke init "Your Company"` makes this project a company's own showcase, it shows
the bundled example, Kestrel Works (examples/kestrel-works/): `invoke init` replaces this
file with your company's settings. The engine's settings (theme, URLs, plugins) come from
eminence_model/engine_settings.py either way.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins"))
from eminence_model.engine_settings import *  # noqa: E402,F403 - the engine's settings
from eminence_model.engine_settings import EXAMPLE, settings_of  # noqa: E402

globals().update(settings_of(os.path.join(EXAMPLE, "pelicanconf.py")))
