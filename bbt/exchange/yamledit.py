"""Round-trip YAML editing: change values, keep comments, key order, quoting and flow style.

ruamel.yaml's round-trip mode keeps comments and the style of every mapping
(``vak: {ba: 580966, ba_jr: 588293, bu: 552289}`` stays on one line). It has one global
indentation setting, so :func:`yaml_for` picks the setting under which a file dumps back to
exactly its own text: an edit then changes only the lines that hold edited values.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.representer import RoundTripRepresenter

_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 2))


def _represent_decimal(representer: RoundTripRepresenter, value: Decimal) -> Any:
    if value == value.to_integral_value():
        return representer.represent_int(int(value))
    return representer.represent_scalar("tag:yaml.org,2002:float", plain_amount(value))


def plain_amount(value: Decimal) -> str:
    """An exact amount as YAML and CSV want it: ``580966``, ``-2188``, ``12.5`` (never ``1E+3``)."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def make_yaml(indent: tuple[int, int, int] = _INDENTS[0]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines (flow mappings, titles)
    mapping, sequence, offset = indent
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.representer.add_representer(Decimal, _represent_decimal)
    return yaml


def dump(yaml: YAML, data: Any) -> str:
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def yaml_for(text: str) -> tuple[YAML, Any]:
    """Load ``text`` for editing with the indentation setting that reproduces it exactly.

    Raises ruamel's ``YAMLError`` for text that is not YAML.
    """
    best: tuple[YAML, Any] | None = None
    for indent in _INDENTS:
        yaml = make_yaml(indent)
        data = yaml.load(text)
        if best is None:
            best = (yaml, data)
        if dump(yaml, data) == text:
            return yaml, data
    assert best is not None
    return best
