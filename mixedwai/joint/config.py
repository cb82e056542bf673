"""The ``study.yaml`` model: which files make a study, and the options to run it with.

A study is either a folder laid out like ``sample_corpus/`` (``sessions.csv``,
``cases.csv``, ``transcripts/``, optionally ``codebook.yaml``, ``meta_inferences.csv``
and ``study.yaml``) or a ``study.yaml`` file naming its files. Paths in the YAML
are relative to the YAML file's folder.

Examples
--------
>>> cfg = load_study_config("sample_corpus")
>>> cfg.name, cfg.quant.k, cfg.quant.scores
('Working alliance patterns in supported employment (sample study)', 'auto', 'direct')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from mixedwai.errors import StudyConfigError

__all__ = [
    "ColumnsConfig",
    "QualConfig",
    "QuantConfig",
    "StudyConfig",
    "load_study_config",
]

_TABLE_NAMES = ("sessions", "cases")
_TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".sav")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnsConfig(_Model):
    """Column names in the study's tables (defaults follow mixedwai's vocabulary)."""

    case_id: str = "case_id"
    session: str = "session"
    es_id: str = "es_id"
    outcome: str = "job"
    days_to_outcome: str = "days_to_job"
    item_columns: dict[int, str] | None = None


class MeasureConfig(_Model):
    """Any repeated measure, instead of an instrument (``quant.measure`` in study.yaml).

    ``score_column`` (a ready score) or ``items`` (a column pattern such as
    ``bdi_*``), with the ``scale`` of the score or of each item; ``name`` is
    the measure's name in the outputs (default: from the column or pattern).
    See :func:`mixedwai.quant.instruments.measure.measure_instrument`.
    """

    name: str | None = None
    score_column: str | None = None
    items: str | None = None
    scale: tuple[float, float]

    @model_validator(mode="after")
    def _one_source(self) -> MeasureConfig:
        if (self.score_column is None) == (self.items is None):
            raise ValueError("give either score_column or items (a column pattern such as "
                             "bdi_*), not both and not neither")
        if not self.scale[0] < self.scale[1]:
            raise ValueError(f"scale {list(self.scale)}: low must be below high")
        return self


class QuantConfig(_Model):
    """Options of the quantitative strand."""

    instrument: str = "wai-s-es"
    measure: MeasureConfig | None = None
    min_n: int = Field(2, ge=1)
    level_order: dict[str, list[str]] | None = None
    n_sessions: int = Field(3, ge=2)
    scores: Literal["direct", "deviation"] = "direct"
    k: Literal["auto"] | int = "auto"
    k_rule: Literal["jump", "jump_all", "reduction"] = "jump"
    min_share: float = Field(0.10, ge=0, lt=1)
    max_k: int = Field(6, ge=2)
    n_boot: int = Field(100, ge=0)
    random_state: int = 0
    refine: Literal["kmeans"] | None = None
    tie_seeds: int = Field(20, ge=0)
    tie_max_n: int = Field(10_000, ge=10)
    slope_threshold: float = Field(0.15, gt=0)
    curvature_threshold: float = Field(0.15, gt=0)
    level_rule: Literal["grand_mean", "median"] = "grand_mean"
    pattern_names: dict[int, str] | None = None
    attributes: list[str] | None = None

    @field_validator("k")
    @classmethod
    def _k_at_least_two(cls, value: Literal["auto"] | int) -> Literal["auto"] | int:
        if value != "auto" and int(value) < 2:
            raise ValueError("k must be 'auto' or an integer >= 2")
        return value


class QualConfig(_Model):
    """Options of the qualitative strand.

    Attributes
    ----------
    codings : str or None
        People's codings: a REFI-QDA project (``.qdpx``) or a manual codings table
        (CSV/XLSX, see :func:`mixedwai.load_manual_codings`). When ``transcripts`` is
        a ``.qdpx``, its codings are the people's codings unless this names others.
    displays_use : {"rules", "people", "both"} or None
        Which codings the joint displays use: the codebook's rules, the people's
        codings, or both. Default: the people's when the study has some, else the rules'.
    default_speaker : str or None
        Speaker of a transcript without any speaker label (field notes, open answers):
        its whole text is one turn of this speaker (see :func:`mixedwai.load_corpus`).
    display_level : {"code", "category"}
        Themes of the statistics-by-themes display: codes (default) or categories.
    display_themes : list of str or None
        Which themes that display shows, in this order (default: every one coded in
        at least one interview).
    """

    codebook: str = "ross2008-en"
    codings: str | None = None
    displays_use: Literal["rules", "people", "both"] | None = None
    default_speaker: str | None = None
    codebooks: dict[str, str] | None = None
    unit: Literal["sentence", "turn", "paragraph"] | None = None
    speakers: list[str] | None = None
    case_pattern: str | None = None
    quote_codes: list[str] | None = None
    display_level: Literal["category", "code"] = "code"
    #: Codings made by people (manual-codings format, a ``coder`` column), paths relative
    #: to the study: with the rules' codings they give the report a reliability section.
    manual_codings: list[str] | None = None
    #: The coder the others (the rules included) are measured against; default: the first
    #: person, when the rules' codings sit beside people's.
    reference_coder: str | None = None
    display_themes: list[str] | None = None


class StudyConfig(_Model):
    """A whole study: files, column names and options.

    Attributes
    ----------
    root : pathlib.Path
        Folder the relative paths are resolved against.
    sessions, cases : pathlib.Path
        The session (long form) and case tables.
    transcripts : pathlib.Path or None
        Folder (or file) of interview transcripts, or a REFI-QDA project (``.qdpx``)
        whose text sources are the transcripts and whose codings are the people's
        (``None``: quantitative strand only).
    meta_inferences : pathlib.Path or None
        CSV or YAML of meta-inferences (see :func:`mixedwai.joint.load_meta_inferences`).
    file_mode : str or None
        Permission bits of the output files, in octal (``"0600"``: readable by their
        owner only, for identifiable data). By default new outputs get what the
        user's umask allows.
    quotes : pathlib.Path or None
        CSV or YAML of the quotes the researcher pins (theme, doc_id, segment_id, optional
        translation; see :func:`mixedwai.joint.displays.exemplars.load_pinned_quotes`):
        they win over the quotes chosen automatically.
    labels : dict of str to str
        Variable labels for the report's tables, by case-table column
        (``time_out_of_work: Time out of the labour market``); columns without
        one are shown with their name in words.
    """

    name: str = "Untitled study"
    root: Path
    sessions: Path
    cases: Path
    transcripts: Path | None = None
    meta_inferences: Path | None = None
    quotes: Path | None = None
    outcome_label: str = "obtained a job"
    no_outcome_label: str = "did not obtain a job"
    labels: dict[str, str] = {}
    columns: ColumnsConfig = ColumnsConfig()
    quant: QuantConfig = QuantConfig()
    qual: QualConfig = QualConfig()
    file_mode: str | None = None

    @field_validator("file_mode", mode="before")
    @classmethod
    def _octal(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"0{value:o}"  # YAML 1.1 reads an unquoted 0600 as the number 384
        text = str(value).strip()
        if not (isinstance(value, (str, int)) and len(text) <= 4 and text
                and set(text) <= set("01234567") and int(text, 8) <= 0o777):
            raise ValueError(f"expected permission bits in octal such as '0600' or '0640', "
                             f"got {value!r}")
        return text.zfill(4)

    @property
    def output_mode(self) -> int | None:
        """:attr:`file_mode` as a number (``0o600``), or None."""
        return None if self.file_mode is None else int(self.file_mode, 8)

    def input_files(self) -> list[Path]:
        """Every file (or folder) the study reads, which its outputs must never replace."""
        found = [self.root / "study.yaml", self.sessions, self.cases]
        found += [p for p in (self.transcripts, self.meta_inferences) if p is not None]
        return [p for p in found if p.exists()]


def _find_table(folder: Path, stem: str) -> Path | None:
    for suffix in _TABLE_SUFFIXES:
        candidate = folder / f"{stem}{suffix}"
        if candidate.exists():
            return candidate
    return None


_UNION_TAGS = {"int", "str", "float", "bool", "none", "dict", "list"}


def _key_path(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a YAML key path, without union-branch tags."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            continue
        text = str(item)
        if "[" in text or text in _UNION_TAGS:
            break
        parts.append(("." if parts else "") + text)
    return "".join(parts)


def _key_lines(yaml_path: Path) -> dict[str, int]:
    """Line number (1-based) of every mapping key in a YAML file, by key path."""
    import yaml

    if not yaml_path.exists():
        return {}
    try:
        root = yaml.compose(yaml_path.read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    found: dict[str, int] = {}

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                path = f"{prefix}.{key.value}" if prefix else str(key.value)
                found[path] = key.start_mark.line + 1
                walk(value, path)
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, f"{prefix}[{i}]")

    walk(root, "")
    return found


def load_study_config(path: str | Path) -> StudyConfig:
    """Read a study folder or a ``study.yaml`` into a validated :class:`StudyConfig`.

    Parameters
    ----------
    path : str or path
        A folder laid out like ``sample_corpus/`` (its ``study.yaml``, if any, is
        read) or a YAML file.

    Returns
    -------
    StudyConfig

    Raises
    ------
    StudyConfigError
        The folder or file does not exist, the YAML is invalid, a key is unknown
        or has a wrong type (the message names the key and the value), or a file
        it names is missing.

    Examples
    --------
    >>> cfg = load_study_config("sample_corpus/study.yaml")
    >>> cfg.sessions.name, cfg.transcripts.name
    ('sessions.csv', 'transcripts')
    """
    from mixedwai._yaml import read_yaml_text, safe_load

    path = Path(path)
    if path.is_dir():
        yaml_path = path / "study.yaml"
        root = path
    elif path.is_file():
        yaml_path = path
        root = path.parent
    else:
        raise StudyConfigError(f"{path}: no such study folder or study.yaml file")

    raw: dict[str, Any] = {}
    if yaml_path.exists():
        loaded = safe_load(read_yaml_text(yaml_path, error=StudyConfigError),
                           source=str(yaml_path), error=StudyConfigError)
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise StudyConfigError(
                f"{yaml_path}: expected a mapping of keys (name, sessions, cases, ...), "
                f"got {type(loaded).__name__}"
            )
        raw = dict(loaded)

    raw["root"] = root
    for key in _TABLE_NAMES:
        if key not in raw:
            found = _find_table(root, key)
            if found is None:
                raise StudyConfigError(
                    f"{root}: no {key!r} table; expected {key}.csv (or .xlsx/.sav) in the folder "
                    f"or a '{key}:' key in study.yaml"
                )
            raw[key] = found
        else:
            raw[key] = root / str(raw[key])
    if "transcripts" not in raw:
        raw["transcripts"] = root / "transcripts" if (root / "transcripts").is_dir() else None
    elif raw["transcripts"] is not None:
        raw["transcripts"] = root / str(raw["transcripts"])
    if "meta_inferences" not in raw:
        found = _find_table(root, "meta_inferences")
        if found is None and (root / "meta_inferences.yaml").exists():
            found = root / "meta_inferences.yaml"
        raw["meta_inferences"] = found
    elif raw["meta_inferences"] is not None:
        raw["meta_inferences"] = root / str(raw["meta_inferences"])
    if raw.get("quotes") is not None:
        raw["quotes"] = root / str(raw["quotes"])
    qual = raw.get("qual")
    if isinstance(qual, dict) and "codebook" in qual:
        candidate = root / str(qual["codebook"])
        if candidate.suffix.lower() in (".yaml", ".yml") or candidate.exists():
            qual = {**qual, "codebook": str(candidate)}
            raw["qual"] = qual
    elif (root / "codebook.yaml").exists():
        raw["qual"] = {**(qual or {}), "codebook": str(root / "codebook.yaml")}
    qual = raw.get("qual")
    if isinstance(qual, dict) and isinstance(qual.get("manual_codings"), str):
        qual = {**qual, "manual_codings": [qual["manual_codings"]]}
    if isinstance(qual, dict) and isinstance(qual.get("manual_codings"), list):
        raw["qual"] = {**qual, "manual_codings": [str(root / str(p))
                                                  for p in qual["manual_codings"]]}
    if isinstance(qual, dict) and qual.get("codings") is not None:
        raw["qual"] = {**qual, "codings": str(root / str(qual["codings"]))}

    try:
        config = StudyConfig.model_validate(raw)
    except ValidationError as exc:
        lines = _key_lines(yaml_path)
        grouped: dict[str, list[str]] = {}
        values: dict[str, Any] = {}
        for error in exc.errors():
            key = _key_path(error["loc"])
            grouped.setdefault(key, []).append(error["msg"])
            values.setdefault(key, error.get("input"))
        problems = []
        for key, messages in grouped.items():
            where = f" (line {lines[key]})" if key in lines else ""
            problems.append(
                f"  - {key} = {values[key]!r}{where}: {'; or '.join(dict.fromkeys(messages))}"
            )
        raise StudyConfigError(
            f"{yaml_path}: invalid study configuration:\n" + "\n".join(problems)
        ) from exc

    missing = [
        f"  - {key}: {getattr(config, key)}"
        for key in ("sessions", "cases", "transcripts", "meta_inferences", "quotes")
        if getattr(config, key) is not None and not getattr(config, key).exists()
    ]
    missing += [f"  - qual.manual_codings: {p}" for p in config.qual.manual_codings or []
                if not Path(p).exists()]
    if config.qual.codings is not None and not Path(config.qual.codings).exists():
        missing.append(f"  - qual.codings: {config.qual.codings}")
    if missing:
        raise StudyConfigError(
            f"{yaml_path}: files named in the study do not exist:\n" + "\n".join(missing)
        )
    return config
