"""The sandbox every user-supplied text and template is rendered in, and how its errors read.

Narrative is Markdown with Jinja expressions bound to the data (``{{ vak.bu }} keuro``). It is
rendered with a context of plain data only (dicts, Decimals, :class:`~bbt.money.Percent`): no
object with methods that reach files or Python internals is ever handed to a template, and
the Jinja sandbox refuses ``__class__`` and friends on top.

Texts and templates come from pull requests, so one render is also bounded (:class:`Limits`):
the size of every string, list and integer an operator (``*``, ``**``, ``+``, ``~``, ``%``), a
filter or a method makes, the items of a ``range``, the loop iterations of the whole render,
the depth of nested calls (a macro calling itself), the characters printed, and the wall time.
Past a limit the render stops with :class:`LimitExceeded` (BBT205 for a narrative, BBT306 for
a template) at the line that went too far. ``lipsum`` and the ``random`` filter are gone:
the same input always gives the same output.
"""

from __future__ import annotations

import datetime as dt
import marshal
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, DecimalException
from functools import cache, lru_cache, wraps
from types import CodeType
from typing import Any

import jinja2
import msgspec
from jinja2 import (
    Environment,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
    nodes,
)
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, LoopContext, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bbt.errors import Finding, FindingsError, Location, Severity
from bbt.format import FILTERS, bedrag, datum, procent
from bbt.load.cache import Cache, fingerprint, key
from bbt.model import Narrative
from bbt.money import Percent, Year
from bbt.narrative.explain import unknown_data


class Limits(msgspec.Struct, frozen=True):
    """What one render of a text or template may use (docs/guarantees.md).

    Attributes:
        string: characters (or items) of one value made by an operator, filter or method,
            and of one value printed.
        integer_bits: bits of an integer made by ``*`` or ``**`` (4,096 bits: 1,234 digits).
        range: items of one ``range()``.
        iterations: loop iterations of the whole render, all loops together.
        depth: calls nested in each other (macros, recursive loops).
        output: characters printed by the whole render, nested macro output included.
        seconds: wall time of the whole render (a backstop: the other limits come first).
    """

    string: int
    integer_bits: int
    range: int
    iterations: int
    depth: int
    output: int
    seconds: float  # float-ok: a duration, not an amount


NARRATIVE_LIMITS = Limits(
    string=1_000_000,
    integer_bits=4096,
    range=10_000,
    iterations=100_000,
    depth=40,
    output=10_000_000,
    seconds=10,
)
"""One narrative: a few kilobytes of Dutch prose need none of this."""

TEMPLATE_LIMITS = msgspec.structs.replace(
    NARRATIVE_LIMITS, string=20_000_000, iterations=1_000_000, output=100_000_000, seconds=120
)
"""One document template (numbers and nesting bounded as in a narrative): the 2024 example makes 679 loop iterations and prints 0.64 million
characters (its macros' output counted at every level it is printed), in 0.2 seconds."""


class LimitExceeded(Exception):
    """A render went past one of its :class:`Limits`; the message says which."""


class NarrativeValueError(ValueError):
    """An expression that does not end on a single figure."""


class NarrativeError(FindingsError):
    """A narrative failed to render; ``finding`` says where and why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__([finding])
        self.finding = finding


# -- the budget of one render ----------------------------------------------------------------


class _Budget:
    """What one render has used so far."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.iterations = 0
        self.printed = 0
        self.depth = 0
        self.deadline = time.monotonic() + limits.seconds

    def clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"it took more than {self.limits.seconds:g} seconds")

    def tick(self) -> None:
        self.iterations += 1
        if self.iterations > self.limits.iterations:
            raise LimitExceeded(f"more than {self.limits.iterations:,} loop iterations")
        if not self.iterations % 256:
            self.clock()

    def sized(self, size: int, what: str = "a value") -> None:
        if size > self.limits.string:
            raise LimitExceeded(f"{what} of more than {self.limits.string:,} characters or items")

    def print(self, size: int) -> None:
        self.printed += size
        if self.printed > self.limits.output:
            raise LimitExceeded(f"output of more than {self.limits.output:,} characters")


_ACTIVE: ContextVar[_Budget | None] = ContextVar("bbt_render_budget", default=None)


def size_of(value: object, limit: int) -> int:
    """About how many characters ``str(value)`` has, nested values included; stops past ``limit``.

    Cheap on purpose: a list holding itself a million times is counted, never printed.
    """
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() * 3 // 10 + 2
        elif isinstance(item, Decimal):
            digits = len(item.as_tuple().digits)
            total += digits + abs(item.adjusted()) + 2 if item.is_finite() else 9
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            stack.extend(item)
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            total += 16
    return total


