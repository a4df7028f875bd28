"""Templates of the document, rendered in the sandbox from a template folder.

A template folder may come from a pull request: templates are rendered in the same Jinja
sandbox as the narrative (autoescape, ``StrictUndefined``, plain data only), and every error
is a ``BBT301`` finding at the template's file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, TemplateError, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError

from bbt.errors import Finding, Location, RenderError, Severity, relpath
from bbt.narrative import make_environment


def _template_finding(
    exc: BaseException, template_dir: Path, message: str, code: str = "BBT301"
) -> Finding:
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if not (name and line):
        import traceback

        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith((".j2", ".html", ".css")):
                name, line = frame.filename, frame.lineno
                break
    file = relpath(Path(name)) if name else relpath(template_dir)
    return Finding(code, Severity.ERROR, Location(file, line or 0), message)


def render_template(
    name: str, ctx: dict[str, Any], template_dir: Path, code: str = "BBT301"
) -> str:
    """Render template ``name`` of ``template_dir`` with plain data.

    Every error is a finding with ``code`` (an extension passes its own, e.g. BBT450).
    """
    env = make_environment(loader=FileSystemLoader(str(template_dir)), auto_reload=False)
    try:
        return env.get_template(name).render(ctx)
    except TemplateNotFound as exc:
        where = Location(relpath(template_dir))
        message = f"template not found: {exc.name} (looked in {relpath(template_dir)})"
        raise RenderError([Finding(code, Severity.ERROR, where, message)]) from None
    except TemplateSyntaxError as exc:
        raise RenderError(
            [_template_finding(exc, template_dir, f"template syntax error: {exc.message}", code)]
        ) from None
    except SecurityError as exc:
        message = f"refused: {exc} (templates may only use the document's data)"
        raise RenderError([_template_finding(exc, template_dir, message, code)]) from None
    except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        message = str(getattr(exc, "message", None) or exc)
        if "unsafe" in message:
            message = f"refused: {message} (templates may only use the document's data)"
        else:
            message = f"template error: {message}"
        raise RenderError([_template_finding(exc, template_dir, message, code)]) from None


__all__ = ["render_template"]
