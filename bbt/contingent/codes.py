"""The contingent extension's finding codes (BBT4xx), as docs/contingent.md lists them."""

from __future__ import annotations

from bbt.findings import Code

CODES: tuple[Code, ...] = (
    Code("BBT401", "error", "YAML syntax error (or tab indentation)"),
    Code("BBT402", "error", 'unknown key (with a "did you mean")'),
    Code(
        "BBT403",
        "error",
        "wrong type (a list where a value belongs, text where a number belongs, ...)",
    ),
    Code(
        "BBT404",
        "error",
        "missing or empty required field (period, title, unit, neither allocated nor filled)",
    ),
    Code(
        "BBT409",
        "error",
        "not an exact number (Dutch format `1.234,5`, exponent, more than 3 decimals)",
    ),
    Code("BBT410", "error", "file cannot be read or is too large"),
    Code("BBT411", "error", "YAML tags, merge keys or alias bombs"),
    Code("BBT412", "error/warning", "not UTF-8, or a byte-order mark"),
    Code("BBT413", "error", "the same key twice in a mapping"),
    Code(
        "BBT420", "error", "a contingent figure with more than 2 decimals (usually a pasted float)"
    ),
    Code("BBT421", "error", "a negative figure or count"),
    Code(
        "BBT422",
        "error",
        "unknown unit, basis or province, or a period that is none of the four forms",
    ),
    Code("BBT423", "error", "a second entry for the same measure, period and scope"),
    Code("BBT424", "warning", "an entry or reduction without source"),
    Code(
        "BBT430", "warning", "filled above allocated (a fill within contingent cannot exceed 100%)"
    ),
    Code(
        "BBT431",
        "warning",
        "the province entries of a period do not add up to the entry of the whole measure",
    ),
    Code(
        "BBT432",
        "warning",
        "a published reduction differs from the drop of the contingent between the reference date before it and its own date",
    ),
    Code(
        "BBT433", "warning", "more organisations reduced than the province had before the reduction"
    ),
    Code("BBT440", "error", "CSV: empty file, unknown or missing column, wrong number of cells"),
    Code("BBT450", "error", "the overview template failed (file and line of the template)"),
)
