"""Finding codes and how findings are written out: the one registry, the one printer.

Every code bbt reports is registered here (extensions add theirs through their
``finding_codes`` hook) with its default severity and a one-line meaning; docs/findings.md
and the extensions' docs are tested against this registry, so a code is never undocumented.
``python -m bbt.findings`` prints the registry as the Markdown table the docs hold.

:func:`format_findings` writes findings for people (``file:line:column: severity: message
[code]``, the column where it is known, grouped by file), for tools (versioned JSON) or as
GitHub workflow annotations.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from bbt.errors import Finding, Severity

JSON_VERSION = 1
"""Version of the ``--format json`` document (docs/findings.md, "Machine-readable output")."""


@dataclass(frozen=True)
class Code:
    """A finding code: ``BBT101``, its severity (or severities) and what it means."""

    code: str
    severity: str
    meaning: str


def table(rows: str) -> tuple[Code, ...]:
    """Codes from Markdown table rows, ``| BBT101 | error | meaning |``: the docs' own form."""
    codes = []
    for line in rows.strip().splitlines():
        code, severity, meaning = (cell.strip() for cell in line.strip().strip("|").split(" | ", 2))
        codes.append(Code(code, severity, meaning))
    return tuple(codes)


CORE_CODES = table(
    """
| BBT001 | error | YAML syntax error, or a tab used for indentation |
| BBT002 | error | unknown key (with "did you mean" when a known key is close) |
| BBT003 | error | wrong type (a list where text is expected, a word where a number is) |
| BBT004 | error | a required field is missing or empty |
| BBT005 | error | malformed article code (shape, side digit, credit kind, ESR aggregate) |
| BBT006 | error | an article code is defined twice |
| BBT007 | error | a reference to an ISE, OD, SD, article or text file that does not exist |
| BBT008 | error | a movement with neither `from` nor `to`, with both, or with the article itself |
| BBT009 | error | not an exact amount (Dutch formatted string, more than 3 decimals, a word) |
| BBT010 | error | a file that cannot be read or is larger than 5 MB |
| BBT011 | error | refused YAML: object tags (`!!python/...`), merge keys, more than 100 aliases |
| BBT012 | error / warning | not UTF-8 (error); a byte-order mark (warning) |
| BBT013 | error | the same key twice in one mapping |
| BBT014 | error | the path is not a budget folder (no `bbt.yaml`) |
| BBT015 | warning | an article file not named after its code |
| BBT016 | warning | an article of another programme |
| BBT017 | warning | an unquoted amount like `552.157`: YAML reads 552,157 keuro, but it may be a Dutch 552.157 (remove the dot) |
| BBT101 | error | BA + Σ movements ≠ BA-JR for an article and credit type |
| BBT102 | error | a reallocation between two articles of the document booked on one side only, or unequally |
| BBT103 | error | a published total differs from the sum of its lines by more than rounding explains |
| BBT104 | info | a published total differs from the sum of its lines within the rounding tolerance |
| BBT105 | error | a movement's sign contradicts its direction (`from` must be positive, `to` negative) |
| BBT106 | warning | an index movement that does not come from the document's index provision |
| BBT107 | error | an article lacks BA, BA-JR or BU |
| BBT108 | error | BA or BA-JR is negative (only BU may be) |
| BBT109 | error | the movements from a provision (e.g. the index tranches) do not add up to the total declared under `provisions:` |
| BBT110 | warning | over-execution of a credit: BU above BA-JR for VAK or VEK (with the amount); never for receipts |
| BBT111 | warning | an explanation is owed (utilisation below `explain_below` or above 100%, or reallocations) and missing |
| BBT112 | error | a movement id used twice in one article |
| BBT113 | info | receipts (AO, TO, LO) above their estimate: BU above BA-JR, with the amount, for the explanation |
| BBT120 | warning | an abbreviation used in the text is missing from `glossary.yaml` |
| BBT130 | warning | a narrative still carries last year's `{# draft #}` marker (from `bbt new`); in such a draft an expression to data that does not exist yet is a warning, not an error |
| BBT131 | error | `bbt build` of a document whose texts are still drafts (BBT130), without `--draft` |
| BBT201 | error | Jinja syntax error in a narrative |
| BBT202 | error | an expression refers to unknown data, or names a group instead of one figure |
| BBT203 | error | an expression tries to reach Python internals (refused by the sandbox) |
| BBT204 | error | an image in the narrative is a URL (`file://`, `https://`) or a path outside the budget folder, or does not exist |
| BBT210 | error | a stated amount matches no figure of its section that its sentence allows (credit type, phase); the message names the figure meant |
| BBT211 | error | a stated utilisation, or share of the available credit, disagrees with the data; the message gives the right one with its numerator and denominator |
| BBT301 | error | a template error |
| BBT302 | error | a refused resource: network address or a file outside the budget and template folders |
| BBT303 | error | a missing resource |
| BBT304 | warning | PDF/UA-1 not claimed: the PDF structure audit found a problem (first instance and page; one finding per failed check) |
| BBT305 | error | `SOURCE_DATE_EPOCH` is set but is not a Unix time (whole seconds since 1970) |
| BBT018 | error | a file refused unread: a symbolic link out of the budget (or template) folder, not a regular file (a named pipe, a device, a folder), a link loop or an over-long name |
| BBT019 | error | YAML nested more than 50 levels deep |
| BBT025 | error | an invisible (zero-width, bidirectional control), control or private-use character, or a digit other than 0-9; in a code, key or reference also a soft hyphen or a non-ASCII character in a code-shaped text |
| BBT026 | error | an amount of 10^18 keuro or more (the bound that keeps every calculation exact) |
| BBT205 | error | a narrative went past a limit of the sandbox: size of a string, list or number it makes, loop iterations, nested calls, output or time (docs/guarantees.md) |
| BBT306 | error | a template went past a limit of the sandbox: size of a string, list or number it makes, loop iterations, nested calls, output or time (docs/guarantees.md) |
| BBT307 | error | the output could not be written (a folder where a file should be, no permission, a full disk); nothing was changed |
| BBT308 | error | two documents of one build would write the same output file (folders with the same name); none of them was built |
| BBT309 | error | an internal error while building one document of several; the others were built (please report it) |
"""
)


