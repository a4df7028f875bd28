"""The contingent extension's finding codes (BBT4xx), as docs/contingent.md lists them."""

from __future__ import annotations

from bbt.findings import table

CODES = table(
    """
| BBT401 | error | YAML syntax error (or tab indentation) |
| BBT402 | error | unknown key (with a "did you mean") |
| BBT403 | error | wrong type (a list where a value belongs, text where a number belongs, ...) |
| BBT404 | error | missing or empty required field (period, title, unit, neither allocated nor filled) |
| BBT409 | error | not an exact number (Dutch format `1.234,5`, exponent, more than 3 decimals) |
| BBT410 | error | file cannot be read or is too large |
| BBT411 | error | YAML tags, merge keys or alias bombs |
| BBT412 | error/warning | not UTF-8, or a byte-order mark |
| BBT413 | error | the same key twice in a mapping |
| BBT420 | error | a contingent figure with more than 2 decimals (usually a pasted float) |
| BBT421 | error | a negative figure or count |
| BBT422 | error | unknown unit, basis or province, or a period that is none of the four forms |
| BBT423 | error | a second entry for the same measure, period and scope |
| BBT424 | warning | an entry or reduction without source |
| BBT430 | warning | filled above allocated (a fill within contingent cannot exceed 100%) |
| BBT431 | warning | the province entries of a period do not add up to the entry of the whole measure |
| BBT432 | warning | a published reduction differs from the drop of the contingent between the reference date before it and its own date |
| BBT433 | warning | more organisations reduced than the province had before the reduction |
| BBT440 | error | CSV: empty file, unknown or missing column, wrong number of cells |
| BBT450 | error | the overview template failed (file and line of the template) |
| BBT418 | error | the register refused unread: a symbolic link out of the budget folder, not a regular file, a link loop or an over-long name |
| BBT419 | error | YAML nested more than 50 levels deep |
| BBT425 | error | an invisible, control or private-use character, or a digit other than 0-9 |
| BBT426 | error | a figure of 10^18 or more |
"""
)
