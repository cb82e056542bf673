"""Reading tables and text, and writing outputs atomically.

This is one of the few modules that touch the file system. Tables come in as
CSV (any delimiter, UTF-8 with or without BOM, or Windows-1252/Latin-1 exports),
Excel workbooks (``.xlsx``, via openpyxl) or SPSS files (``.sav``, via
pyreadstat, the ``spss`` extra). Outputs are written to a temporary name beside
the target and renamed, so a crash never leaves a half-written file.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_csv(pd.DataFrame({"case_id": ["ES1_C1"], "wai": [5.5]}), folder / "out.csv")
>>> read_table(folder / "out.csv")
  case_id  wai
0  ES1_C1  5.5
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
import typing
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from mixedwai.errors import (
    DataValueError,
    EncodingFallbackWarning,
    InputFileError,
    OutputError,
    OutputKeptWarning,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MAX_FILE_NAME",
    "StagedOutput",
    "atomic_write",
    "decode_bytes",
    "fixed_zip_times",
    "neutralise_formulas",
    "output_file_mode",
    "read_table",
    "read_text",
    "safe_file_name",
    "staged_output",
    "write_bytes",
    "write_csv",
    "write_text",
]

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".sav")


def decode_bytes(data: bytes, *, source: str | os.PathLike[str] = "<bytes>") -> tuple[str, str]:
    """Decode file contents: UTF-8 (BOM optional) or UTF-16 (with BOM), else Windows-1252.

    Parameters
    ----------
    data : bytes
        Raw file contents.
    source : str or path, default="<bytes>"
        Name used in the warning when bytes had to be read as Windows-1252.

    Returns
    -------
    text : str
        Decoded text with any BOM removed and line ends normalised to ``\\n``.
    encoding : str
        ``"utf-8"``, ``"utf-8-sig"`` (a BOM was present), ``"utf-16"``,
        ``"cp1252"`` (no valid UTF-8 sequence at all: a Windows-1252 file) or
        ``"utf-8+cp1252"`` (UTF-8 text with stray Windows-1252 bytes, each
        repaired on its own so the valid UTF-8 around them is kept).

    Warns
    -----
    EncodingFallbackWarning
        When some bytes were not valid UTF-8 and were read as Windows-1252 (bytes
        Windows-1252 leaves undefined are read as Latin-1); the message gives the
        line of the first such byte.

    Examples
    --------
    >>> decode_bytes("Lévesque".encode("utf-8"))
    ('Lévesque', 'utf-8')
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     decode_bytes("Lévesque".encode("cp1252"))
    ...     decode_bytes("Conseillère: ".encode("utf-8") + "café".encode("cp1252"))
    ('Lévesque', 'cp1252')
    ('Conseillère: café', 'utf-8+cp1252')
    >>> decode_bytes("Intervieweuse: ça va?".encode("utf-16"))
    ('Intervieweuse: ça va?', 'utf-16')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputFileError(f"{source}: starts with a UTF-16 mark but is not valid "
                                 f"UTF-16 ({exc.reason} at byte {exc.start})") from exc
        return text.replace("\r\n", "\n").replace("\r", "\n"), encoding
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        text = body.decode("utf-8", errors=_REPAIR)
        has_utf8 = any(ord(c) > 127 for c in body.decode("utf-8", errors="ignore"))
        encoding = "utf-8+cp1252" if has_utf8 else "cp1252"
        what = ("UTF-8 with stray non-UTF-8 bytes; those bytes were read as Windows-1252"
                if has_utf8 else "not valid UTF-8; decoded as Windows-1252 (Latin-1)")
        warnings.warn(
            f"{source}: {what} (first at line {line}). Check accented characters in the output.",
            EncodingFallbackWarning,
            stacklevel=2,
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding


_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_REPAIR = "mixedwai-cp1252-repair"


def _decode_cp1252_byte(b: int) -> str:
    return bytes([b]).decode("latin-1") if b in _CP1252_UNDEFINED else bytes([b]).decode("cp1252")


def _repair_with_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read each undecodable byte as Windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(_decode_cp1252_byte(b) for b in bad), error.end


codecs.register_error(_REPAIR, _repair_with_cp1252)


def read_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    """Read a text file, decoding it with :func:`decode_bytes`.

    Returns
    -------
    text : str
    encoding : str

    Raises
    ------
    InputFileError
        The file does not exist or cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_bytes(b"\\xef\\xbb\\xbfES: bonjour\\r\\n")
    >>> read_text(p)
    ('ES: bonjour\\n', 'utf-8-sig')
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputFileError(f"{path}: file not found") from exc
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    return decode_bytes(data, source=path)


def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    delimiter: str | None = None,
    value_labels: bool = False,
    text_columns: typing.Callable[[str], bool] | None = None,
) -> pd.DataFrame:
    """Read a CSV, TSV, XLSX or SPSS ``.sav`` file into a DataFrame.

    Parameters
    ----------
    path : str or path
        The file. Its extension chooses the reader.
    sheet : str or int, optional
        Worksheet of an Excel file (default: the first).
    delimiter : str, optional
        Field separator of a text file; by default it is detected among
        ``,`` ``;`` tab and ``|``.
    value_labels : bool, default=False
        For ``.sav`` files: replace coded values by their SPSS value labels
        (``1`` → ``"anxiety"``) in every column that has labels. Item
        responses must stay numbers, so session tables keep the codes; case
        tables (client attributes) want the labels. Either way the labels are
        in ``frame.attrs["value_labels"]`` (column → {code: label}).
    text_columns : callable, optional
        For text files: ``text_columns(name)`` says which columns keep their
        text (ids); the others are parsed by pandas' C parser, numbers as
        numbers (a column holding any text stays text). A large table of
        numbers then takes a fraction of the memory of one Python string per
        cell. Default: every column keeps its text.

    Returns
    -------
    pandas.DataFrame
        All cells as read (``frame.attrs["source"]`` holds the file name, used
        in error messages); text columns keep their text (ids are never turned into
        numbers by this function), blank cells are missing values. For ``.sav``
        files, the stored codes are kept (value labels are not applied, so item
        responses stay numbers).

    Raises
    ------
    InputFileError
        Missing file, unknown extension, an empty file, or a file the reader
        cannot parse (the reader's message is kept).
    DataValueError
        Excel formula cells without a saved result (every cell named): they would
        read as blanks.

    Notes
    -----
    Encoding: UTF-8 with or without BOM; otherwise Windows-1252 / Latin-1 with an
    :class:`~mixedwai.errors.EncodingFallbackWarning`. SPSS files need the
    ``spss`` extra (``pip install mixedwai[spss]``), which installs pyreadstat.

    Examples
    --------
    >>> df = read_table("sample_corpus/cases.csv")
    >>> "case_id" in df.columns
    True
    """
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        text, _ = read_text(path)
        if not text.strip():
            raise InputFileError(f"{path}: the file is empty; expected a header row and data")
        sep = delimiter or ("\t" if suffix == ".tsv" else _sniff_delimiter(text))
        try:
            dtype: typing.Any = str
            # the parser reads UTF-8 bytes (a StringIO would hold 4 bytes per character)
            data = text.encode("utf-8")
            if text_columns is not None:
                header = pd.read_csv(io.BytesIO(data), sep=sep, nrows=0, encoding="utf-8",
                                     skipinitialspace=True).columns
                dtype = {c: str for c in header if text_columns(str(c).strip())}
            frame = pd.read_csv(io.BytesIO(data), sep=sep, dtype=dtype, keep_default_na=False,
                                na_values=[""], skipinitialspace=True, true_values=[],
                                false_values=[], encoding="utf-8")
            del data
            if text_columns is not None:  # what the parser read as text is stripped as text
                for position in range(frame.shape[1]):
                    column = frame.iloc[:, position]
                    if pd.api.types.is_bool_dtype(column.dtype):  # "True" is text here
                        frame.isetitem(position, column.map({True: "True", False: "False"}))
                    elif not pd.api.types.is_numeric_dtype(column.dtype):
                        frame.isetitem(position, column.astype(str).where(column.notna()))
            frame = _strip_text_cells(frame, text, sep)
        except (pd.errors.ParserError, ValueError) as exc:
            raise InputFileError(f"{path}: cannot be parsed as a table ({exc})") from exc
    elif suffix in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object)
        except ImportError as exc:
            raise InputFileError(f"{path}: reading Excel files needs openpyxl ({exc})") from exc
        except Exception as exc:  # openpyxl raises many types for corrupt files
            raise InputFileError(f"{path}: cannot be read as an Excel workbook ({exc})") from exc
        _refuse_uncalculated_formulas(path, sheet)
        frame = frame.dropna(how="all").reset_index(drop=True)
    elif suffix == ".sav":
        try:
            import pyreadstat
        except ImportError as exc:
            raise InputFileError(
                f"{path}: reading SPSS .sav files needs pyreadstat; "
                "install it with `pip install mixedwai[spss]`"
            ) from exc
        try:
            frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
        except Exception as exc:  # pyreadstat raises its own ReadstatError
            raise InputFileError(f"{path}: cannot be read as an SPSS file ({exc})") from exc
        labels = {
            column: meta.value_labels[name]
            for column, name in meta.variable_to_label.items()
            if name in meta.value_labels
        }
        if value_labels:
            for column, mapping in labels.items():
                frame[column] = frame[column].map(lambda v, m=mapping: m.get(v, v)).astype(object)
        frame.attrs["value_labels"] = labels
    else:
        raise InputFileError(
            f"{path}: unknown table format {suffix or '(no extension)'!r}; "
            f"expected one of {', '.join(TABLE_SUFFIXES)}"
        )
    frame.attrs["source"] = path.name
    return frame


def _refuse_uncalculated_formulas(path: Path, sheet: str | int | None) -> None:
    """Refuse formula cells that hold no saved result (they would read as blanks).

    A workbook written by a program that does not calculate (a script, some exporters)
    stores formulas without their values; pandas reads those cells as blanks, and blank
    item responses are prorated. The formulas are found with openpyxl
    (``data_only=False``) and their saved results read back (``data_only=True``).
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        try:
            sheets = book.worksheets
            sheet_index = (book.sheetnames.index(sheet) if isinstance(sheet, str)
                           else int(sheet or 0))
            formulas = [
                (r, c, cell.coordinate)
                for r, row in enumerate(sheets[sheet_index].iter_rows())
                for c, cell in enumerate(row)
                if getattr(cell, "data_type", None) == "f"
            ]
        finally:
            book.close()
        if not formulas:
            return
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            values = list(book.worksheets[sheet_index].iter_rows(values_only=True))
        finally:
            book.close()
    except Exception:  # pragma: no cover - pandas has read this workbook already
        return
    empty = [name for r, c, name in formulas
             if r >= len(values) or c >= len(values[r]) or values[r][c] is None]
    if empty:
        shown = ", ".join(empty[:25]) + (f" and {len(empty) - 25} more" if len(empty) > 25 else "")
        raise DataValueError(
            f"{path}: {len(empty)} cell(s) hold a formula with no saved result: {shown}. "
            "The workbook was saved by a program that does not calculate formulas, so these "
            "cells would read as blanks; open and save it in Excel or LibreOffice, or "
            "replace the formulas by their values"
        )


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        header = text.splitlines()[0]
        counts = {d: header.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _strip_text_cells(frame: pd.DataFrame, text: str | None = None,
                      sep: str | None = None) -> pd.DataFrame:
    """Blanks around every cell removed, empty cells missing.

    Given the file's ``text`` and separator, the cells are left alone when no
    blank touches a separator or a line end anywhere in the file (one regular
    expression over the text, in C): the common case costs nothing per cell.
    """
    import pandas as pd

    frame.columns = [str(c).strip() for c in frame.columns]
    if text is not None and sep is not None and text.isascii():
        # one search in C: does a blank touch a separator or a line end anywhere?
        blanks = "".join(re.escape(b) for b in (" ", "\t", "\f", "\v") if b != sep)
        edges = re.escape(sep) + "\\r\\n"
        touching = re.search(f"[{blanks}][{edges}]|[{edges}][{blanks}]", text)
        if touching is None and not re.match(f"[{blanks}]", text) and not re.search(
                f"[{blanks}]\\Z", text):
            return frame
    elif text is not None and sep is not None:
        blank = rf"[^\S\r\n{re.escape(sep)}]"
        edge = rf"{blank}(?:{re.escape(sep)}|\r?$)|(?:^|{re.escape(sep)}){blank}"
        if re.search(edge, text, flags=re.MULTILINE) is None:
            return frame
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if pd.api.types.is_numeric_dtype(values.dtype):  # parsed as numbers: nothing to strip
            continue
        stripped = values.str.strip()  # every other cell is text or missing
        frame.isetitem(position, stripped.mask(stripped == ""))
    return frame


# ---------------------------------------------------------------------------- file modes


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # no /proc: read it by setting it, and put it back at once
    os.umask(mask)
    return mask


def output_file_mode(file_mode: int | None = None) -> int:
    """The permission bits of a new output file.

    Parameters
    ----------
    file_mode : int, optional
        Bits a study asks for (``0o600``: readable by its owner only). By default,
        what the user's umask allows for a new file (``0o666 & ~umask``), as any
        program that creates a file does.

    Examples
    --------
    >>> oct(output_file_mode(0o600))
    '0o600'
    >>> output_file_mode() & 0o111  # never executable
    0
    """
    if file_mode is not None:
        return file_mode & 0o777
    return 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8",
    file_mode: int | None = None,
) -> Iterator[io.IOBase]:
    """Open ``path`` for writing through a temporary file renamed on success.

    The file gets the permissions of the file it replaces (a researcher's
    ``chmod 600`` survives), else ``file_mode``, else what the umask allows
    (:func:`output_file_mode`).

    Parameters
    ----------
    path : str or path
        Final file name. Its folder is created if needed.
    mode : {"w", "wb"}, default="w"
    encoding : str, default="utf-8"
        Text encoding (ignored in binary mode).
    file_mode : int, optional
        Permission bits of a new file (see :func:`output_file_mode`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_write(p) as fh:
    ...     _ = fh.write("done")
    >>> p.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        bits = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        bits = output_file_mode(file_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if "b" in mode:
            handle = os.fdopen(fd, mode)
        else:
            handle = os.fdopen(fd, mode, encoding=encoding, newline="")
        with handle:
            yield handle
        os.chmod(tmp, bits)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(text: str, path: str | os.PathLike[str], *, file_mode: int | None = None) -> None:
    """Write text (UTF-8, ``\\n`` line ends) atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.md"
    >>> write_text("# Report\\n", p); p.read_text()
    '# Report\\n'
    """
    with atomic_write(path, file_mode=file_mode) as handle:
        handle.write(text)


def write_bytes(data: bytes, path: str | os.PathLike[str], *,
                file_mode: int | None = None) -> None:
    """Write bytes atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.bin"
    >>> write_bytes(b"ok", p); p.read_bytes()
    b'ok'
    """
    with atomic_write(path, "wb", encoding=None, file_mode=file_mode) as handle:
        handle.write(data)


def fixed_zip_times(data: bytes) -> bytes:
    """The same zip archive (``.docx``, ``.xlsx``) with every member dated 1980-01-01.

    Office files written by python-docx or openpyxl carry the time they were written
    in each member's header; rewriting them with a fixed date makes the same content
    give the same bytes. Members keep their order, names and contents.

    Examples
    --------
    >>> import io, zipfile
    >>> buffer = io.BytesIO()
    >>> with zipfile.ZipFile(buffer, "w") as archive:
    ...     archive.writestr("a.txt", "x")
    >>> fixed = fixed_zip_times(buffer.getvalue())
    >>> zipfile.ZipFile(io.BytesIO(fixed)).infolist()[0].date_time
    (1980, 1, 1, 0, 0, 0)
    """
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


# ---------------------------------------------------------------------------- formulas

#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?$")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would evaluate, made inert with a leading ``'``.

    A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    is read by Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``
    in a case id or a quote would run when the file is opened). Such cells get a
    leading apostrophe, which spreadsheets show as text and hide. Numbers, and text
    that is just a number (``-0.25``), are left as they are.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "-0.5", "ok", "@SUM(A1)"], "b": -1}))
               a  b
    0      '=1+1 -1
    1       -0.5 -1
    2         ok -1
    3  '@SUM(A1) -1
    """
    import numpy as np
    import pandas as pd

    out = frame
    for column in frame.columns:
        values = frame[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        # decided once per distinct cell (a million case ids are a million cells, one check)
        codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
        flags = [_is_formula_like(u) for u in uniques.tolist()]
        if not any(flags):
            continue
        lookup = np.array([*flags, False], dtype=bool)
        risky = pd.Series(lookup[np.where(codes < 0, len(uniques), codes)], index=values.index)
        if risky.any():
            if out is frame:
                out = frame.copy()
            out[column] = values.where(~risky, "'" + values.astype(str))
    headers = [f"'{c}" if _is_formula_like(c) else c for c in out.columns]
    if headers != list(out.columns):
        out = out.copy() if out is frame else out
        out.columns = headers
    return out


def _is_formula_like(value: object) -> bool:
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _PLAIN_NUMBER.match(value))


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False,
              raw: bool = False, file_mode: int | None = None) -> None:
    """Write a DataFrame as UTF-8 CSV atomically, byte-for-byte reproducibly.

    Floats are written with up to 10 significant digits so that outputs do not
    change with the last bits of a platform's floating point. Text cells that a
    spreadsheet would run as a formula are neutralised (:func:`neutralise_formulas`)
    unless ``raw=True``.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_csv(pd.DataFrame({"a": [1 / 3]}), p); p.read_text()
    'a\\n0.3333333333\\n'
    """
    if not raw:
        frame = neutralise_formulas(frame.reset_index() if index else frame)
        index = False
    text = None if index else _csv_text(frame)  # vectorised; the same bytes as pandas
    if text is None:
        text = frame.to_csv(index=index, lineterminator="\n", float_format="%.10g")
    write_text(text, path, file_mode=file_mode)


# ---------------------------------------------------------------------------- file names

#: The longest file name (one path component) made from an id; longer ids are shortened.
MAX_FILE_NAME = 120
_UNSAFE_CHARS = re.compile(r"[^\w.#+\-]", re.UNICODE)
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\.|$)", re.IGNORECASE)


