"""Transitional alias of :mod:`bbt.format` while branches that import it are merged."""

from bbt.format import *  # noqa: F403
from bbt.format import FILTERS, bedrag, datum, getal, procent

__all__ = ["FILTERS", "bedrag", "datum", "getal", "procent"]
