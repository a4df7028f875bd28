"""bbt: the Flemish Beleids- en begrotingstoelichting, from budget data to document.

The public API is small::

    from bbt import load, calculate, check, build
    document = load("budgets/2024-sociale-economie")
    calculation = calculate(document)
    result = check("budgets/2024-sociale-economie")   # findings
    html = render_html(calculation)                           # bbt.render.html
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "build", "calculate", "check", "load"]


def __getattr__(name: str) -> object:
    # Lazy, so that `bbt --version` and `bbt check` import only what they use.
    if name == "load":
        from bbt.load.budget import load

        return load
    if name == "calculate":
        from bbt.calculation import calculate

        return calculate
    if name in ("check", "build"):
        from bbt import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