def safe_file_name(stem: str, suffix: str = "", *, max_length: int = MAX_FILE_NAME) -> str:
    """A safe, bounded file name made from an id: the id itself whenever it is one.

    Letters, digits and ``_ . # + -`` are kept; anything else (``/``, ``\\``,
    ``..``, spaces, control characters, ``:``...) becomes ``_``, a leading dot or a
    Windows device name is prefixed, and a name too long for file systems is cut.
    Whenever the id had to change, a short hash of the original id is appended,
    so two different ids never share a file.

    Examples
    --------
    >>> safe_file_name("ES11_C4", ".docx")
    'ES11_C4.docx'
    >>> safe_file_name("../../tmp/victim", ".docx")
    '_.._.._tmp_victim-4e92219f.docx'
    >>> len(safe_file_name("x" * 300, ".docx")) <= MAX_FILE_NAME
    True
    """
    text = unicodedata.normalize("NFC", str(stem))
    clean = _UNSAFE_CHARS.sub("_", text)
    if clean.startswith(".") or _WINDOWS_RESERVED.match(clean):
        clean = f"_{clean}"
    room = max_length - len(suffix)
    if clean != text or len(clean) > room:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        clean = f"{clean[: max(room - 9, 1)]}-{digest}"
    if not clean.strip("_"):
        clean = f"file-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
    return clean + suffix


