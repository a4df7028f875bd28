"""The ``preview`` and ``serve`` commands (the preview extension adds them to ``bbt``).

Thin wrappers around :mod:`bbt.preview.preview` and :mod:`bbt.preview.serve`, imported inside
the commands so that importing this module costs ``bbt check`` nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from bbt.console import budget_argument, default_budget, output_option, say, templates_option
from bbt.errors import Severity


@click.command()
@budget_argument
@output_option("preview", "Folder for the document, the page images and index.html.")
@click.option(
    "--base",
    default=None,
    metavar="PATH_OR_REV",
    help="Compare with this version: a budget folder or a git revision (origin/main).",
)
@templates_option
@click.option("--dpi", type=click.IntRange(30, 300), default=80, show_default=True)
def preview(
    path: Path | None, out_dir: Path, base: str | None, templates: Path | None, dpi: int
) -> None:
    """Build the document and render every PDF page to PNG, with a contact sheet.

    Writes DIR/index.html (page thumbnails linking to the full pages, the PDF and the HTML).
    With --base, also the `bbt diff` report (diff.md, diff.html) and the pages whose image
    changed, marked on the contact sheet. Pages are rendered with PDFium (the pypdfium2
    package): no system tool is needed. Exit 1 when the data has errors.

    \b
    Examples:
      bbt preview -o preview
      bbt preview my-budget -o preview --base origin/main
      bbt preview -o preview --base ../2024-before   # a folder with the earlier version
    """
    from bbt.console import echo_findings
    from bbt.pipeline import DEFAULT_TEMPLATES
    from bbt.preview.preview import PreviewError, make_preview

    budget = default_budget(path)
    try:
        result = make_preview(
            budget,
            out_dir,
            base=base,
            templates=templates or DEFAULT_TEMPLATES,
            dpi=dpi,
            progress=lambda msg: click.echo(f"{budget.resolve().name}: {msg}", err=True),
        )
    except PreviewError as exc:
        raise click.ClickException(str(exc)) from None
    echo_findings([f for f in result.findings if f.severity > Severity.INFO])
    if result.failed:
        say(f"{budget}: build failed, no preview")
        sys.exit(1)
    for note in result.notes:
        say(f"note: {note}", Severity.WARNING)
    changed = ""
    if result.base_pages is not None:
        changed = f", {len(result.changed)} changed against {base}"
    click.echo(
        f"wrote {out_dir / 'index.html'}: {len(result.pages)} page(s){changed} "
        f"(rendered with {result.renderer})"
    )


@click.command()
@budget_argument
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; keep the loopback default unless you mean to share a draft.",
)
@templates_option
def serve(path: Path | None, port: int, host: str, templates: Path | None) -> None:
    """Serve the document on localhost; rebuild and reload it when a file changes.

    Watches the budget's YAML and Markdown and the templates; on a change it rebuilds the
    HTML and the page in the browser reloads. A build error shows on the page as
    file:line messages. Hover a figure to see where it comes from (file and line, or the
    formula). Stop with Ctrl+C.

    \b
    Examples:
      bbt serve                  # the budget here (or the example) on http://127.0.0.1:8000/
      bbt serve my-budget --port 8001
    """
    from bbt.pipeline import DEFAULT_TEMPLATES
    from bbt.preview.serve import Server

    budget = default_budget(path)
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"warning: serving a draft on {host}, not only this machine", Severity.WARNING)

    def log(message: str) -> None:
        click.echo(f"{time.strftime('%H:%M:%S')} {budget.resolve().name}: {message}", err=True)

    try:
        server = Server(
            budget, host=host, port=port, templates=templates or DEFAULT_TEMPLATES, log=log
        )
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    server.start()
    state = "" if server.document.ok else " (the data has errors: see the page)"
    click.echo(f"serving {budget} on {server.url}{state}; Ctrl+C to stop", err=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.stop()
