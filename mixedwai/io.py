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
import io
import os
import re
import shutil
import tempfile
import typing
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from mixedwai.errors import EncodingFallbackWarning, InputFileError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "StagedOutput",
    "atomic_write",
    "decode_bytes",
    "read_table",
    "read_text",
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


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8"
) -> Iterator[io.IOBase]:
    """Open ``path`` for writing through a temporary file renamed on success.

    Parameters
    ----------
    path : str or path
        Final file name. Its folder is created if needed.
    mode : {"w", "wb"}, default="w"
    encoding : str, default="utf-8"
        Text encoding (ignored in binary mode).

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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if "b" in mode:
            handle = os.fdopen(fd, mode)
        else:
            handle = os.fdopen(fd, mode, encoding=encoding, newline="")
        with handle:
            yield handle
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(text: str, path: str | os.PathLike[str]) -> None:
    """Write text (UTF-8, ``\\n`` line ends) atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.md"
    >>> write_text("# Report\\n", p); p.read_text()
    '# Report\\n'
    """
    with atomic_write(path) as handle:
        handle.write(text)


def write_bytes(data: bytes, path: str | os.PathLike[str]) -> None:
    """Write bytes atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.bin"
    >>> write_bytes(b"ok", p); p.read_bytes()
    b'ok'
    """
    with atomic_write(path, "wb", encoding=None) as handle:
        handle.write(data)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False) -> None:
    """Write a DataFrame as UTF-8 CSV atomically, byte-for-byte reproducibly.

    Floats are written with up to 10 significant digits so that outputs do not
    change with the last bits of a platform's floating point.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_csv(pd.DataFrame({"a": [1 / 3]}), p); p.read_text()
    'a\\n0.3333333333\\n'
    """
    text = None if index else _csv_text(frame)
    if text is None:
        text = frame.to_csv(index=index, lineterminator="\n", float_format="%.10g")
    write_text(text, path)


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
    """A set of output files written to a hidden folder and moved in at the end.

    Use through :func:`staged_output`. Files are written under :attr:`stage`;
    when the block ends without error each file is moved into the output folder
    (each move is atomic); on error the stage is removed and the output folder is
    left as it was (and removed if this call created it and it is empty).
    """

    def __init__(self, out_dir: Path, stage: Path) -> None:
        self.out_dir = out_dir
        self.stage = stage

    def path(self, name: str) -> Path:
        """Where to write output ``name`` (relative to the output folder)."""
        target = self.stage / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def written(self) -> list[Path]:
        """Final paths of the files staged so far, sorted."""
        return sorted(self.out_dir / p.relative_to(self.stage)
                      for p in self.stage.rglob("*") if p.is_file())


#: File in an output folder listing what the last mixedwai run wrote there.
MANIFEST = ".mixedwai-outputs"


@contextlib.contextmanager
def staged_output(out_dir: str | os.PathLike[str]) -> Iterator[StagedOutput]:
    """Stage a command's outputs and publish them only if it succeeds.

    Files are written to a hidden folder inside ``out_dir`` and moved into
    place once the block ends without error; on error nothing in ``out_dir``
    changes. A manifest (``.mixedwai-outputs``) records what was written, so
    that the next run into the same folder removes the files of the previous
    run it did not rewrite — a rerun with other options never leaves stale
    results beside new ones. Files mixedwai did not write are never touched.

    Raises
    ------
    InputFileError
        ``out_dir`` exists and is not a folder, or cannot be created.

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
        stage = Path(tempfile.mkdtemp(prefix=".mixedwai-stage-", dir=out))
    except OSError as exc:
        raise InputFileError(f"{out}: cannot create the output folder ({exc.strerror or exc})") \
            from exc
    staged = StagedOutput(out, stage)
    try:
        yield staged
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        if created and not any(out.iterdir()):
            out.rmdir()
        raise
    try:
        written = sorted(p for p in stage.rglob("*") if p.is_file())
        names = [p.relative_to(stage).as_posix() for p in written]
        for source, name in zip(written, names, strict=True):
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(source, 0o644)
            os.replace(source, target)
        _forget_previous_outputs(out, set(names))
        write_text("".join(f"{name}\n" for name in names), out / MANIFEST)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _forget_previous_outputs(out: Path, keep: set[str]) -> None:
    """Remove files the previous run listed in the manifest and this run did not rewrite."""
    manifest = out / MANIFEST
    if not manifest.is_file():
        return
    root = out.resolve()
    for name in manifest.read_text(encoding="utf-8").splitlines():
        if not name or name in keep:
            continue
        target = (out / name).resolve()
        if root in target.parents and target.is_file():
            target.unlink()
            with contextlib.suppress(OSError):  # drop folders the old run made, once empty
                parent = target.parent
                while parent != root and not any(parent.iterdir()):
                    parent.rmdir()
                    parent = parent.parent