# -- code generation: every loop counts its iterations, every ``~`` checks its size -----------


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every loop's items counted and every ``~`` checked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counted: set[int] = set()

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self.counted.add(id(node.iter))
        super().visit_For(node, frame)

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        if id(node) not in self.counted:
            return super().visit(node, *args, **kwargs)
        # A loop's iterable (also a recursive loop's first call): its items are counted.
        self.write("environment.bbt_iterate(")
        super().visit(node, *args, **kwargs)
        self.write(")")
        return None

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bbt_concat(context, (")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("))")


class _BoundedTemplate(Template):
    """A template whose every render runs on a fresh budget (nested renders share it)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        environment = self.environment
        assert isinstance(environment, BoundedSandbox)
        with environment.budget():
            return super().render(*args, **kwargs)


# -- checks of operators, methods and filters ------------------------------------------------

_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
_STR_METHODS = frozenset(
    [
        "capitalize",
        "casefold",
        "center",
        "count",
        "endswith",
        "find",
        "format",
        "format_map",
        "index",
        "isalnum",
        "isalpha",
        "isdecimal",
        "isdigit",
        "islower",
        "isnumeric",
        "isspace",
        "istitle",
        "isupper",
        "join",
        "ljust",
        "lower",
        "lstrip",
        "partition",
        "removeprefix",
        "removesuffix",
        "replace",
        "rfind",
        "rindex",
        "rjust",
        "rpartition",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "striptags",
        "swapcase",
        "title",
        "unescape",
        "upper",
        "zfill",
    ]
)
"""Methods of a string a text may call; others (``expandtabs`` ...) are refused."""


def _printf_ok(template: str, budget: _Budget) -> None:
    for star_or_width, precision in _PRINTF.findall(template):
        for number in (star_or_width, precision):
            if number == "*":
                raise LimitExceeded("a '*' width in a format string")
            if number and int(number) > budget.limits.string:
                budget.sized(int(number), "a formatted value")


def _braces_ok(template: str, budget: _Budget) -> None:
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return  # str.format raises the same error with a better message
    for _text, _name, spec, _conversion in fields:
        if spec and "{" in spec:
            raise LimitExceeded("a nested field in a format string")
        for number in re.findall(r"\d+", spec or ""):
            budget.sized(int(number), "a formatted value")


def _method_args(method: Any, args: tuple[Any, ...], budget: _Budget) -> tuple[Any, ...]:
    """A string method's arguments, refused when its result would be too large (before it runs)."""
    owner = method.__self__
    name = method.__name__
    if name in ("ljust", "rjust", "center", "zfill") and args and isinstance(args[0], int):
        budget.sized(args[0])
    elif name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        count = owner.count(old) if old else len(owner) + 1
        budget.sized(len(owner) + count * max(0, len(new) - len(old)))
    elif name == "join" and args and isinstance(args[0], Iterable):
        items = list(args[0])  # a generator is read once, here
        budget.sized(size_of(items, budget.limits.string) + len(owner) * len(items))
        return (items, *args[1:])
    return args


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable Jinja sandbox, with every way to do unbounded work bounded (:class:`Limits`)."""

    code_generator_class = _BoundedCodeGenerator
    template_class = _BoundedTemplate
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, limits: Limits, **options: Any) -> None:
        super().__init__(**options)
        self.limits = limits
        self.concat = self._concat  # type: ignore[method-assign]
        del self.globals["lipsum"]
        self.globals["range"] = self._range

    @contextmanager
    def budget(self) -> Iterator[_Budget]:
        """The budget of the current render: a new one unless a render is under way."""
        current = _ACTIVE.get()
        if current is not None:
            yield current
            return
        budget = _Budget(self.limits)
        token = _ACTIVE.set(budget)
        try:
            yield budget
        finally:
            _ACTIVE.reset(token)

    def _active(self) -> _Budget:
        # Outside a render (constant folding at compile time) each check stands alone.
        return _ACTIVE.get() or _Budget(self.limits)

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > self.limits.range:
            raise LimitExceeded(f"a range of more than {self.limits.range:,} items")
        return numbers

    def _concat(self, parts: Iterable[str]) -> str:
        """Join rendered pieces, stopping as soon as they pass the output limit."""
        limit = self.limits.output
        joined: list[str] = []
        total = 0
        for part in parts:
            total += len(part)
            if total > limit:
                raise LimitExceeded(f"output of more than {limit:,} characters")
            joined.append(part)
        return "".join(joined)

    def bbt_iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """A loop's items, each one counted (see :class:`_BoundedCodeGenerator`)."""
        budget = self._active()
        for item in iterable:
            budget.tick()
            yield item

    def bbt_concat(self, context: Context, parts: tuple[Any, ...]) -> str:
        """``a ~ b``, refused before joining when the result would be too large."""
        budget = self._active()
        budget.sized(size_of(parts, budget.limits.string), "a joined text")
        return markup_join(parts) if context.eval_ctx.autoescape else str_join(parts)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = self._active()
        budget.clock()
        limit = budget.limits.string
        ints = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and ints and right > 0 and abs(left) > 1:
            self._bits(right * abs(left).bit_length())
        elif operator == "*" and ints:
            self._bits(abs(left).bit_length() + abs(right).bit_length())
        elif operator == "*":
            for many, times in ((left, right), (right, left)):
                if isinstance(many, str | list | tuple) and isinstance(times, int):
                    budget.sized(size_of(many, limit) * max(times, 0))
        elif operator == "+" and isinstance(left, str | list | tuple):
            budget.sized(size_of(left, limit) + size_of(right, limit))
        elif operator == "%" and isinstance(left, str):
            _printf_ok(left, budget)
            budget.sized(len(left) + size_of(right, limit), "a formatted value")
        return super().call_binop(context, operator, left, right)

    def _bits(self, bits: int) -> None:
        if bits > self.limits.integer_bits:
            raise LimitExceeded(f"an integer of more than {self.limits.integer_bits:,} bits")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and callable(value) and attr not in _STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        formatter = super().wrap_str_format(value)
        if formatter is None:
            return None
        template = str(value.__self__)

        @wraps(formatter)
        def bounded(*args: Any, **kwargs: Any) -> str:
            budget = self._active()
            _braces_ok(template, budget)
            budget.sized(len(template) + size_of((args, kwargs), budget.limits.string))
            return formatter(*args, **kwargs)

        return bounded

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = __self._active()
        budget.clock()
        if isinstance(__obj, LoopContext) and args:  # a recursive loop: count its items too
            args = (__self.bbt_iterate(args[0]), *args[1:])
        elif isinstance(getattr(__obj, "__self__", None), str):
            args = _method_args(__obj, args, budget)
        budget.depth += 1
        try:
            if budget.depth > budget.limits.depth:
                raise LimitExceeded(
                    f"calls nested more than {budget.limits.depth} deep (a macro calling itself?)"
                )
            return super().call(__context, __obj, *args, **kwargs)
        finally:
            budget.depth -= 1


