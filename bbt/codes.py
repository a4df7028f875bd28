"""Transitional alias of :mod:`bbt.article_codes` while branches that import it are merged."""

from bbt.article_codes import *  # noqa: F403
