"""A document model of the flattened article text: lines, sections, paragraphs, sentences.

Line numbers are 1-based and always those of the source text as given, so a row's
``source_line`` can be checked against the raw file. Normalisation only touches what is
invisible or layout (BOM, CR, NBSP and other odd spaces, trailing blanks); it never changes
dashes or letters, so quotes stay verbatim.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from functools import cached_property

from transforms.citations import Citation, find_citations

BOM = "\ufeff"
# Spaces that render like a blank but would break word-boundary regexes.
# Spaces folded to " " and invisible characters removed (str.replace per character is
# twenty times faster than one regex over the whole article).
ODD_SPACES = "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\t"
ZERO_WIDTHS = "\u200b\u200c\u200d\u2060"
# A heading in the flattened text: a short line with no sentence punctuation at its end and no
# citation markers, standing alone between blank lines.
HEADING_MAX_CHARS = 90
HEADING_RE = re.compile(r"^[^\s\[].*[^.:;,\]\"”]$")
REFERENCE_ITEM_RE = re.compile(r"^\s*\d+\.\s+\^")
# Sentence boundary: terminal punctuation, optional closing quote, optional citation markers,
# then white space and something that can start a sentence.
# The match starts at the punctuation itself (a literal class lets the scan skip ahead fast).
SENTENCE_END_RE = re.compile(r"""[.!?]["”’']?(?:\[[^\]\n]{1,40}\])*(?=\s+[A-Z0-9"“‘'(])""")
# Words whose trailing period is not a sentence end.
ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "gen",
        "col",
        "lt",
        "jr",
        "sr",
        "no",
        "vs",
        "p",
        "pp",
        "inc",
        "ltd",
        "co",
        "e.g",
        "i.e",
        "etc",
        "approx",
        "fig",
        "vol",
        "ed",
        "eds",
        "rev",
    }
)
LAST_WORD_RE = re.compile(r"([A-Za-z.]+)\.$")
ABBREVIATION_TAIL_CHARS = 24
INITIALS_RE = re.compile(r"(?:[A-Z]\.)*[A-Z]")  # initials and U.S., U.N., D.C.
# Paragraphs whose sentences are kept: a history worker reads hundreds of revisions that share
# all but a paragraph or two (about 300 body paragraphs a revision; a few revisions' worth).
SENTENCE_CACHE_SIZE = 4096


def normalize_text(text: str) -> str:
    """Fold encoding and layout noise while keeping line numbering and visible characters."""
    text = text.removeprefix(BOM)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for character in ZERO_WIDTHS:
        text = text.replace(character, "")
    for character in ODD_SPACES:
        text = text.replace(character, " ")
    return "\n".join(line.rstrip() for line in text.split("\n"))


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int
    start: int  # character offset within the line
    citations: tuple[Citation, ...]

    @cached_property
    def reference_numbers(self) -> tuple[int, ...]:
        return tuple(c.number for c in self.citations if c.kind == "reference")


@dataclass(frozen=True)
class Paragraph:
    line: int
    text: str
    section: str | None

    @cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        return paragraph_sentences(self.text, self.line)


@dataclass(frozen=True)
class Section:
    title: str
    start_line: int  # the heading line itself
    end_line: int  # last line before the next heading


