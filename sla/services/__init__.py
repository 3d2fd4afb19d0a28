"""The one door for writes to SLAs (``slas``) and to the holiday lists they share
(``holidays``). Callers import from here: ``from sla import services``."""

from .holidays import *  # noqa: F403
from .slas import *  # noqa: F403
