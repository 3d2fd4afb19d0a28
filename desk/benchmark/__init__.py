"""The scale benchmark (issue 7): build a synthetic desk in a scratch database, time every page.

``builder`` fills the database with bulk inserts; ``measure`` times the pages, the credit
spend/refund and the scheduled work; ``report`` prints the table and writes the JSON. The
``bench`` management command wires them together.
"""

from .builder import Sizes, build_desk
from .measure import TARGETS, measure_all
from .report import render_table, write_json

__all__ = ["TARGETS", "Sizes", "build_desk", "measure_all", "render_table", "write_json"]
