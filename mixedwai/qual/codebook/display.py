"""Printing a codebook as an indented tree (what ``mixedwai codebook check`` shows)."""

from __future__ import annotations

from mixedwai.qual.codebook.model import Codebook, _walk

__all__ = ["codebook_tree"]


def codebook_tree(codebook: Codebook) -> str:
    """The codebook as an indented tree with the number of rules of each code.

    Parameters
    ----------
    codebook : Codebook
        A loaded codebook.

    Returns
    -------
    str
        A header line (name, version, language, unit, speakers), one line per
        category (``id  label``) and per code, indented by depth, with
        ``[lemmas n, phrases n, patterns n]`` or ``[manual only]``, then what a
        negated match does when it is not dropped (``negated: keep``,
        ``negated -> goal_disagreement``) and the code's own speakers, and a
        total line.

    Examples
    --------
    >>> from mixedwai.qual.codebook.loading import codebook_from_yaml
    >>> cb = codebook_from_yaml('''
    ... name: Demo
    ... version: "1"
    ... language: en
    ... categories:
    ...   - id: alliance
    ...     label: Alliance components
    ...     codes:
    ...       - id: bond
    ...         label: Bond and trust
    ...         match: {lemmas: [trust, confide], phrases: [on the same page]}
    ...         when_negated: repair
    ...         codes:
    ...           - id: repair
    ...             label: Repair
    ...             speakers: [ES]
    ... ''')
    >>> print(codebook_tree(cb))
    Demo  (version 1, language en, unit sentence, speakers: everyone)
    alliance  Alliance components
      bond  Bond and trust  [lemmas 2, phrases 1, patterns 0]  negated -> repair
        repair  Repair  [manual only]  speakers: ES
    1 category, 2 codes (1 with match rules, 1 manual only)
    """
    speakers = ", ".join(codebook.speakers) if codebook.speakers else "everyone"
    out = [
        f"{codebook.name}  (version {codebook.version}, language {codebook.language}, "
        f"unit {codebook.unit}, speakers: {speakers})"
    ]
    n_codes = n_rules = 0
    for cat in codebook.categories:
        out.append(f"{cat.id}  {cat.label}")
        for code, _cat, _parent, depth in _walk(cat.codes, cat.id, None, 1):
            rules = code.match
            n_codes += 1
            if rules.is_empty:
                counts = "[manual only]"
            else:
                n_rules += 1
                counts = (
                    f"[lemmas {len(rules.lemmas)}, phrases {len(rules.phrases)}, "
                    f"patterns {len(rules.patterns)}]"
                )
            extra = ""
            policy = codebook.when_negated_of(code.id) if not rules.is_empty else "drop"
            if policy in ("flag", "keep"):
                extra += f"  negated: {policy}"
            elif policy != "drop":
                extra += f"  negated -> {policy}"
            if code.speakers:
                extra += f"  speakers: {', '.join(code.speakers)}"
            out.append(f"{'  ' * depth}{code.id}  {code.label}  {counts}{extra}")
    n_cat = len(codebook.categories)
    out.append(
        f"{n_cat} categor{'y' if n_cat == 1 else 'ies'}, {n_codes} code{'s' * (n_codes != 1)} "
        f"({n_rules} with match rules, {n_codes - n_rules} manual only)"
    )
    return "\n".join(out)