def _checked_relative(name: str) -> Path:
    """``name`` as a relative path that cannot leave its folder."""
    rel = Path(name)
    parts = rel.parts
    if (not parts or rel.is_absolute() or any(p in ("", ".", "..") for p in parts)
            or "\\" in name or any(ord(c) < 32 for c in name)):
        raise OutputError(
            f"output name {name!r} is not a plain relative path inside the output folder; "
            "an output is never written outside --out (derive names with safe_file_name)"
        )
    return rel


# ---------------------------------------------------------------------------- staged outputs

#: File in an output folder listing what the last mixedwai run wrote there, with hashes.
MANIFEST = ".mixedwai-outputs"
#: Record of a publication under way; its presence on start means a run was killed.
JOURNAL = ".mixedwai-journal"
STAGE_PREFIX = ".mixedwai-stage-"
BACKUP_PREFIX = ".mixedwai-backup-"
NAME_MAP = "file_names.csv"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _csv_text(frame: pd.DataFrame) -> str | None:
    """``frame.to_csv(index=False, lineterminator="\\n", float_format="%.10g")``, vectorised.

    pandas formats every cell in Python; here each column's distinct values are
    formatted once and the rows are joined by ``str.join`` (no per-cell
    formatting), so a table of a million rows takes a second or two. The bytes
    are pandas' (the csv module's minimal quoting: a cell holding a comma, a
    quote or a line break is quoted, quotes doubled); columns of another kind
    (dates, floats inside text columns ...) and one-column tables return None
    and are written by pandas.
    """
    import numpy as np
    import pandas as pd

    n_rows, n_cols = frame.shape
    if n_cols < 2 or n_rows == 0 or not frame.columns.is_unique:
        return None
    columns = []
    for position in range(n_cols):
        cells = _csv_cells(frame.iloc[:, position], pd, np)
        if cells is None:
            return None
        columns.append(cells.tolist())
    header = ",".join(_csv_quoted(str(c)) for c in frame.columns)
    return header + "\n" + "\n".join(map(",".join, zip(*columns, strict=True))) + "\n"