def registry() -> dict[str, Code]:
    """Every known code: the core's and those of the installed extensions."""
    from bbt.extension import hooks

    codes = {c.code: c for c in CORE_CODES}
    for _extension, extra in hooks("finding_codes"):
        codes.update({c.code: c for c in cast("Iterable[Code]", extra)})
    return codes


def markdown_table(codes: Iterable[Code]) -> str:
    """The codes as the Markdown table the docs hold."""
    lines = ["| code | severity | meaning |", "|---|---|---|"]
    lines += [f"| {c.code} | {c.severity} | {c.meaning} |" for c in codes]
    return "\n".join(lines)


# -- writing findings out ------------------------------------------------------------------

Style = Callable[[str, Severity | None], str]
"""Colours a piece of text by severity (None: a file name); the identity without colour."""


def _plain(text: str, _severity: Severity | None) -> str:
    return text


def format_findings(findings: Sequence[Finding], fmt: str = "text", style: Style = _plain) -> str:
    """Findings for people (``text``), tools (``json``) or GitHub workflow annotations."""
    if fmt == "json":
        return as_json(findings)
    if fmt == "github":
        return "\n".join(as_github(f) for f in findings)
    lines: list[str] = []
    current = None
    for f in findings:
        if f.location.file != current:
            current = f.location.file
            lines.append(style(current, None))
        lines.append(
            f"  {f.location.precise}: {style(str(f.severity), f.severity)}: {f.message} [{f.code}]"
        )
    return "\n".join(lines)


def as_json(findings: Sequence[Finding]) -> str:
    """The versioned JSON document of ``--format json`` (docs/findings.md)."""
    document = {
        "version": JSON_VERSION,
        "findings": [
            {
                "code": f.code,
                "severity": str(f.severity),
                "file": f.location.file,
                "line": f.location.line,
                "column": f.location.column,
                "message": f.message,
            }
            for f in findings
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # A property value ends at ',' and '::' begins the message: escape both, and line breaks,
    # so a file name cannot forge or break an annotation.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(f: Finding) -> str:
    """One GitHub workflow command (``::error file=…,line=…,title=…::message``)."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    props = [f"file={_escape_property(f.location.file)}"]
    if f.location.line:
        props.append(f"line={f.location.line}")
        if f.location.column:  # as the text output prints it (file:line:column)
            props.append(f"col={f.location.column}")
    props.append(f"title={_escape_property(f.code)}")
    return f"::{level[f.severity]} {','.join(props)}::{_escape_data(f.message)}"


def summary(findings: Sequence[Finding]) -> str:
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    return (
        f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
        f"{counts[Severity.INFO]} note(s)"
    )


if __name__ == "__main__":  # pragma: no cover - prints the docs' table
    print(markdown_table(sorted(registry().values(), key=lambda c: c.code)))
