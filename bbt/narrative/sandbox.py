"""The sandbox every user-supplied text and template is rendered in, and how its errors read.

Narrative is Markdown with Jinja expressions bound to the data (``{{ vak.bu }} keuro``). It is
rendered with a context of plain data only (dicts, Decimals, :class:`~bbt.money.Percent`): no
object with methods that reach files or Python internals is ever handed to a template, and
the Jinja sandbox refuses ``__class__`` and friends on top.
"""

from __future__ import annotations

import datetime as dt
import traceback
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bbt.errors import Finding, FindingsError, Location, Severity
from bbt.format import FILTERS, bedrag, datum, getal, procent
from bbt.model import Narrative
from bbt.money import Count, Percent, Year


class NarrativeValueError(ValueError):
    """An expression that does not end on a single figure."""


class NarrativeError(FindingsError):
    """A narrative failed to render; ``finding`` says where and why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__([finding])
        self.finding = finding


def finalize(value: object) -> object:
    """How a bare ``{{ expression }}`` prints: by the kind of number (bbt.money), in Dutch."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Year):
        return str(int(value))
    if isinstance(value, Count):
        return getal(value)
    if isinstance(value, Decimal | int):
        return bedrag(value)
    if isinstance(value, Percent):
        return procent(value)
    if isinstance(value, dt.date):
        return datum(value)
    if isinstance(value, dict):
        raise NarrativeValueError(
            "an expression names a group of figures, not one figure "
            f"(it has {', '.join(map(str, value))}); add one of them, e.g. .{next(iter(value), 'vak')}"
        )
    return value


def make_environment(**options: Any) -> ImmutableSandboxedEnvironment:
    """The sandbox every user-supplied text and template is rendered in."""
    env = ImmutableSandboxedEnvironment(
        autoescape=True,
        undefined=StrictUndefined,
        finalize=finalize,
        keep_trailing_newline=True,
        **options,
    )
    env.filters.update(FILTERS)
    return env


_ENV = make_environment()


def _template_line(exc: BaseException, name: str) -> int:
    line = getattr(exc, "lineno", None)
    if isinstance(line, int) and line:
        return line
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == name and frame.lineno:
            return frame.lineno
    return 1


def expand(narrative: Narrative, context: dict[str, object]) -> str:
    """Evaluate the Jinja expressions of a narrative; the result is Markdown source."""
    loc = narrative.loc
    name = f"{loc.file}@{loc.line}"
    try:
        template = _ENV.from_string(narrative.source)
        template.name = template.filename = name  # so tracebacks point into this text
        return template.render(context)
    except TemplateSyntaxError as exc:
        raise _error(
            loc, exc.lineno or 1, "BBT201", f"template syntax error: {exc.message}"
        ) from None
    except SecurityError as exc:
        raise _error(
            loc,
            _template_line(exc, name),
            "BBT203",
            f"refused: {exc} (narrative may only use the budget's figures)",
        ) from None
    except UndefinedError as exc:
        message = str(exc.message or exc)
        if "unsafe" in message:
            raise _error(
                loc,
                _template_line(exc, name),
                "BBT203",
                f"refused: {message} (narrative may only use the budget's figures)",
            ) from None
        raise _error(
            loc,
            _template_line(exc, name),
            "BBT202",
            f"expression refers to unknown data: {message}",
        ) from None
    except NarrativeValueError as exc:
        raise _error(loc, _template_line(exc, name), "BBT202", str(exc)) from None
    except (TemplateError, TypeError, ArithmeticError, ValueError) as exc:
        raise _error(
            loc, _template_line(exc, name), "BBT202", f"expression failed: {exc}"
        ) from None


def _error(loc: Location, line: int, code: str, message: str) -> NarrativeError:
    return NarrativeError(Finding(code, Severity.ERROR, loc.at_line(line - 1), message))
