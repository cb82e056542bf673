"""Exceptions and warnings raised by mixedwai.

Every error raised on bad input is a :class:`MixedWAIError`. Each subclass also
derives from the matching built-in (``ValueError``, ``FileNotFoundError`` ...), so
code written against the built-ins keeps working. Messages say *where* (file,
row, case, column, YAML key), *what was received* and *what was expected*.

Examples
--------
>>> from mixedwai.errors import MixedWAIError, ScaleError
>>> issubclass(ScaleError, MixedWAIError) and issubclass(ScaleError, ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "CodebookError",
    "ColumnError",
    "DataValueError",
    "DuplicateRowError",
    "EncodingFallbackWarning",
    "EsIdMismatchWarning",
    "ExclusionWarning",
    "InputFileError",
    "InstrumentError",
    "InsufficientDataError",
    "MixedWAIError",
    "MixedWAIWarning",
    "OptionError",
    "OutcomeValueError",
    "OutputError",
    "OutputKeptWarning",
    "ScaleError",
    "SmallSampleWarning",
    "StudyConfigError",
    "TieSensitivityWarning",
    "TranscriptError",
    "UnlinkedCaseWarning",
]


class MixedWAIError(Exception):
    """Base class of every error mixedwai raises on bad input or options."""


class InputFileError(MixedWAIError, OSError):
    """A file is missing, unreadable, empty, corrupt or of an unknown format."""


class OutputError(MixedWAIError, OSError):
    """An output cannot be written where asked.

    The path leaves the output folder, the file would replace an input or a file the
    researcher created or edited, or another run is writing into the same folder.
    """


class ColumnError(MixedWAIError, ValueError):
    """A required column is missing, or a column mapping names nothing."""


class DataValueError(MixedWAIError, ValueError):
    """Cell values are of the wrong type or outside what is allowed."""


class ScaleError(DataValueError):
    """Item responses outside the instrument's scale, or not numbers."""


class DuplicateRowError(DataValueError):
    """The same key (e.g. case and session) appears on more than one row."""


class OutcomeValueError(DataValueError):
    """An outcome cell that is not one of the accepted yes/no spellings."""


class InstrumentError(MixedWAIError, ValueError):
    """An instrument definition (YAML) is invalid or cannot be found."""


class CodebookError(MixedWAIError, ValueError):
    """A codebook (YAML) is invalid: unknown key, duplicate id, bad pattern ..."""


class TranscriptError(MixedWAIError, ValueError):
    """A transcript cannot be read or holds no usable turn."""


class StudyConfigError(MixedWAIError, ValueError):
    """A ``study.yaml`` or study folder is invalid."""


class OptionError(MixedWAIError, ValueError):
    """A function or command-line option has a value that is not allowed."""


class InsufficientDataError(MixedWAIError, ValueError):
    """Too few cases (or sessions, or documents) remain for the analysis asked."""


class MixedWAIWarning(UserWarning):
    """Base class of mixedwai's warnings: legal but doubtful situations."""


class SmallSampleWarning(MixedWAIWarning):
    """Expected counts or group sizes too small for the asymptotic reading of a test."""


class OutputKeptWarning(MixedWAIWarning):
    """A file of a previous run was edited since, so a rerun kept it instead of removing it."""


class ExclusionWarning(MixedWAIWarning):
    """Cases or rows were excluded from an analysis (they are always listed)."""


class UnlinkedCaseWarning(MixedWAIWarning):
    """A transcript or case that links to nothing on the other strand."""


class EncodingFallbackWarning(MixedWAIWarning):
    """A text file was not UTF-8 and was decoded as Windows-1252 / Latin-1."""


class EsIdMismatchWarning(MixedWAIWarning):
    """An ES id that contradicts the ES named in the case id (``ES#3_C1`` with es_id ES5)."""


class TieSensitivityWarning(MixedWAIWarning):
    """A clustering solution depends on how tied merge costs were broken."""
