"""Rendering: the outline to one HTML file (html.py, templates.py, charts.py), the PDF from it.

``bbt.render.pdf`` imports WeasyPrint and is only loaded to build PDFs; nothing here is on the
path of ``bbt check``.
"""
