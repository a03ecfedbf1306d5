"""Synonym candidates learned from the members' own data, proposed to the vocabulary curators.

Three kinds of evidence, mined in one pass over the live profiles (`refresh_proposals`):

- Tag and biography words: for a tag on at least MIN_TAG_PROFILES profiles, the words and
  two-word phrases of those profiles' biographies that are much more frequent there than in
  all biographies (lift, with a minimum support and share); words in the other language than
  the tag score higher (a Japanese tag 噴砂 whose profiles' English bios keep saying "sand
  boils" is probably the same thing).
- Japanese and English in one profile: in profiles that write both biographies, a tag or a
  glossary concept that one biography names and the other does not, paired with the words the
  glossary cannot explain in that other biography, counted across profiles.
- Compound heads: a tag whose last words (English) or last characters (Japanese, matched
  against tag names: no tokenizer is installed) are a frequent tag of its own, e.g.
  歩道除雪 → 除雪. Such a compound is mostly a *kind of* its head, not the same thing, and the
  glossary cannot be told about broader concepts from the admin (its `<` links live in the data
  file). So accepting a compound proposal only records the curator's decision (it is never
  proposed again); the compound becomes an alias of the head only when the curator says it
  means the same ("Accept as alias").

Candidate forms are only words the glossary (data file plus curated vocabulary) does not
know at all: a known form of another concept is a related idea, not a synonym, and as an alias
it would pull the tag's group into that concept. Stop words, numbers, short Latin tokens,
members' names, words only ever written capitalised (names of people and places), bureau and
job-category names and words ending like an organisation (局, 課 …) are left out. Biographies a
member keeps to themself are not read, as in matching.

Accepting adds the form to the tag's TagCuration aliases in one transaction; saving the
curation makes the glossary reload (search.signal_handlers), so matching uses it at once.
"""

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import transaction

from taggit.models import Tag

from search.glossary import Glossary, english_tokens, get_glossary, normalise, text_terms
from talenthub import clock

from .models import Bureau, JobCategory, ProfilePage, ProfileTag, SynonymProposal, TagCuration
from .privacy import Visibility
from .tag_vocabulary import all_curations, canonical

Kind = SynonymProposal.Kind
Status = SynonymProposal.Status

