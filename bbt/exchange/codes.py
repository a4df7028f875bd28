"""The exchange extension's finding codes (BBT5xx), as docs/exchange.md lists them."""

from __future__ import annotations

from bbt.findings import table

CODES = table(
    """
| BBT501 | error | the spreadsheet cannot be read: missing, not `.xlsx`/`.csv`/`.json`, broken, not UTF-8, empty, JSON that is not an array of flat records |
| BBT502 | error | a column problem: an unknown header, values without a header, two columns for one field, a long layout missing Krediettype/Fase/Bedrag, long and wide mixed, no code column, a JSON key not in the first record |
| BBT503 | error | not an amount: text in an amount cell, an empty amount, more than three decimals, a formula, date, boolean or error cell, a column in two number formats |
| BBT504 | error | an invalid article code (the message says which part is wrong), or figures without a code |
| BBT505 | error | an unknown credit type or phase, or a credit type that does not fit the article (AO on an expenditure article, VAK on receipts) |
| BBT506 | error | the same article, credit type and phase twice with different amounts (or two different titles or ISEs for one article); equal repeats are fine |
| BBT507 | error | a new article without ISE or title, or an ISE that is not in `bbt.yaml` |
| BBT508 | error | `--into` is not a budget folder (no `bbt.yaml`, or no `ises` list) |
| BBT510 | error | a mapping file problem (unknown key or field, bad `number_format`, `delimiter`) |
| BBT511 | error | an article file that cannot be edited (not YAML, `credits` not a mapping, two files with one code, a link instead of a file) |
| BBT512 | error | the spreadsheet is beyond a limit (see "Limits") |
| BBT513 | error | a text cell that starts like a formula (`=`, `+`, `-`, `@`, tab, CR), or a formula cell, where text is expected |
| BBT514 | warning | no value of a text amount column tells Dutch from plain: read as Dutch, the default |
| BBT515 | error | an output cannot be written: the folder is a file, a target is a folder, no permission, a full disk (all commands) |
| BBT516 | error | a text of the data holds control characters a workbook cannot store |
| BBT520 | error | YEAR is not after the source's year |
| BBT521 | error | a source YAML file that cannot be edited |
| BBT522 | error | a symbolic link in the source folder |
| BBT530 | error | git failed: not a repository, an unknown revision, or the folder does not exist at that revision |
| BBT531 | error | the committed folder holds a symbolic link, a submodule, or more than 256 MB |
"""
)