# -- filters ----------------------------------------------------------------------------------


def _bounded_filters(environment: BoundedSandbox) -> dict[str, Callable[..., Any]]:
    """The filters, each refusing an input or a result past the limits; ``random`` is gone."""
    filters = dict(environment.filters)
    filters.pop("random", None)
    flattening = [
        "capitalize",
        "center",
        "e",
        "escape",
        "filesizeformat",
        "forceescape",
        "format",
        "indent",
        "join",
        "lower",
        "pprint",
        "replace",
        "safe",
        "string",
        "striptags",
        "title",
        "tojson",
        "trim",
        "truncate",
        "upper",
        "urlencode",
        "urlize",
        "wordcount",
        "wordwrap",
        "xmlattr",
    ]
    for name in (*flattening, *FILTERS):
        filters[name] = _flattening(filters[name], name, environment)
    for name in ("batch", "slice"):
        filters[name] = _counting(filters[name], environment)
    filters["sum"] = _summing(filters["sum"], environment)
    return filters


def _split(args: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """A filter's arguments without the environment or evaluation context Jinja passes first."""
    if args and isinstance(args[0], Environment | EvalContext):
        return args[:1], args[1:]
    return (), args


def _flattening(function: Callable[..., Any], name: str, env: BoundedSandbox) -> Callable[..., Any]:
    """A filter that turns its input into text: input, arguments and widths bounded first."""

    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        budget = env._active()
        limit = budget.limits.string
        passed, given = _split(args)
        if name == "join" and given and isinstance(given[0], Iterable):
            given = (list(given[0]), *given[1:])  # a generator is read once, here
        budget.sized(size_of((given, kwargs), limit))
        value = given[0] if given else ""
        if name in ("center", "indent", "wordwrap"):
            widths = [a for a in (*given[1:], *kwargs.values()) if isinstance(a, int | str)]
            width = widths[0] if widths else 0
            width = len(width) if isinstance(width, str) else max(width, 0)
            pieces = size_of(value, limit) if name == "wordwrap" else str(value).count("\n") + 1
            budget.sized(size_of(value, limit) + (width + 1) * pieces)
        elif name == "format" and isinstance(value, str):
            _printf_ok(value, budget)
        elif name == "replace" and len(given) >= 3:
            text, old, new = str(given[0]), str(given[1]), str(given[2])
            count = text.count(old) if old else len(text) + 1
            budget.sized(len(text) + count * max(0, len(new) - len(old)))
        elif name == "join" and isinstance(value, list):
            separator = given[1] if len(given) > 1 else kwargs.get("d", "")
            budget.sized(size_of(value, limit) + len(str(separator)) * len(value))
        result = function(*passed, *given, **kwargs)
        if isinstance(result, str):
            budget.sized(len(result))
        return result

    return bounded


def _counting(function: Callable[..., Any], env: BoundedSandbox) -> Callable[..., Any]:
    """``batch`` and ``slice``: the number of groups (and their padding) bounded."""

    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _passed, given = _split(args)
        count = given[1] if len(given) > 1 else next(iter(kwargs.values()), 0)
        if isinstance(count, int):
            env._active().sized(count, "a list")
        return function(*args, **kwargs)

    return bounded


def _summing(function: Callable[..., Any], env: BoundedSandbox) -> Callable[..., Any]:
    """``sum`` of lists or texts (``start=[]``) bounded like ``+``."""

    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        passed, given = _split(args)
        start = kwargs.get("start", given[2] if len(given) > 2 else 0)
        if isinstance(start, list | tuple | str) and given:
            items = list(given[0])  # a generator is read once, here
            budget = env._active()
            budget.sized(size_of((items, start), budget.limits.string), "a sum")
            given = (items, *given[1:])
        return function(*passed, *given, **kwargs)

    return bounded


# -- printing ---------------------------------------------------------------------------------


def finalize(value: object) -> object:
    """How a bare ``{{ expression }}`` prints: by the kind of number (bbt.money), in Dutch."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Year):
        return str(int(value))
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


def _printing(environment: BoundedSandbox) -> Callable[[object], object]:
    """:func:`finalize`, with the size of what is printed checked first and counted."""

    def bounded(value: object) -> object:
        budget = environment._active()
        if isinstance(value, str):  # most of what a template prints: shown as it is
            budget.sized(len(value), "a printed value")
            budget.print(len(value))
            return value
        budget.sized(size_of(value, budget.limits.string), "a printed value")
        shown = finalize(value)
        size = len(shown) if isinstance(shown, str) else size_of(shown, budget.limits.string)
        budget.print(size)
        return shown

    return bounded


def make_environment(limits: Limits = NARRATIVE_LIMITS, **options: Any) -> BoundedSandbox:
    """The sandbox every user-supplied text and template is rendered in."""
    env = BoundedSandbox(
        limits,
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        **options,
    )
    env.finalize = _printing(env)
    env.filters.update(FILTERS)
    env.filters = _bounded_filters(env)
    return env


# -- compiled code, kept between runs ---------------------------------------------------------

_CODE = Cache("jinja")
"""Compiled templates and narratives, by their source (bbt.load.cache)."""


@cache
def _code_fingerprint() -> str:
    # The code generator above and Jinja's own decide what a source compiles to.
    return fingerprint(__file__, versions=f"jinja2 {jinja2.__version__}")


def _options(env: Environment) -> str:
    """The environment settings that change what a source compiles to."""
    return repr(
        (
            env.block_start_string,
            env.block_end_string,
            env.variable_start_string,
            env.variable_end_string,
            env.comment_start_string,
            env.comment_end_string,
            env.line_statement_prefix,
            env.line_comment_prefix,
            env.trim_blocks,
            env.lstrip_blocks,
            env.newline_sequence,
            env.keep_trailing_newline,
            env.autoescape if isinstance(env.autoescape, bool) else "function",
            env.optimized,
            sorted(env.extensions),
            # finalize runs at compile time too, on constant expressions
            getattr(env.finalize, "__qualname__", None),
            type(env).__qualname__,
        )
    )


def _code(data: bytes) -> CodeType:
    """Compiled code from an entry; raises when the entry holds anything else."""
    code = marshal.loads(data)
    if not isinstance(code, CodeType):
        raise TypeError("not compiled code")
    return code


def compiled_code(env: Environment, source: str) -> CodeType:
    """The code of ``source`` compiled in ``env`` (as ``from_string``), from the cache when
    the same source was compiled before, by any run."""
    name = key(_code_fingerprint(), _options(env), "<string>", source)
    return _CODE.remember(name, lambda: env.compile(source), marshal.dumps, _code)


class CodeCache(BytecodeCache):
    """Jinja's bytecode cache for templates of a folder, kept in bbt's cache (bbt.load.cache).

    Jinja names a bucket by the template's name and file and checks it against a digest of
    the source; an edited template misses and compiles again.
    """

    def _name(self, bucket: Bucket) -> str:
        options = _options(bucket.environment)
        return key(_code_fingerprint(), options, bucket.key, bucket.checksum)

    def load_bytecode(self, bucket: Bucket) -> None:
        bucket.code = _CODE.recall(self._name(bucket), _code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            _CODE.put(self._name(bucket), marshal.dumps(bucket.code))


_ENV = make_environment()
_NAME = "<narrative>"
_JINJA = ("{{", "{%", "{#")
_NEWLINES = re.compile(r"\r\n?")


def has_expressions(source: str) -> bool:
    """Whether a text has any Jinja syntax; a text without is its own expansion."""
    return any(mark in source for mark in _JINJA)


def compiled_template(env: Environment, source: str) -> Template:
    """``env.from_string(source)``, its code from the cache when any run compiled it before."""
    return env.template_class.from_code(
        env, compiled_code(env, source), env.make_globals(None), None
    )


@lru_cache(maxsize=1024)
def _compiled(source: str) -> Template:
    """A narrative's compiled template, by its source: the checks and the renderer both expand
    every text, and compiling is most of the cost."""
    template = compiled_template(_ENV, source)
    template.name = template.filename = _NAME
    return template


def _template_line(exc: BaseException, name: str) -> int:
    line = getattr(exc, "lineno", None)
    if isinstance(line, int) and line:
        return line
    import traceback  # only for a text that failed

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == name and frame.lineno:
            return frame.lineno
    return 1


def expand(narrative: Narrative, context: dict[str, object]) -> str:
    """Evaluate the Jinja expressions of a narrative; the result is Markdown source."""
    loc = narrative.loc
    source = narrative.source
    if not has_expressions(source) and len(source) <= NARRATIVE_LIMITS.output:
        # What Jinja would print: the text itself, line ends made "\n".
        return _NEWLINES.sub("\n", source)
    try:
        return _compiled(source).render(context)
    except TemplateSyntaxError as exc:
        raise _error(
            loc, exc.lineno or 1, "BBT201", f"template syntax error: {exc.message}"
        ) from None
    except (LimitExceeded, RecursionError, MemoryError) as exc:
        raise _error(
            loc, _template_line(exc, _NAME), "BBT205", stopped(exc, "a narrative")
        ) from None
    except SecurityError as exc:
        raise _error(
            loc,
            _template_line(exc, _NAME),
            "BBT203",
            f"refused: {exc} (narrative may only use the budget's figures)",
        ) from None
    except UndefinedError as exc:
        message = str(exc.message or exc)
        if "unsafe" in message:
            raise _error(
                loc,
                _template_line(exc, _NAME),
                "BBT203",
                f"refused: {message} (narrative may only use the budget's figures)",
            ) from None
        line = _template_line(exc, _NAME)
        said = unknown_data(narrative.source, line, context)
        message = said or f"expression refers to unknown data: {message}"
        raise _error(loc, line, "BBT202", message) from None
    except NarrativeValueError as exc:
        raise _error(loc, _template_line(exc, _NAME), "BBT202", str(exc)) from None
    except (TemplateError, TypeError, ArithmeticError, ValueError) as exc:
        raise _error(
            loc, _template_line(exc, _NAME), "BBT202", f"expression failed: {_failure(exc)}"
        ) from None


def _failure(exc: BaseException) -> str:
    """What went wrong in an expression, in words (decimal's own messages are class names)."""
    if isinstance(exc, DecimalException):
        return "a number too large to compute or print exactly"
    return str(exc)


def stopped(exc: BaseException, what: str) -> str:
    """The message of a render stopped by a limit (LimitExceeded, recursion, memory)."""
    if isinstance(exc, RecursionError):
        reason = "it nests too deep (a macro, include or loop calling itself?)"
    elif isinstance(exc, MemoryError):
        reason = "it ran out of memory"
    else:
        reason = str(exc)
    return f"stopped: {reason}; {what} may not do that much work (limits: docs/guarantees.md)"


def _error(loc: Location, line: int, code: str, message: str) -> NarrativeError:
    return NarrativeError(Finding(code, Severity.ERROR, loc.at_line(line - 1), message))