def _csv_cells(values: pd.Series, pd: typing.Any, np: typing.Any) -> typing.Any:
    """One column's cells as CSV text (numpy object array of str), or None if not handled."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.BooleanDtype):
        return np.where(values.to_numpy(dtype=bool), "True", "False").astype(object)
    if pd.api.types.is_float_dtype(dtype) and isinstance(dtype, np.dtype):
        data = values.to_numpy(dtype=float)
        keys, inverse = np.unique(data, return_inverse=True)  # NaN sorts last, once or more
        texts = np.array(["" if k != k else f"{k:.10g}" for k in keys.tolist()], dtype=object)
        return texts[np.asarray(inverse).reshape(-1)]
    if pd.api.types.is_integer_dtype(dtype) or isinstance(dtype, pd.BooleanDtype):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        texts = np.array([str(u) for u in uniques.tolist()] + [""], dtype=object)
        return texts[np.where(codes < 0, len(uniques), codes)]
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind not in ("string", "empty"):
            return None
        codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
        cells = uniques.tolist()
        if _NEEDS_QUOTES("".join(cells)) is not None:  # one search for the whole column
            cells = [_csv_quoted(u) for u in cells]
        texts = np.array([*cells, ""], dtype=object)
        return texts[np.where(codes < 0, len(uniques), codes)]
    return None


_NEEDS_QUOTES = re.compile(r'[,"\n\r]').search


def _csv_quoted(text: str) -> str:
    """A cell as the csv module writes it with minimal quoting."""
    if _NEEDS_QUOTES(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


class StagedOutput:
    """A set of output files written to a hidden folder and published at the end.

    Use through :func:`staged_output`. Files are written under :attr:`stage`;
    when the block ends without error they are published into the output folder
    all together (see :func:`staged_output`).
    """

    def __init__(self, out_dir: Path, stage: Path, file_mode: int | None = None) -> None:
        self.out_dir = out_dir
        self.stage = stage
        self.file_mode = file_mode
        self.renamed: dict[str, dict[str, str]] = {}

    def path(self, name: str) -> Path:
        """Where to write output ``name`` (a relative path inside the output folder).

        Raises
        ------
        OutputError
            ``name`` is absolute, holds ``..`` or control characters.
        """
        target = self.stage / _checked_relative(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def path_for_id(self, folder: str, key: str, suffix: str) -> Path:
        """Where to write the output of one id (a case, a pattern) in ``folder``.

        The file name is :func:`safe_file_name` of the id; when it had to differ
        from the id, ``folder/file_names.csv`` lists both, so every file can be
        traced back to its id.
        """
        name = safe_file_name(key, suffix)
        if name != f"{key}{suffix}":
            self.renamed.setdefault(folder, {})[key] = name
        return self.path(f"{folder}/{name}")

    def written(self) -> list[Path]:
        """Final paths of the files staged so far, sorted."""
        self._write_name_maps()
        return sorted(self.out_dir / p.relative_to(self.stage)
                      for p in self.stage.rglob("*") if p.is_file())

    def _write_name_maps(self) -> None:
        for folder, names in self.renamed.items():
            lines = ["id,file"] + [
                ",".join('"' + v.replace('"', '""') + '"' for v in (k, n))
                for k, n in sorted(names.items())
            ]
            write_text("\n".join(lines) + "\n", self.path(f"{folder}/{NAME_MAP}"),
                       file_mode=0o600)


def _read_manifest(out: Path) -> dict[str, str | None]:
    """name -> sha256 of what the previous run wrote (None: an older manifest without hashes)."""
    path = out / MANIFEST
    if not path.is_file():
        return {}
    entries: dict[str, str | None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, sep, name = line.partition("  ")
        if sep and re.fullmatch(r"[0-9a-f]{64}", digest):
            entries[name] = digest
        elif line:
            entries[line] = None
    return entries


def _unchanged(target: Path, recorded: str | None) -> bool:
    return recorded is None or (target.is_file() and _sha256(target) == recorded)


def _recover(out: Path) -> None:
    """Undo a publication that a killed run left half done, and drop its leftovers."""
    journal = out / JOURNAL
    if journal.is_file():
        try:
            record = json.loads(journal.read_text(encoding="utf-8"))
            backup = out / record["backup"]
            replaced = set(record["replaced"])
            new = record["new"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise OutputError(
                f"{journal}: an interrupted run left a publication record that cannot be "
                f"read ({exc}); check the folder by hand, then delete {JOURNAL}"
            ) from exc
        for name in new:
            target, kept = out / name, backup / name
            if kept.exists() or name not in replaced:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
        for kept in sorted(p for p in backup.rglob("*") if p.is_file()):
            target = out / kept.relative_to(backup)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(kept, target)
        journal.unlink()
    for leftover in out.iterdir():
        if leftover.is_dir() and leftover.name.startswith((STAGE_PREFIX, BACKUP_PREFIX)):
            shutil.rmtree(leftover, ignore_errors=True)
        elif leftover.name.startswith((f".{MANIFEST}.", f".{JOURNAL}.")) and \
                leftover.name.endswith(".tmp"):  # a control file killed while being written
            leftover.unlink()


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold an advisory lock on the output folder itself (no lock file is left behind)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory lock; one run per folder is the user's care
        yield
        return
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise OutputError(f"{out}: another mixedwai run is writing into this folder; "
                              "wait for it to finish or choose another --out") from exc
        yield
    finally:
        os.close(fd)


def _publish(staged: StagedOutput, inputs: set[Path]) -> None:
    out, stage = staged.out_dir, staged.stage
    files = sorted(p for p in stage.rglob("*") if p.is_file())
    names = [p.relative_to(stage).as_posix() for p in files]
    previous = _read_manifest(out)
    conflicts, replaced, stale, kept = [], [], [], []
    for name in names:
        target = out / name
        if target.resolve() in inputs:
            conflicts.append(f"{name} (an input of this run)")
        elif target.is_dir():
            conflicts.append(f"{name} (a folder)")
        elif target.exists():
            if name not in previous:
                conflicts.append(f"{name} (not written by mixedwai)")
            elif not _unchanged(target, previous[name]):
                conflicts.append(f"{name} (edited since mixedwai wrote it)")
            else:
                replaced.append(name)
    if conflicts:
        raise OutputError(
            f"{out}: this run would replace {len(conflicts)} file(s) it must not: "
            + "; ".join(conflicts[:20]) + ("; ..." if len(conflicts) > 20 else "")
            + ". Nothing was written. Move or rename them, or choose another --out."
        )
    for name in sorted(set(previous) - set(names)):
        target = out / name
        if target.is_file():
            (stale if _unchanged(target, previous[name]) else kept).append(name)
    backup = Path(tempfile.mkdtemp(prefix=BACKUP_PREFIX, dir=out))
    old_manifest = [MANIFEST] if (out / MANIFEST).is_file() else []
    try:
        write_text(json.dumps({"backup": backup.name, "replaced": replaced + stale + old_manifest,
                               "new": names + [MANIFEST]}), out / JOURNAL, file_mode=0o600)
        for name in replaced + stale + old_manifest:
            (backup / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(out / name, backup / name)
        bits = output_file_mode(staged.file_mode)
        digests = {}
        for source, name in zip(files, names, strict=True):
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            kept_mode = backup / name
            os.chmod(source, stat.S_IMODE(kept_mode.stat().st_mode)
                     if kept_mode.exists() else bits)
            digests[name] = _sha256(source)
            os.replace(source, target)
        write_text("".join(f"{digests[n]}  {n}\n" for n in names), out / MANIFEST,
                   file_mode=staged.file_mode)
    except BaseException:
        _recover(out)
        raise
    (out / JOURNAL).unlink()
    shutil.rmtree(backup, ignore_errors=True)
    for name in stale:
        with contextlib.suppress(OSError):  # drop folders the old run made, once empty
            parent = (out / name).parent
            while parent != out and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    if kept:
        warnings.warn(
            f"{out}: kept {len(kept)} file(s) of an earlier run that were edited since, although "
            f"this run did not write them again: {', '.join(kept[:10])}"
            + (" ..." if len(kept) > 10 else ""),
            OutputKeptWarning, stacklevel=4,
        )


@contextlib.contextmanager
def staged_output(
    out_dir: str | os.PathLike[str], *, inputs: Iterable[str | os.PathLike[str]] = (),
    file_mode: int | None = None,
) -> Iterator[StagedOutput]:
    """Stage a command's outputs and publish them only if it succeeds, all or nothing.

    Files are written to a hidden folder inside ``out_dir`` and published once
    the block ends without error; on error nothing in ``out_dir`` changes.

    Publishing is all or nothing: the files it replaces are first moved aside
    and a record of the publication is written (``.mixedwai-journal``); if
    anything fails, or the run is killed, what was moved in is taken out and the
    old files are put back (a killed run's record is found by the next run into
    the folder, which undoes it and removes the killed run's staged files before
    doing anything else). A manifest (``.mixedwai-outputs``) lists every file
    written with its SHA-256, so that

    * a rerun removes the files of the previous run it did not write again, but
      only those unchanged since: an edited file is kept, with a warning;
    * a rerun replaces a previous output only if it is unchanged: a file the
      researcher edited or created, or an ``input`` of this run, is never
      replaced (the run stops with :class:`~mixedwai.errors.OutputError` before
      writing anything).

    New files get the permissions the umask allows, or ``file_mode``; a file
    replaced keeps its permissions.

    Parameters
    ----------
    out_dir : str or path
        The output folder (created if needed).
    inputs : iterable of paths, optional
        The files (or folders of files) this run reads: none of them is ever replaced.
    file_mode : int, optional
        Permission bits of new files (e.g. ``0o600``).

    Raises
    ------
    InputFileError
        ``out_dir`` exists and is not a folder, or cannot be created.
    OutputError
        An output would replace an input or a file mixedwai did not write (or one
        edited since), or another run is writing into the same folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with staged_output(out) as stage:
    ...     _ = stage.path("a.txt").write_text("1")
    ...     _ = stage.path("old.txt").write_text("from this run only")
    >>> sorted(p.name for p in out.iterdir())
    ['.mixedwai-outputs', 'a.txt', 'old.txt']
    >>> try:
    ...     with staged_output(out) as stage:
    ...         _ = stage.path("b.txt").write_text("2")
    ...         raise RuntimeError("boom")
    ... except RuntimeError:
    ...     pass
    >>> sorted(p.name for p in out.iterdir())  # a failed run changes nothing
    ['.mixedwai-outputs', 'a.txt', 'old.txt']
    >>> with staged_output(out) as stage:  # a rerun drops what it did not rewrite
    ...     _ = stage.path("a.txt").write_text("1")
    >>> sorted(p.name for p in out.iterdir())
    ['.mixedwai-outputs', 'a.txt']
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputFileError(f"{out}: exists and is not a folder; expected an output folder "
                             "(a new or existing directory)")
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputFileError(f"{out}: cannot create the output folder ({exc.strerror or exc})") \
            from exc
    read: set[Path] = set()
    for given in inputs:
        path = Path(given)
        read.update(f.resolve() for f in ([path] if not path.is_dir() else path.rglob("*")))
    with _locked(out):
        _recover(out)
        stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=out))
        staged = StagedOutput(out, stage, file_mode)
        try:
            yield staged
            staged._write_name_maps()
            _publish(staged, read)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            if created and not any(out.iterdir()):
                out.rmdir()
            raise
        finally:
            shutil.rmtree(stage, ignore_errors=True)
