"""The bilingual engineering glossary: find the concepts a Japanese or English text talks about.

Both matching implementations (OpenSearch and the database) describe members and projects by
these concepts, so a Japanese query meets an English profile. The glossary is a data file
(`data/engineering_glossary.txt`); it is re-read when it changes.
"""

import itertools
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

GLOSSARY_FILE = Path(__file__).resolve().parent / "data" / "engineering_glossary.txt"

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_ABBREVIATION = re.compile(r"^[A-Z0-9][A-Z0-9&.]{1,5}$")
_ENGLISH_TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]+")


def normalise(text: str) -> str:
    """NFKC, lower case, long vowels and dashes unified: the form every text is matched in."""
    return unicodedata.normalize("NFKC", text).lower()


def _stem(token: str) -> str:
    """A deliberately small English stemmer: plurals only (bridges → bridge)."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def english_tokens(text: str) -> str:
    """Normalised English words joined by spaces; other scripts become a '#' boundary."""
    tokens = []
    for token in _ENGLISH_TOKEN.findall(normalise(text).replace("-", " ")):
        tokens.append(_stem(token) if token[0].isalnum() and token.isascii() else "#")
    return " " + " ".join(tokens) + " "


# Words too common in project texts and profiles to tell members apart.
_STOPWORD_TEXT = """a an and are as at be by for from has have in is it of on or our that the
this to we will with who can staff project team plan new work worked working experience
practical preferred required selected also need someone question technical"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Kanji and katakana runs: Japanese content words (hiragana is mostly particles and endings).
_CONTENT_RUN = re.compile(r"[\u30a0-\u30ff\u3400-\u9fff\uf900-\ufaff]{2,}")


def text_terms(text: str) -> Counter:
    """A text's plain words: English word stems and Japanese character bigrams. Both matchers
    count these for what the glossary does not know (a tool, a method, a place)."""
    terms: Counter = Counter()
    for word in english_tokens(text).split():
        if word != "#" and len(word) > 2 and word not in STOPWORDS:
            terms[word] += 1
    for run in _CONTENT_RUN.findall(normalise(text)):
        for i in range(len(run) - 1):
            terms[run[i : i + 2]] += 1
    return terms


@dataclass(frozen=True)
class Concept:
    """One idea with all the ways staff write it."""

    id: str
    japanese: tuple[str, ...]
    english: tuple[str, ...]
    exclusions: tuple[str, ...] = ()
    weight: float = 1.0
    # Concepts this one is a kind of (bridge_seismic → bridge, seismic): a match of a longer,
    # narrower form hides the broader forms inside it, and matching follows these links.
    broader: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """A short bilingual label for reasons: 橋梁 / bridge."""
        parts = [p for p in (self.japanese[:1] + self.english[:1]) if p]
        return " / ".join(parts) or self.id


@dataclass
class ConceptMatch:
    concept: str
    surface: str
    start: int
    end: int


