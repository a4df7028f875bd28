"""Transitional alias of :mod:`bbt.calculation` while branches that import it are merged."""

from bbt.calculation import *  # noqa: F403
from bbt.calculation import ArticleFigures as ArticleCalc
from bbt.calculation import IseFigures as IseCalc
from bbt.money import Percent

__all__ = ["ArticleCalc", "IseCalc", "Percent"]
