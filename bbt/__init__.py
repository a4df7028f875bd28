"""bbt: the Flemish Beleids- en begrotingstoelichting, from budget data to document.

The public API is small, and each step can be used on its own::

    from bbt import load, calculate, outline_of, check, render_html, render_pdf, build

    document = load("my-budget")                  # the model (raises LoadError with findings)
    calculation = calculate(document)             # every figure, exact
    outline = outline_of(calculation)             # the document as a tree of parts
    result = check("my-budget")                   # findings (and the outline) of the whole flow
    html = render_html(result.outline, template_dir=TEMPLATES)
    pdf = render_pdf(html, allowed_dirs=[...])    # the PDF from that HTML
    build("my-budget", "output")                  # check, render and write, as one step
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "build",
    "calculate",
    "check",
    "load",
    "outline_of",
    "render_html",
    "render_pdf",
]


def __getattr__(name: str) -> object:
    # Lazy, so that `bbt --version` and `bbt check` import only what they use.
    if name == "load":
        from bbt.load.budget import load

        return load
    if name == "calculate":
        from bbt.calculation import calculate

        return calculate
    if name == "outline_of":
        from bbt.outline import outline_of

        return outline_of
    if name in ("check", "build"):
        from bbt import pipeline

        return getattr(pipeline, name)
    if name == "render_html":
        from bbt.render.html import render_html

        return render_html
    if name == "render_pdf":
        from bbt.render.pdf import render_pdf

        return render_pdf
    raise AttributeError(name)
