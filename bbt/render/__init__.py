"""Rendering: the outline to one HTML file (html.py, templates.py, kept_charts.py and charts.py), the PDF.

``bbt.render.pdf`` imports WeasyPrint and is only loaded to build PDFs; nothing here is on the
path of ``bbt check``.
"""
