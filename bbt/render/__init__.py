"""Rendering: narrative (Jinja sandbox + Markdown), HTML document, PDF.

``bbt.render.filters`` and ``bbt.render.narrative`` are light (Jinja, markdown-it, Babel) and are
used by ``bbt check``; ``bbt.render.pdf`` imports WeasyPrint and is only loaded to build PDFs.
"""