@dataclass
class Glossary:
    """Concepts and the matchers built from them."""

    concepts: dict[str, Concept]
    extra_forms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> "Glossary":
        concepts: dict[str, Concept] = {}
        weight = 1.0
        for raw_line in text.splitlines():
            line = raw_line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("@weight"):
                weight = float(line.split()[1])
                continue
            head, _sep, forms = line.partition(":")
            concept_id, _sep, broader = head.partition("<")
            forms, _sep, exclusions = forms.partition("!")
            japanese, _sep, english = forms.partition("|")
            concepts[concept_id.strip()] = Concept(
                id=concept_id.strip(),
                japanese=_split_forms(japanese),
                english=_split_forms(english),
                exclusions=_split_forms(exclusions),
                weight=weight,
                broader=_split_forms(broader),
            )
        unknown = {b for c in concepts.values() for b in c.broader} - set(concepts)
        if unknown:
            raise ValueError(f"broader concepts not in the glossary: {sorted(unknown)}")
        return cls(concepts)

    @cached_property
    def narrower(self) -> dict[str, tuple[str, ...]]:
        """Concept → the concepts that are kinds of it, directly or through others."""
        direct: dict[str, set[str]] = {}
        for concept in self.concepts.values():
            for broader in concept.broader:
                direct.setdefault(broader, set()).add(concept.id)
        closed: dict[str, tuple[str, ...]] = {}
        for concept_id in direct:
            seen, todo = set(), list(direct[concept_id])
            while todo:
                child = todo.pop()
                if child not in seen and child != concept_id:
                    seen.add(child)
                    todo.extend(direct.get(child, ()))
            closed[concept_id] = tuple(sorted(seen))
        return closed

    def broader_of(self, concept_id: str) -> tuple[str, ...]:
        concept = self.concepts.get(concept_id)
        return concept.broader if concept else ()

    def with_vocabulary(self, groups: list[list[str]]) -> "Glossary":
        """This glossary plus the curated tag vocabulary: each group (a tag's name, labels,
        merged names and synonyms) joins the concept one of its forms already names, or
        becomes a concept of its own."""
        concepts = dict(self.concepts)
        for forms in groups:
            known = Counter()
            for form in forms:
                known.update(self.concept_counts(form))
            # A new concept's id is stable across reloads: stored evidence refers to it.
            concept_id = (
                known.most_common(1)[0][0]
                if known
                else "tag:" + "_".join(normalise(forms[0]).split())
            )
            base = concepts.get(concept_id) or Concept(id=concept_id, japanese=(), english=())
            japanese = tuple(f for f in forms if _CJK.search(f) and f not in base.japanese)
            english = tuple(f for f in forms if not _CJK.search(f) and f not in base.english)
            concepts[concept_id] = replace(
                base, japanese=base.japanese + japanese, english=base.english + english
            )
        return Glossary(concepts)

    # --- matchers (built once per glossary) -------------------------------------------------

    @cached_property
    def _forms(self) -> list[tuple[str, str]]:
        """(form, concept id) for every form, including forms any script may use."""
        forms = []
        for concept in self.concepts.values():
            for form in concept.japanese + concept.english:
                forms.append((form, concept.id))
        return forms

    @cached_property
    def _substring_forms(self) -> dict[str, set[str]]:
        """Forms with Japanese characters: matched as substrings of the normalised text."""
        table: dict[str, set[str]] = {}
        for form, concept in self._forms:
            if _CJK.search(form):
                table.setdefault(normalise(form), set()).add(concept)
        return table

    @cached_property
    def _word_forms(self) -> dict[str, set[str]]:
        """Forms in Latin script: matched as whole words (plurals folded)."""
        table: dict[str, set[str]] = {}
        for form, concept in self._forms:
            if not _CJK.search(form) and not _ABBREVIATION.match(form):
                table.setdefault(english_tokens(form).strip(), set()).add(concept)
        return table

    @cached_property
    def _abbreviations(self) -> dict[str, set[str]]:
        """Upper-case abbreviations (IT, GIS, ITS), case-sensitive: 'it' and 'its' don't match."""
        table: dict[str, set[str]] = {}
        for form, concept in self._forms:
            if not _CJK.search(form) and _ABBREVIATION.match(form):
                table.setdefault(unicodedata.normalize("NFKC", form), set()).add(concept)
        return table

    @cached_property
    def _substring_trie(self) -> dict:
        return _trie((form, form) for form in self._substring_forms)

    @cached_property
    def _word_trie(self) -> dict:
        return _trie((form.split(" "), form) for form in self._word_forms)

    @cached_property
    def _abbreviation_pattern(self):
        if not self._abbreviations:
            return None
        alternatives = "|".join(
            re.escape(f) for f in sorted(self._abbreviations, key=len, reverse=True)
        )
        return re.compile(rf"(?<![A-Za-z0-9])({alternatives})(?![A-Za-z0-9])")

    @cached_property
    def _exclusion_patterns(self) -> dict[str, list[tuple[str, str]]]:
        """Per concept, contexts in which its forms do not count (水道 inside 下水道)."""
        return {
            concept.id: [(normalise(x), english_tokens(x)) for x in concept.exclusions]
            for concept in self.concepts.values()
            if concept.exclusions
        }

    # --- matching -----------------------------------------------------------------------------

    def matches(self, text: str) -> list[ConceptMatch]:
        """Every concept occurrence in a text, with the words that matched."""
        if not text:
            return []
        found: list[ConceptMatch] = []
        plain = normalise(text)
        for start, form in _walk(self._substring_trie, plain, range(len(plain))):
            for concept in self._substring_forms[form]:
                found.append(ConceptMatch(concept, f"plain:{form}", start, start + len(form)))
        words = english_tokens(text)
        tokens = words[1:-1].split(" ")
        # A word's span includes the space before it (" bridge"), as in the words stream.
        offsets = list(itertools.accumulate((len(t) + 1 for t in tokens[:-1]), initial=0))
        for index, form in _walk(self._word_trie, tokens, range(len(tokens))):
            start = offsets[index]
            for concept in self._word_forms[form]:
                found.append(ConceptMatch(concept, f"words:{form}", start, start + len(form) + 1))
        if self._abbreviation_pattern is not None:
            for match in self._abbreviation_pattern.finditer(unicodedata.normalize("NFKC", text)):
                for concept in self._abbreviations[match.group(1)]:
                    found.append(ConceptMatch(concept, match.group(1), match.start(), match.end()))
        return self._without_excluded(found, plain, words)

    def _without_excluded(self, found, plain, words):
        kept = []
        for match in found:
            exclusions = self._exclusion_patterns.get(match.concept)
            if exclusions and self._inside_exclusion(match, exclusions, plain, words):
                continue
            kept.append(match)
        return _one_per_mention(self._longest_matches(kept))

    def _is_kind_of(self, concept: str, other: str) -> bool:
        return concept in self.narrower.get(other, ())

    def _longest_matches(self, found: list[ConceptMatch]) -> list[ConceptMatch]:
        """Matches that no longer match of another concept overlaps: "zero emission vehicle" is
        about vehicles, not emissions; 橋梁点検 is bridge maintenance, not a second, generic
        点検; in 省エネルギー建築技術 the longer 省エネルギー建築 wins over 建築技術. Two linked
        concepts that overlap both count: 下水道管きょ更生 is sewer pipe work (下水道管きょ)
        and its rehabilitation (管きょ更生). A broader idea inside a narrower match is reached
        through the glossary's `<` links instead."""
        by_stream: dict[str, list[ConceptMatch]] = {}
        for match in found:
            by_stream.setdefault(_stream(match), []).append(match)
        kept = []
        for matches in by_stream.values():
            for match in matches:
                if not any(self._hides(other, match) for other in matches):
                    kept.append(match)
        return kept

    def _hides(self, other: ConceptMatch, match: ConceptMatch) -> bool:
        if other.concept == match.concept or not (
            other.start < match.end and match.start < other.end
        ):
            return False
        longer = other.end - other.start > match.end - match.start
        if other.start <= match.start and match.end <= other.end:
            return longer  # inside a longer match
        # Overlapping: linked concepts both count (下水道管きょ更生 is sewer pipe work and its
        # rehabilitation); of unrelated ones, the longer wins.
        linked = self._is_kind_of(other.concept, match.concept) or self._is_kind_of(
            match.concept, other.concept
        )
        return longer and not linked

    @staticmethod
    def _inside_exclusion(match, exclusions, plain, words) -> bool:
        stream_text = words if " " in match.surface or match.surface.isascii() else plain
        for plain_form, word_form in exclusions:
            needle = word_form.strip() if stream_text is words else plain_form
            if not needle:
                continue
            start = stream_text.find(needle)
            while start != -1:
                if start <= match.start and match.start < start + len(needle):
                    return True
                start = stream_text.find(needle, start + 1)
        return False

    def unexplained_words(self, text: str) -> list[tuple[str, list[str]]]:
        """The words of a text that no concept mention covers, each with its plain terms
        (text_terms): an English word and its stem, a Japanese run and its bigrams.

        A project's words count as plain words only where the glossary did not understand
        them, so a query does not favour members who wrote its concepts in its own language."""
        matches = self.matches(text)
        explained = Counter()
        plain = normalise(text)
        for match in sorted(matches, key=lambda m: -len(m.surface)):
            if _CJK.search(match.surface):
                plain = plain.replace(match.surface, " ")
            explained.update(text_terms(match.surface))
        words: list[tuple[str, list[str]]] = []
        # Reasons quote the project's own spelling ("Kubernetes"), not the normalised one.
        spelled = {normalise(w): w for w in re.findall(r"[^\W_][\w-]*", text)}
        for word in re.findall(r"[a-z0-9][a-z0-9-]*", plain):
            for stem in text_terms(word):
                if explained[stem]:
                    explained[stem] -= 1
                else:
                    words.append((spelled.get(word, word), [stem]))
        for run in _CONTENT_RUN.findall(plain):
            words.append((run, list(text_terms(run))))
        return words

    def concept_counts(self, text: str) -> Counter:
        """How often each concept is mentioned in a text."""
        return Counter(match.concept for match in self.matches(text))

    def describe(self, text: str) -> tuple[Counter, dict[str, str]]:
        """How often each concept is mentioned, and the words first used for it, from one
        pass over the text (the glossary's patterns are its most expensive part)."""
        counts: Counter = Counter()
        surfaces: dict[str, str] = {}
        # Japanese forms match in the normalised text; where normalising kept every position,
        # quote the text as written (干渉SAR解析, not 干渉sar解析).
        same_positions = len(normalise(text)) == len(text)
        for match in self.matches(text):
            counts[match.concept] += 1
            surface = match.surface
            if same_positions and _CJK.search(surface):
                surface = text[match.start : match.start + len(surface)]
            surfaces.setdefault(match.concept, surface)
        return counts, surfaces