MIN_TAG_PROFILES = 3  # a tag (or a compound's head) must be on this many profiles
MIN_SUPPORT = 3  # profiles showing a pairing
MIN_SHARE = 0.3  # of the tag's profiles that show it
MIN_LIFT = 2.0  # how much more frequent among the tag's profiles than among all
OTHER_LANGUAGE_BONUS = 1.5
PER_TAG = 5  # proposals per tag and kind
EXAMPLES = 3  # example profiles kept as evidence
MIN_LATIN_LENGTH = 3
MAX_JAPANESE_LENGTH = 12
MAX_FORM_LENGTH = 100  # SynonymProposal.form

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_SCRIPT_SEGMENT = re.compile(r"[\u30a0-\u30ff]+|[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_DIGIT = re.compile(r"\d")

# Words of biographies that say how, when or where someone worked, not what they know
# (the glossary's own stop words are left out already).
_ENGLISH_STOPWORD_TEXT = """
i me my he him his she her they them their you your was were been being am its
about after before during since until over under into through between within without
while where when which what whose there then than more most much many several various
some any all each both other such only also very well now currently recently later
year years month months time times day days first second last next
responsible including include includes included involved joined moved led lead leading
managed managing worked working handled handling using used use based mainly mostly
especially particularly
bureau department division section office ministry agency government metropolitan
city ward prefecture municipal headquarters university company corporation ltd inc
"""
ENGLISH_STOPWORDS = frozenset(_ENGLISH_STOPWORD_TEXT.split())
_JAPANESE_STOPWORD_TEXT = (
    "担当 従事 経験 業務 現在 所属 関係 関連 事業 推進 実施 対応 検討 取組 以降 以来 年度 "
    "主任 主事 係長 課長 部長 技師 職員 勤務 入都 採用 異動 配属 各種 様々 多数 今後 希望 "
    "調査 計画 工事 管理 整備 作成 確認 支援 改善 導入 活用 分析 評価 作業 設計"
)
JAPANESE_STOPWORDS = frozenset(_JAPANESE_STOPWORD_TEXT.split())
_JAPANESE_STOP = re.compile("|".join(JAPANESE_STOPWORDS))
ORGANISATION_SUFFIXES = ("局", "課", "係", "庁", "省", "本部", "支所", "事務所", "役所")


# --- reading the members' texts ---------------------------------------------------------------


def is_japanese(text: str) -> bool:
    return bool(_JAPANESE.search(text))


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    terms = text_terms(word)
    return next(iter(terms)) if len(terms) == 1 else word.lower()


def _japanese_forms(run: str) -> set[str]:
    """A kanji/katakana run and its parts: split at generic words (担当, 業務 …) and where the
    script changes (ドローン測量 → ドローン, 測量)."""
    forms = set()
    for part in _JAPANESE_STOP.split(run):
        segments = _SCRIPT_SEGMENT.findall(part)
        for form in {part, *(segments if len(segments) > 1 else ())}:
            if 2 <= len(form) <= MAX_JAPANESE_LENGTH:
                forms.add(form)
    return forms


def _latin_forms(text: str, unexplained: Counter) -> set[str]:
    """Unexplained English word stems and two-word phrases of adjacent unexplained words."""
    forms, previous = set(), None
    for token in english_tokens(text).split():
        usable = (
            unexplained[token] > 0
            and len(token) >= MIN_LATIN_LENGTH
            and token not in ENGLISH_STOPWORDS
            and not _DIGIT.search(token)
        )
        if not usable:
            previous = None
            continue
        unexplained[token] -= 1
        forms.add(token)
        if previous:
            forms.add(f"{previous} {token}")
        previous = token
    return forms


def _mentions(text: str, name: str) -> bool:
    if is_japanese(name):
        return normalise(name) in normalise(text)
    return english_tokens(name) in english_tokens(text)


def candidate_forms(text: str, glossary: Glossary) -> set[str]:
    """The words and short phrases of a text that the glossary does not explain."""
    if not text:
        return set()
    forms, latin = set(), Counter()
    for word, terms in glossary.unexplained_words(text):
        if is_japanese(word):
            forms |= _japanese_forms(word)
        else:
            latin.update(terms)
    return forms | _latin_forms(text, latin)


def common_word_stems(text: str) -> set[str]:
    """Stems of the words a text writes in lower case or as an abbreviation (InSAR, GPR):
    a word only ever written Capitalised is a name (Kobayashi, Rotterdam)."""
    return {
        _stem(word.lower())
        for word in _LATIN_WORD.findall(unicodedata.normalize("NFKC", text))
        if not (word[0].isupper() and word[1:].islower())
    }


@dataclass
class ProfileText:
    pk: int
    tags: frozenset[int]  # canonical tag ids
    forms_ja_bio: set[str]
    forms_en_bio: set[str]
    bilingual: bool = False  # writes both biographies
    ja_anchors: set[int] = field(default_factory=set)  # tags the Japanese bio names
    en_anchors: set[int] = field(default_factory=set)

    @property
    def forms(self) -> set[str]:
        return self.forms_ja_bio | self.forms_en_bio


@dataclass
class Corpus:
    profiles: list[ProfileText]
    tag_names: dict[int, str]  # canonical tags in use
    tag_uses: Counter  # live profiles per canonical tag (with or without a biography)
    tag_profiles: dict[int, list[int]]
    common_stems: set[str]
    names: set[str]  # members' name parts
    bureaus: set[str]  # in both languages
    job_categories: set[str]


def _names_of(model) -> set[str]:
    pairs = model.objects.values_list("name_ja", "name_en")
    return {normalise(name) for pair in pairs for name in pair if name}


def load_corpus(glossary: Glossary) -> Corpus:
    """Every live profile's tags and biography forms, in a few queries (none per profile)."""
    curations = all_curations()
    tags = Tag.objects.in_bulk()
    root = {pk: canonical(tag, curations).pk for pk, tag in tags.items()}
    tags_of: dict[int, set[int]] = defaultdict(set)
    for page_id, tag_id in ProfileTag.objects.filter(content_object__live=True).values_list(
        "content_object_id", "tag_id"
    ):
        tags_of[page_id].add(root[tag_id])
    tag_uses = Counter(t for page_tags in tags_of.values() for t in page_tags)
    tag_profiles: dict[int, list[int]] = defaultdict(list)
    for page_id, page_tags in tags_of.items():
        for tag_id in page_tags:
            tag_profiles[tag_id].append(page_id)
    tag_names = {pk: tags[pk].name for pk in tag_uses}
    tag_concepts = {pk: set(glossary.concept_counts(name)) for pk, name in tag_names.items()}
    # A concept a biography names stands for the most used tag of that concept.
    concept_tag: dict[str, int] = {}
    for pk in sorted(tag_uses, key=lambda pk: (tag_uses[pk], -pk)):
        concept_tag.update(dict.fromkeys(tag_concepts[pk], pk))

    def anchors(text: str, page_tags) -> set[int]:
        """The tags a biography names: through their concept, or by their own name."""
        concepts = set(glossary.concept_counts(text))
        named = {concept_tag[c] for c in concepts if c in concept_tag}
        return named | {
            t for t in page_tags if tag_concepts[t] & concepts or _mentions(text, tag_names[t])
        }

    profiles, names, common = [], set(), set()
    rows = ProfilePage.objects.live().values_list(
        "pk", "name_ja", "name_en", "bio_ja", "bio_en", "visibility_bio"
    )
    for pk, name_ja, name_en, bio_ja, bio_en, visibility in rows:
        names.update(normalise(f"{name_ja} {name_en}").split())
        if visibility == Visibility.PRIVATE or not (bio_ja or bio_en):
            continue
        page_tags = frozenset(tags_of.get(pk, ()))
        text = ProfileText(
            pk, page_tags, candidate_forms(bio_ja, glossary), candidate_forms(bio_en, glossary)
        )
        if bio_ja and bio_en:
            text.bilingual = True
            text.ja_anchors, text.en_anchors = (
                anchors(bio_ja, page_tags),
                anchors(bio_en, page_tags),
            )
        common |= common_word_stems(f"{bio_ja}\n{bio_en}")
        profiles.append(text)
    bureaus, job_categories = _names_of(Bureau), _names_of(JobCategory)
    return Corpus(
        profiles, tag_names, tag_uses, tag_profiles, common, names, bureaus, job_categories
    )


# --- mining -----------------------------------------------------------------------------------


@dataclass
class Candidate:
    tag_id: int
    form: str
    kind: str
    score: float
    support: int
    evidence: list[int]


def associations(docs, kind: str, min_anchor: int = MIN_SUPPORT) -> list[Candidate]:
    """(anchor, form) pairs that occur together in `docs` — (profile id, anchor tag ids,
    forms) — far more often than chance: support ≥ MIN_SUPPORT, share of the anchor's docs
    ≥ MIN_SHARE, lift ≥ MIN_LIFT. Score: share × log2(lift)."""
    docs = list(docs)
    total = len(docs)
    anchor_docs = Counter(a for _pk, anchors, _forms in docs for a in anchors)
    form_docs = Counter(f for _pk, _anchors, forms in docs for f in forms)
    pairs: Counter = Counter()
    examples: dict[tuple, list[int]] = defaultdict(list)
    for pk, anchors, forms in docs:
        for anchor in anchors:
            if anchor_docs[anchor] < min_anchor:
                continue
            for form in forms:
                if form_docs[form] >= MIN_SUPPORT:
                    pairs[anchor, form] += 1
                    if len(examples[anchor, form]) < EXAMPLES:
                        examples[anchor, form].append(pk)
    found = []
    for (anchor, form), together in pairs.items():
        share = together / anchor_docs[anchor]
        lift = together * total / (anchor_docs[anchor] * form_docs[form])
        if together >= MIN_SUPPORT and share >= MIN_SHARE and lift >= MIN_LIFT:
            score = share * math.log2(lift)
            found.append(Candidate(anchor, form, kind, score, together, examples[anchor, form]))
    return found


def mine_biographies(corpus: Corpus) -> list[Candidate]:
    docs = [(p.pk, p.tags, p.forms) for p in corpus.profiles]
    found = associations(docs, Kind.BIOGRAPHY, min_anchor=MIN_TAG_PROFILES)
    for candidate in found:
        if is_japanese(candidate.form) != is_japanese(corpus.tag_names[candidate.tag_id]):
            candidate.score *= OTHER_LANGUAGE_BONUS
    return found


def mine_bilingual(corpus: Corpus) -> list[Candidate]:
    """What one biography names and the other does not, against the other's unknown words."""
    both = [p for p in corpus.profiles if p.bilingual]
    # Only the other language's words: a Japanese bio's GIS is no translation of anything.
    english = {p.pk: {f for f in p.forms_en_bio if not is_japanese(f)} for p in both}
    japanese = {p.pk: {f for f in p.forms_ja_bio if is_japanese(f)} for p in both}
    ja_to_en = [(p.pk, p.ja_anchors - p.en_anchors, english[p.pk]) for p in both]
    en_to_ja = [(p.pk, p.en_anchors - p.ja_anchors, japanese[p.pk]) for p in both]
    return associations(ja_to_en, Kind.BILINGUAL) + associations(en_to_ja, Kind.BILINGUAL)


def _head_candidates(name: str) -> list[str]:
    """The compound's possible heads, longest first: its last words, or last characters."""
    plain = normalise(name)
    if is_japanese(plain):
        return [plain[i:] for i in range(1, len(plain) - 1)]
    words = plain.replace("-", " ").split()
    return [" ".join(words[i:]) for i in range(1, len(words))]


def mine_compounds(corpus: Corpus, glossary: Glossary) -> list[Candidate]:
    by_name = {}
    for pk, name in corpus.tag_names.items():
        if corpus.tag_uses[pk] >= MIN_TAG_PROFILES:
            by_name[normalise(name).replace("-", " ")] = pk
    found = []
    for pk, name in corpus.tag_names.items():
        head = next((by_name[h] for h in _head_candidates(name) if h in by_name), None)
        # Both known: the glossary has decided how they relate (下水道 is not a 水道).
        if head is None or (
            glossary.concept_counts(name) and glossary.concept_counts(corpus.tag_names[head])
        ):
            continue
        profiles = corpus.tag_profiles[pk]
        with_head = len(set(profiles) & set(corpus.tag_profiles[head]))
        score = math.log2(1 + len(profiles)) * (1 + with_head / len(profiles))
        found.append(
            Candidate(
                head, normalise(name), Kind.COMPOUND, score, len(profiles), profiles[:EXAMPLES]
            )
        )
    return found


def mine_dictionary(corpus: Corpus) -> list[Candidate]:
    """What JMdict (the Japanese–English dictionary, through jamdict) gives for a Japanese
    tag's exact headword: its other spellings (溶接 → 熔接) and the English glosses of its
    first senses (除草 → weeding). select() keeps those the glossary does not know and, for
    English, only words the members' biographies use."""
    found = []
    for pk, name in corpus.tag_names.items():
        uses = corpus.tag_uses[pk]
        if uses < MIN_TAG_PROFILES or not is_japanese(name):
            continue
        for form in dictionary_forms(name):
            found.append(
                Candidate(
                    pk,
                    form,
                    Kind.DICTIONARY,
                    math.log2(1 + uses),
                    uses,
                    corpus.tag_profiles[pk][:EXAMPLES],
                )
            )
    return found


DICTIONARY_SENSES = 2  # later senses drift from the tag's meaning
MAX_GLOSS_WORDS = 4


@lru_cache(maxsize=1)
def _jmdict():
    from jamdict import Jamdict

    return Jamdict()


def dictionary_forms(headword: str) -> list[str]:
    """JMdict's other spellings and short English glosses for an exact headword."""
    forms: list[str] = []
    result = _jmdict().lookup(headword, strict_lookup=True, lookup_chars=False, lookup_ne=False)
    for entry in result.entries:
        spellings = [k.text for k in entry.kanji_forms] + [k.text for k in entry.kana_forms]
        if headword not in spellings:
            continue
        forms += [k.text for k in entry.kanji_forms if k.text != headword]
        for sense in entry.senses[:DICTIONARY_SENSES]:
            for gloss in sense.gloss:
                # "(esp.) ..." notes and "to ..." verb forms are not names of an expertise.
                text = re.sub(r"\([^)]*\)", "", gloss.text).strip().removeprefix("to ").lower()
                if text and len(text.split()) <= MAX_GLOSS_WORDS:
                    forms.append(text)
    return list(dict.fromkeys(forms))


def is_excluded(form: str, corpus: Corpus) -> bool:
    """Stop words, numbers, short tokens, names of people and organisations."""
    if _DIGIT.search(form):
        return True
    if is_japanese(form):
        return (
            form in JAPANESE_STOPWORDS
            or form.endswith(ORGANISATION_SUFFIXES)
            or form.removesuffix("職") in corpus.job_categories  # 土木職: a job, not expertise
            or any(bureau in form for bureau in corpus.bureaus if is_japanese(bureau))
            or _contains_name(form, corpus.names)
        )
    # English bureau names ("Bureau of Construction") fall to the stop words bureau, of.
    return any(
        len(word) < MIN_LATIN_LENGTH
        or word in ENGLISH_STOPWORDS
        or word in corpus.names
        or word not in corpus.common_stems
        for word in form.split()
    )


def _contains_name(form: str, names: set[str]) -> bool:
    """Whether a Japanese form contains a member's family or given name (2–4 characters)."""
    return any(
        form[i:j] in names
        for i in range(len(form))
        for j in range(i + 2, min(len(form), i + 4) + 1)
    )


def _nested(short: str, long: str) -> bool:
    if is_japanese(short):
        return normalise(short) in normalise(long)
    return english_tokens(short) in english_tokens(long)  # whole words: " insar " in PS-InSAR


def select(
    candidates: list[Candidate], corpus: Corpus, glossary: Glossary, decided: set[tuple]
) -> list[Candidate]:
    """The best few new forms per tag and kind, one proposal per (tag, form)."""
    by_tag: dict[tuple, list[Candidate]] = defaultdict(list)
    for c in candidates:
        tag_name = corpus.tag_names[c.tag_id]
        # A part of the tag, or the tag inside a longer phrase, is not another name for it.
        nested = _nested(c.form, tag_name) or _nested(tag_name, c.form)
        # A compound is a tag's name: only words taken from biographies need the filters.
        mined = c.kind != Kind.COMPOUND
        if len(c.form) > MAX_FORM_LENGTH or (mined and (nested or is_excluded(c.form, corpus))):
            continue
        by_tag[c.tag_id, c.kind].append(c)
    chosen: dict[tuple, Candidate] = {}
    for group in by_tag.values():
        # A word inside a phrase that is nearly as well supported is the same evidence (and
        # stays out when the curators rejected the phrase).
        kept = [
            c
            for c in group
            if (c.tag_id, c.form) not in decided
            and not any(
                o.form != c.form and _nested(c.form, o.form) and o.support >= 0.8 * c.support
                for o in group
            )
            and (c.kind == Kind.COMPOUND or not glossary.concept_counts(c.form))
        ]
        for c in sorted(kept, key=lambda c: -c.score)[:PER_TAG]:
            key = (c.tag_id, c.form)
            if key not in chosen or chosen[key].score < c.score:
                chosen[key] = c
    return sorted(chosen.values(), key=lambda c: -c.score)


def mine(corpus: Corpus, glossary: Glossary, decided: set[tuple] = frozenset()) -> list[Candidate]:
    candidates = mine_biographies(corpus) + mine_bilingual(corpus)
    candidates += mine_compounds(corpus, glossary) + mine_dictionary(corpus)
    return select(candidates, corpus, glossary, decided)


# --- storing and deciding ---------------------------------------------------------------------


@dataclass
class RefreshResult:
    found: int = 0
    new: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0  # decided proposals left as they were


def refresh_proposals() -> RefreshResult:
    """Mine again and store: new candidates are proposed, open proposals get fresh numbers
    (or go, when the data no longer supports them), decisions stay."""
    glossary = get_glossary()
    existing = {(p.tag_id, p.form): p for p in SynonymProposal.objects.all()}
    decided = {key for key, p in existing.items() if p.status != Status.PROPOSED}
    found = mine(load_corpus(glossary), glossary, decided)
    result = RefreshResult(found=len(found), kept=len(decided))
    now = clock.now()
    new, changed = [], []
    for c in found:
        values = {"kind": c.kind, "score": c.score, "support": c.support, "evidence": c.evidence}
        proposal = existing.get((c.tag_id, c.form))
        if proposal is None:
            new.append(SynonymProposal(tag_id=c.tag_id, form=c.form, **values))
        else:
            for name, value in values.items():
                setattr(proposal, name, value)
            proposal.updated_at = now
            changed.append(proposal)
    found_keys = {(c.tag_id, c.form) for c in found}
    stale = [p.pk for key, p in existing.items() if key not in found_keys and key not in decided]
    with transaction.atomic():
        # Only open proposals change: a decision taken meanwhile is never overwritten.
        SynonymProposal.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
        open_ids = set(
            SynonymProposal.objects.filter(
                pk__in=[p.pk for p in changed], status=Status.PROPOSED
            ).values_list("pk", flat=True)
        )
        changed = [p for p in changed if p.pk in open_ids]
        fields = ["kind", "score", "support", "evidence", "updated_at"]
        SynonymProposal.objects.bulk_update(changed, fields, batch_size=500)
        result.removed, _ = SynonymProposal.objects.filter(
            pk__in=stale, status=Status.PROPOSED
        ).delete()
    result.new, result.updated = len(new), len(changed)
    return result


@dataclass
class Decision:
    proposal: SynonymProposal
    changed: bool  # False: it was already decided so
    alias_added: bool = False


def _add_alias(tag: Tag, form: str) -> bool:
    curation, _created = TagCuration.objects.select_for_update().get_or_create(tag=tag)
    known = {normalise(f) for f in (tag.name, curation.label_ja, curation.label_en)}
    known |= {normalise(alias) for alias in curation.alias_list}
    if normalise(form) in known:
        return False
    curation.aliases = "\n".join([*curation.alias_list, form])
    curation.save()  # the glossary reloads with it
    return True


@transaction.atomic
def accept_proposal(proposal_id: int, user, as_alias: bool | None = None) -> Decision:
    """Accept: the form becomes an alias of the tag (a compound only when `as_alias`).
    Accepting again, or a form that is already an alias, changes nothing."""
    proposal = SynonymProposal.objects.select_for_update().select_related("tag")
    proposal = proposal.get(pk=proposal_id)
    if as_alias is None:
        as_alias = proposal.kind != Kind.COMPOUND
    alias_added = _add_alias(proposal.tag, proposal.form) if as_alias else False
    changed = proposal.status != Status.ACCEPTED
    if changed:
        _decide(proposal, Status.ACCEPTED, user)
    return Decision(proposal, changed or alias_added, alias_added)


@transaction.atomic
def reject_proposal(proposal_id: int, user) -> Decision:
    """Reject an open proposal: later runs never propose it again. An accepted one stays
    accepted (its alias may already be in use)."""
    proposal = SynonymProposal.objects.select_for_update().select_related("tag")
    proposal = proposal.get(pk=proposal_id)
    if proposal.status != Status.PROPOSED:
        return Decision(proposal, changed=False)
    _decide(proposal, Status.REJECTED, user)
    return Decision(proposal, changed=True)


def _decide(proposal: SynonymProposal, status: str, user) -> None:
    proposal.status, proposal.decided_by, proposal.decided_at = status, user, clock.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])


def snippet(text: str, form: str, width: int = 30) -> str:
    """The words around the first use of `form` in a text ("" when it is not there)."""
    plain = normalise(text)
    shown = text if len(plain) == len(text) else plain
    needles = [form] if is_japanese(form) else [form, form[:-1]]  # facility ← facilities
    for needle in needles:
        start = plain.find(needle) if needle else -1
        if start != -1:
            begin, end = max(0, start - width), min(len(shown), start + len(needle) + width)
            prefix, suffix = "…" * (begin > 0), "…" * (end < len(shown))
            return prefix + " ".join(shown[begin:end].split()) + suffix
    return ""
