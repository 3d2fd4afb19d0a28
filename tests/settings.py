"""The suite's settings: the desk's own, in development mode (DEBUG is off unless set)."""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: E402, F403