_END = object()  # marks a trie node where a form ends


def _trie(entries) -> dict:
    """A trie over sequences (a string's characters, a phrase's words), ends marked _END."""
    root: dict = {}
    for sequence, form in entries:
        node = root
        for item in sequence:
            node = node.setdefault(item, {})
        node[_END] = form
    return root


def _walk(trie: dict, sequence, starts):
    """(start, form) for every form that begins at each start: at one start the longest and
    every shorter form it begins with (橋梁点検 and 橋梁) all match."""
    length = len(sequence)
    for start in starts:
        node, position = trie, start
        while position < length:
            node = node.get(sequence[position])
            if node is None:
                break
            position += 1
            form = node.get(_END)
            if form is not None:
                yield start, form


def _stream(match: ConceptMatch) -> str:
    return match.surface.split(":", 1)[0] if ":" in match.surface else "plain"


def _one_per_mention(found: list[ConceptMatch]) -> list[ConceptMatch]:
    """Overlapping matches of one concept (下水道管 and 管きょ in 下水道管きょ) are one mention."""
    mentions: list[ConceptMatch] = []
    last_end: dict[tuple[str, str], int] = {}
    for match in sorted(found, key=lambda m: (m.surface.split(":", 1)[0], m.start, -m.end)):
        stream = match.surface.split(":", 1)[0] if ":" in match.surface else "abbr"
        key = (match.concept, stream)
        if key in last_end and match.start < last_end[key]:
            last_end[key] = max(last_end[key], match.end)
            continue
        last_end[key] = match.end
        match.surface = match.surface.split(":", 1)[-1]
        mentions.append(match)
    return mentions