@dataclass(frozen=True)
class ReferenceAnchor:
    """What the rendered HTML says of one reference list item and its flattened text does not:
    the ref's name (from its ``cite_note-<name>-<n>`` anchor; None for an unnamed ref) and the
    hrefs of its external links, in order. ``line`` is the item's 1-based line in the text."""

    line: int
    name: str | None = None
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    lines: tuple[str, ...]
    sections: tuple[Section, ...] = field(default=())
    # Facts of the reference list only HTML shows (ingestion/html_text.py); none for text.
    reference_anchors: tuple[ReferenceAnchor, ...] = field(default=())

    @classmethod
    def from_text(cls, text: str, reference_anchors: tuple[ReferenceAnchor, ...] = ()) -> Document:
        lines = tuple(normalize_text(text).split("\n"))
        return cls(
            lines=lines,
            sections=tuple(_find_sections(lines)),
            reference_anchors=tuple(reference_anchors),
        )

    def reference_anchor(self, line_number: int) -> ReferenceAnchor | None:
        """The HTML's facts of the reference list item on a line, if the source was HTML."""
        if not self.reference_anchors:
            return None
        by_line = self.memo(
            "reference_anchors", lambda: {a.line: a for a in self.reference_anchors}
        )
        return by_line.get(line_number)

    def memo(self, key: str, compute):
        """Derived results computed once per document (several extractors need them)."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def line(self, number: int) -> str:
        return self.lines[number - 1]

    def numbered_lines(self, start: int = 1, end: int | None = None):
        """Yield (line_number, text) for the 1-based inclusive range."""
        end = len(self.lines) if end is None else end
        for number in range(start, end + 1):
            yield number, self.lines[number - 1]

    def section_of(self, line_number: int) -> str | None:
        """Title of the section a line is in (None before the first heading)."""
        starts = self.memo("section_starts", lambda: [s.start_line for s in self.sections])
        index = bisect.bisect_right(starts, line_number) - 1
        return self.sections[index].title if index >= 0 else None

    def find_section(self, pattern: re.Pattern[str]) -> Section | None:
        return next((s for s in self.sections if pattern.search(s.title)), None)

    @cached_property
    def body_end(self) -> int:
        """Last line of the article body: everything before the first notes/references list."""
        for number, text in self.numbered_lines():
            if REFERENCE_ITEM_RE.match(text):
                return number - 1
        return len(self.lines)

    @cached_property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        """Body lines with prose; in the flattened text each paragraph is one line."""
        return tuple(
            Paragraph(line=number, text=text, section=self.section_of(number))
            for number, text in self.numbered_lines(1, self.body_end)
            if text.strip()
        )

    def sentences(self):
        for paragraph in self.paragraphs:
            yield from paragraph.sentences

    def body_citations(self):
        """Yield (line number, citation) for every marker in the body, in reading order.

        Read from the sentences, which are parsed anyway: they cover every non-blank body
        line, and a sentence boundary never falls inside a marker.
        """
        for sentence in self.sentences():
            for citation in sentence.citations:
                yield sentence.line, citation

    def cited_sentences(self, paragraphs=None):
        """Yield (sentence, reference numbers, citation rule) under the one documented rule:
        a sentence's own markers (inside it or closing it); when it has none, the next
        markers in the same paragraph (rule ``next_in_paragraph``); else none."""
        for paragraph in self.paragraphs if paragraphs is None else paragraphs:
            sentences = paragraph.sentences
            for index, sentence in enumerate(sentences):
                own = list(dict.fromkeys(sentence.reference_numbers))
                if own:
                    yield sentence, own, "sentence"
                    continue
                following = next((s for s in sentences[index + 1 :] if s.reference_numbers), None)
                if following is not None:
                    first_cluster = _first_marker_cluster(following)
                    yield sentence, first_cluster, "next_in_paragraph"
                else:
                    yield sentence, [], "none"


def _is_heading(lines: tuple[str, ...], index: int) -> bool:
    text = lines[index]
    if not text or len(text) > HEADING_MAX_CHARS or not HEADING_RE.match(text):
        return False
    if REFERENCE_ITEM_RE.match(text):
        return False
    before_blank = index == 0 or not lines[index - 1].strip()
    after_blank = index + 1 >= len(lines) or not lines[index + 1].strip()
    return before_blank and after_blank


def _find_sections(lines: tuple[str, ...]):
    starts = [i for i in range(len(lines)) if _is_heading(lines, i)]
    for position, index in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        yield Section(title=lines[index].strip(), start_line=index + 1, end_line=end)


@functools.lru_cache(maxsize=SENTENCE_CACHE_SIZE)
def paragraph_sentences(text: str, line: int) -> tuple[Sentence, ...]:
    """``split_sentences`` of a paragraph, once per worker for the same text on the same line
    (Sentences are frozen, so documents may share them)."""
    return tuple(split_sentences(text, line))


def split_sentences(text: str, line: int) -> list[Sentence]:
    """Split a paragraph into sentences; citation markers stay with the sentence they close."""
    sentences: list[Sentence] = []
    start = 0
    for match in SENTENCE_END_RE.finditer(text):
        end = match.end()
        candidate = text[start:end]
        if _ends_with_abbreviation(text[start : match.start() + 1]):
            continue
        _append_sentence(sentences, candidate, line, start)
        start = end
    _append_sentence(sentences, text[start:], line, start)
    return sentences


def _append_sentence(sentences: list[Sentence], raw: str, line: int, offset: int) -> None:
    stripped = raw.strip()
    if not stripped:
        return
    lead = len(raw) - len(raw.lstrip())
    sentences.append(
        Sentence(
            text=stripped,
            line=line,
            start=offset + lead,
            citations=tuple(find_citations(stripped)),
        )
    )


def _ends_with_abbreviation(before_period: str) -> bool:
    """True when the text up to (and including) the period ends in an abbreviation."""
    # Only the last word matters: search the tail, the whole text only if one word fills it.
    tail = before_period[-ABBREVIATION_TAIL_CHARS:]
    match = LAST_WORD_RE.search(tail)
    if match and match.start() == 0 and len(tail) < len(before_period):
        match = LAST_WORD_RE.search(before_period)
    if not match:
        return False
    word = match.group(1)
    if INITIALS_RE.fullmatch(word):
        return True
    return word.lower() in ABBREVIATIONS


def _first_marker_cluster(sentence: Sentence) -> list[int]:
    """The first run of adjacent reference markers in a sentence ("[281][282][283]")."""
    cluster: list[int] = []
    previous_end = None
    for citation in sentence.citations:
        if citation.kind != "reference":
            continue
        if previous_end is not None and citation.start != previous_end:
            break
        cluster.append(citation.number)
        previous_end = citation.start + len(citation.label) + 2
    return cluster
