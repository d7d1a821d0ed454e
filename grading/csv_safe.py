"""CSV files a spreadsheet may open, written so that no cell is read as a formula.

A student chooses some of the text that reaches our CSVs (a name, a file name, a reason
quoting their code). A cell starting with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) is run as a formula by Excel, LibreOffice and Google Sheets: it can
fetch a URL with the sheet's data or, in old Excel, start a program. Following OWASP's
"CSV Injection" advice, every writer here
- puts a `'` before any text cell that starts like that (after leading whitespace too, and
  the full-width forms some spreadsheets accept), and
- quotes every field, so a comma or a line break in a value never starts a new cell or row.
A cell that is exactly a number (`-1`, `+2.5`, `1e-3`) is left alone, whoever wrote it: a
spreadsheet reads it as that number, not as a formula, and scores stay numbers; so is a
lone sign (`-` for "no score"), which has no formula to run.
`plain` undoes the `'` for files we read back (collected.csv).
"""
import csv
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def cell(value):
    """The value as it is safe to write into a CSV cell."""
    if isinstance(value, str):
        text = value.lstrip(" \t\r\n")
        if text.startswith(FORMULA_START) and len(text) > 1 and not NUMBER.fullmatch(value):
            return "'" + value
    return value


def plain(value):
    """The value `cell` was given, for a cell read back from our own file."""
    if value.startswith("'") and cell(value[1:]) == value:
        return value[1:]
    return value


class _Rows:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _DictRows(csv.DictWriter):
    def writerow(self, rowdict):
        return super().writerow({key: cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):
        for row in rowdicts:
            self.writerow(row)


def writer(f):
    """csv.writer for an open file (newline=""): every field quoted and made safe."""
    return _Rows(csv.writer(f, quoting=csv.QUOTE_ALL))


def dict_writer(f, fieldnames):
    """csv.DictWriter likewise; its header is written with writeheader()."""
    return _DictRows(f, fieldnames, quoting=csv.QUOTE_ALL)