def _split_forms(text: str) -> tuple[str, ...]:
    return tuple(form.strip() for form in text.split(",") if form.strip())


_cache: dict[str, object] = {"key": None, "glossary": None, "stamp": None, "checked": None}
# Other processes see a curation change within this many seconds; this one at once.
VOCABULARY_CHECK_SECONDS = 5.0


def get_glossary() -> Glossary:
    """The glossary from the data file plus the curated tag vocabulary, rebuilt whenever
    either changes (the file is checked on every call, the database every few seconds)."""
    now = time.monotonic()
    checked = _cache["checked"]
    if checked is None or now - checked > VOCABULARY_CHECK_SECONDS:
        _cache["stamp"] = _vocabulary_stamp()
        _cache["checked"] = now
    key = (GLOSSARY_FILE.stat().st_mtime, _cache["stamp"])
    if _cache["key"] != key:
        glossary = Glossary.parse(GLOSSARY_FILE.read_text(encoding="utf-8"))
        _cache["glossary"] = glossary.with_vocabulary(_vocabulary_groups())
        _cache["key"] = key
    return _cache["glossary"]  # type: ignore[return-value]


def forget_vocabulary() -> None:
    """Rebuild from the data file and the database on the next call (after a curation)."""
    _cache["key"] = None
    _cache["checked"] = None


def _vocabulary_stamp():
    from django.db import DatabaseError
    from django.db.models import Count, Max

    from profiles.models import TagCuration

    try:
        stamp = TagCuration.objects.aggregate(latest=Max("updated_at"), total=Count("pk"))
    except DatabaseError:  # before migrations: the file alone
        return None
    return (stamp["latest"], stamp["total"])


def _vocabulary_groups() -> list[list[str]]:
    from django.db import DatabaseError

    from profiles.tag_vocabulary import vocabulary_groups

    try:
        return vocabulary_groups()
    except DatabaseError:
        return []
