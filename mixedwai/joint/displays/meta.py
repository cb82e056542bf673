"""Meta-inferences: the researcher's statement per display row, and its fit.

A meta-inference says what the two strands mean together for one row of a joint
display (a pattern, a theme, a case) and how they fit (Fetters, Curry &
Creswell 2013): *confirmation* (both strands say the same), *expansion* (one
strand adds to the other) or *discordance* (they disagree). They are written by
the researcher in a small CSV (columns ``display``, ``key``, ``statement``,
``fit``) or YAML (a list of mappings with the same keys) and carried by the
display as its last column.

Examples
--------
>>> import pandas as pd
>>> meta = validate_meta_inferences(pd.DataFrame(
...     {"display": ["statistics_by_themes"], "key": ["SHA"],
...      "statement": ["High, stable alliance with experienced ES"], "fit": ["Confirmation"]}))
>>> meta["fit"].tolist()
['confirmation']
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from mixedwai._validation import raise_problems, require_columns, row_number, source_name
from mixedwai.errors import DataValueError, InputFileError
from mixedwai.io import read_table
from mixedwai.joint.displays.tables import JointDisplay

__all__ = ["FITS", "add_meta_inferences", "load_meta_inferences", "validate_meta_inferences"]

#: Allowed kinds of fit between the strands.
FITS = ("confirmation", "expansion", "discordance")
COLUMN = "Meta-inference"


def load_meta_inferences(path: str | Path) -> pd.DataFrame:
    """Read meta-inferences from CSV/XLSX or YAML and validate them.

    Parameters
    ----------
    path : str or path

    Returns
    -------
    pandas.DataFrame
        ``display``, ``key``, ``statement``, ``fit`` (lower case).

    Raises
    ------
    InputFileError, DataValueError, ColumnError
        Unreadable file; a fit not in ``confirmation``/``expansion``/
        ``discordance``, an empty statement, or a second statement for the same
        display and key (every such row listed).

    Examples
    --------
    >>> meta = load_meta_inferences("sample_corpus/meta_inferences.csv")
    >>> sorted(set(meta["fit"]))
    ['confirmation', 'discordance', 'expansion']
    """
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        from mixedwai._yaml import read_yaml_text, safe_load

        if not path.is_file():
            raise InputFileError(f"{path}: file not found")
        raw = safe_load(read_yaml_text(path, error=InputFileError), source=str(path),
                        error=InputFileError)
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            raise DataValueError(
                f"{path}: expected a list of mappings with keys display, key, statement, fit"
            )
        frame = pd.DataFrame(raw).astype(object)
        frame.attrs["source"] = path.name
    else:
        frame = read_table(path)
    return validate_meta_inferences(frame)


def validate_meta_inferences(frame: pd.DataFrame) -> pd.DataFrame:
    """Check columns and values of a meta-inference table (see module docs)."""
    require_columns(frame, ["display", "key", "statement", "fit"])
    source = source_name(frame)
    problems = []
    out = frame[["display", "key", "statement", "fit"]].copy()
    for position, (_, row) in enumerate(out.iterrows()):
        fit = str(row["fit"]).strip().lower() if pd.notna(row["fit"]) else ""
        if fit not in FITS:
            problems.append(
                f"{source} row {row_number(position)} (key {row['key']!r}): fit = {row['fit']!r}; "
                f"expected one of {', '.join(FITS)}"
            )
        if pd.isna(row["statement"]) or not str(row["statement"]).strip():
            problems.append(f"{source} row {row_number(position)} (key {row['key']!r}): "
                            "statement is empty")
    # one statement per display row: a second one would silently replace the first
    seen: dict[tuple[str, str], int] = {}
    for position, (display, key) in enumerate(zip(out["display"], out["key"], strict=True)):
        pair = (str(display).strip(), str(key).strip())
        if pair in seen:
            problems.append(
                f"{source} row {row_number(position)}: display {pair[0]!r}, key {pair[1]!r} "
                f"already has a statement on row {row_number(seen[pair])}; expected one "
                "statement per display row (join them into one)"
            )
        else:
            seen[pair] = position
    raise_problems(DataValueError, f"{source}: invalid meta-inferences", problems)
    out["fit"] = out["fit"].map(lambda v: str(v).strip().lower())
    out["key"] = out["key"].map(lambda v: str(v).strip())
    out["display"] = out["display"].map(lambda v: str(v).strip())
    return out.reset_index(drop=True)


def add_meta_inferences(display: JointDisplay, meta: pd.DataFrame) -> JointDisplay:
    """Return ``display`` with a last column holding each row's meta-inference.

    Rows are matched on ``meta["display"] == display.key`` and ``meta["key"]``
    equal to the row's key (pattern abbreviation, theme id or case id). A key
    that matches no row of the display is an error (listing every such key),
    so a typo cannot silently drop a researcher's statement.

    Raises
    ------
    DataValueError

    Examples
    --------
    >>> from mixedwai.joint.sample import sample_linked_study
    >>> from mixedwai.joint.displays.tables import statistics_by_themes
    >>> d = statistics_by_themes(sample_linked_study(), quotes=False)
    >>> meta = load_meta_inferences("sample_corpus/meta_inferences.csv")
    >>> add_meta_inferences(d, meta).table.columns[-1]
    'Meta-inference'
    """
    mine = meta[meta["display"] == display.key]
    if not len(mine):
        return display
    keys = [str(k) for k in display.data.index]
    unknown = [k for k in mine["key"] if k not in keys]
    raise_problems(
        DataValueError,
        f"meta-inferences for display {display.key!r}: keys match no row "
        f"(rows are {display.row_key} values: {', '.join(keys[:20])})",
        [repr(k) for k in unknown],
    )
    by_key = {r["key"]: f"{r['statement']} ({r['fit']})" for _, r in mine.iterrows()}
    table = display.table.copy()
    table[COLUMN] = [by_key.get(k, "") for k in keys]
    data = display.data.copy()
    data["meta_inference"] = [by_key.get(k, "") for k in keys]
    data["fit"] = [dict(zip(mine["key"], mine["fit"], strict=False)).get(k, "") for k in keys]
    return replace(display, table=table, data=data)
