"""Templates of the document, rendered in the sandbox from a template folder.

A template folder may come from a pull request: templates are read only from inside their
folder (:class:`ConfinedLoader`: a link pointing out, a named pipe or a device is refused, as
for budget files), rendered in the same Jinja sandbox as the narrative (autoescape,
``StrictUndefined``, plain data only) with the template limits
(:data:`bbt.narrative.sandbox.TEMPLATE_LIMITS`), and every error is a finding at the
template's file and line: ``BBT301`` (or the caller's code) for a mistake, ``BBT306`` for a
limit, ``BBT018``/``BBT010`` for a refused file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    Environment,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path

from bbt.errors import Finding, Location, RenderError, Severity
from bbt.files import InputRefused, exists, read_input, shown
from bbt.narrative.sandbox import (
    TEMPLATE_LIMITS,
    CodeCache,
    LimitExceeded,
    make_environment,
    stopped,
)


class ConfinedLoader(BaseLoader):
    """Loads templates from one folder, through the confined reader (bbt.files)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*split_template_path(template))  # refuses '..'
        if not exists(path):
            raise TemplateNotFound(template)
        data = read_input(path, (self.folder,), within="the template folder")
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise TemplateSyntaxError(
                "template is not UTF-8; save it as UTF-8", line, template, str(path)
            ) from None
        return source, str(path), lambda: True


def _template_finding(
    exc: BaseException, template_dir: Path, message: str, code: str = "BBT301"
) -> Finding:
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if not (name and line):
        import traceback  # only for a template that failed

        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith((".j2", ".html", ".css")):
                name, line = frame.filename, frame.lineno
                break
    file = shown(Path(name)) if name else shown(template_dir)
    return Finding(code, Severity.ERROR, Location(file, line or 0), message)


def render_template(
    name: str, ctx: dict[str, Any], template_dir: Path, code: str = "BBT301"
) -> str:
    """Render template ``name`` of ``template_dir`` with plain data.

    Every error is a finding with ``code`` (an extension passes its own, e.g. BBT450); a limit
    of the sandbox is ``BBT306``, a refused template file ``BBT018`` or ``BBT010``.
    """
    env = make_environment(
        TEMPLATE_LIMITS,
        loader=ConfinedLoader(template_dir),
        auto_reload=False,
        bytecode_cache=CodeCache(),  # a template is compiled once per change, not per run
    )
    try:
        return env.get_template(name).render(ctx)
    except TemplateNotFound as exc:
        where = Location(shown(template_dir))
        message = f"template not found: {exc.name} (looked in {shown(template_dir)})"
        raise RenderError([Finding(code, Severity.ERROR, where, message)]) from None
    except InputRefused as exc:
        finding = Finding(exc.code, Severity.ERROR, Location(shown(exc.path)), exc.reason)
        raise RenderError([finding]) from None
    except TemplateSyntaxError as exc:
        raise RenderError(
            [_template_finding(exc, template_dir, f"template syntax error: {exc.message}", code)]
        ) from None
    except (LimitExceeded, RecursionError, MemoryError) as exc:
        message = stopped(exc, "a template")
        raise RenderError([_template_finding(exc, template_dir, message, "BBT306")]) from None
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


__all__ = ["ConfinedLoader", "render_template"]
