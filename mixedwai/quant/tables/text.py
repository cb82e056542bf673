"""How publication tables write numbers: APA-style counts, percentages, means and p-values.

Examples
--------
>>> n_pct(5, 27.777), m_sd(6.5541, 0.1264), p_text(0.5233), p_text(0.0004)
('5 (27.8)', '6.55 (0.13)', '.52', '< .001')
"""

from __future__ import annotations

import math

__all__ = ["DASH", "coefficient", "m_sd", "n_pct", "number", "p_text"]

#: What an empty statistic shows (an SD of one case, a mean of none).
DASH = "—"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: object, digits: int = 2) -> str:
    """A number with ``digits`` decimals; a dash when missing.

    Examples
    --------
    >>> number(6.549, 2), number(float("nan"))
    ('6.55', '—')
    """
    if _missing(value):
        return DASH
    return f"{float(value):.{digits}f}"  # type: ignore[arg-type]


def coefficient(value: object) -> str:
    """A statistic that cannot exceed 1 (kappa, alpha, recall) the APA way: two decimals,
    no leading zero, never ``-.00``; a dash when undefined.

    Examples
    --------
    >>> coefficient(0.771), coefficient(-0.003), coefficient(-0.011), coefficient(1.0)
    ('.77', '.00', '-.01', '1.00')
    """
    if _missing(value):
        return DASH
    text = f"{round(float(value), 2) + 0.0:.2f}"  # type: ignore[arg-type]  # + 0.0: no -0.00
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def n_pct(n: object, pct: object, digits: int = 1) -> str:
    """``n (%)``, the percentage with ``digits`` decimals.

    Examples
    --------
    >>> n_pct(5, 27.777)
    '5 (27.8)'
    """
    if _missing(n):
        return DASH
    return f"{int(n)} ({number(pct, digits)})"  # type: ignore[call-overload]


def m_sd(mean: object, sd: object, digits: int = 2) -> str:
    """``M (SD)``; a dash for an SD that does not exist (one case).

    Examples
    --------
    >>> m_sd(77.0, float("nan"))
    '77.00 (—)'
    """
    if _missing(mean):
        return DASH
    return f"{number(mean, digits)} ({number(sd, digits)})"


def p_text(p: object) -> str:
    """A p-value the APA way: no leading zero, two decimals, ``< .001`` when tiny.

    Examples
    --------
    >>> p_text(0.0042), p_text(0.5233)
    ('.004', '.52')
    """
    if _missing(p):
        return DASH
    value = float(p)  # type: ignore[arg-type]
    if value < 0.001:
        return "< .001"
    digits = 3 if value < 0.01 else 2
    return f"{value:.{digits}f}".lstrip("0") if value < 1 else "1.00"
