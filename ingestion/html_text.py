"""Turn MediaWiki's rendered article HTML into the flattened text the extractors read.

The extractors in ``transforms/`` were written against a browser's copy of the rendered page,
so this module writes the same conventions from the HTML that ``action=parse`` returns:

- blocks (paragraphs, headings, tables, lists, image captions) are separated by one blank line;
  a paragraph is one line;
- a heading is its text alone on a line (edit links dropped);
- an infobox row is the label immediately followed by its value ("FoundedSeptember 1965"),
  a line break inside a cell starts a new line, and an image standing alone leaves an empty
  line (as a browser's copy does);
- every other table row is one line, its cells joined by single spaces, a ``rowspan`` cell
  repeated on every row it spans (so a group label or a year is on each row it applies to);
- a citation marker (``sup.reference``) is ``[12]`` or ``[note 1]``, whatever the markup
  inside it;
- each ``ol.references`` list item is ``"  12. ^ a b text"``: its number by position (or the
  ``value`` HTML gives it), a caret, the back-link letters, then the reference text; lists are
  kept in page order, so the extractors tell notes (earlier lists) from references (the last);
- noise a reader never sees is dropped: edit links, ``<style>``/``<script>``/``<link>``,
  elements hidden with ``display:none``, CS1 maintenance messages, navboxes, empty template
  output (``.mw-empty-elt``), the table of contents and accessibility-only labels.

lxml is the parser: a real HTML parser (libxml2's, tolerant of tag soup), fast enough to
render the whole article in a few tens of milliseconds, and well maintained.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import lxml.etree

from mekdata.errors import SourceError
from transforms.document import ReferenceAnchor
from transforms.ref_keys import note_name

T = TypeVar("T")

# Classes whose elements no reader sees or that are not article text.
DROP_CLASSES = frozenset(
    {
        "mw-editsection",  # [edit] links beside headings
        "navbox",  # navigation boxes at the foot of the page
        "navbox-styles",
        "mw-empty-elt",  # templates that rendered nothing
        "maint",  # hidden maintenance messages
        "cs1-maint",  # CS1 "maint:" messages, hidden by the site's CSS
        "cs1-hidden-error",  # CS1 errors shown only to editors who opt in
        "cite-accessibility-label",  # "Jump up to:" for screen readers only
        "sr-only",
        "toc",  # the table of contents: generated, not article text
        "mw-toc",
    }
)
DROP_TAGS = frozenset({"style", "script", "link", "meta", "noscript", "template"})
DISPLAY_NONE_RE = re.compile(r"display\s*:\s*none", re.I)
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements that start a new line inside a table cell or a list item.
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "table",
        "tr",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "figure",
        "figcaption",
        "section",
        "center",
        "pre",
        "caption",
        "hr",
        *HEADING_TAGS,
    }
)
# Only ASCII white space collapses, as in a browser: a no-break space is content (flag icons
# leave one before a country's name, and the extractors fold it themselves).
# Only what is not already a single space (most of the text), so the substitution is cheap.
MULTI_SPACE_RE = re.compile(r"[\t\n\r\f][ \t\n\r\f]*| [ \t\n\r\f]+")
ASCII_SPACE = " \t\n\r\f"
LINE_BREAK = "\u2028"  # stands for <br> while white space is collapsed
MARKER_LABEL_RE = re.compile(r"^\[?\s*(?P<label>.*?)\s*\]?$")
BACKLINK_SYMBOLS = frozenset({"^", "↑"})
ROOT_CLASS = "mw-parser-output"
# HTML's own caps on colspan and rowspan (a hostile 10^9 must cost nothing).
MAX_SPAN = 1000
MAX_ROWSPAN = 65534


@dataclass(frozen=True)
class RenderedText:
    text: str  # the article as flattened text, in the bundled file's conventions
    infoboxes: int  # table.infobox found
    wikitables: int  # table.wikitable found
    reference_items: int  # li items in ol.references (all groups)
    headings: int
    # Per reference list item, what the text cannot show: the ref's name (from the item's
    # cite_note anchor) and its external links, by the item's line in ``text``; the reference
    # parser makes ref_key from them (transforms/ref_keys.py).
    reference_anchors: tuple[ReferenceAnchor, ...] = ()


def html_to_text(html: str) -> RenderedText:
    """Render the ``parse.text`` HTML of an article into the extractors' flattened text."""
    root = _parser_output(html)
    _drop_noise(root)
    renderer = _Renderer()
    renderer.container(root)
    renderer.flush()
    text = "\n\n".join("\n".join(block) for block in renderer.blocks)
    stripped = text.strip("\n")
    return RenderedText(
        text=stripped + "\n",
        infoboxes=renderer.infoboxes,
        wikitables=renderer.wikitables,
        reference_items=renderer.reference_items,
        headings=renderer.headings,
        reference_anchors=renderer.anchors(leading_lines=len(text) - len(text.lstrip("\n"))),
    )


def _not_rendered(reason: str) -> SourceError:
    return SourceError(
        f"The HTML given is not a rendered MediaWiki page: {reason}. Expected the 'text' of an "
        "action=parse answer (formatversion=2), whose content sits in a "
        f'<div class="{ROOT_CLASS}">; check that the API answered with the page\'s HTML and '
        "not an error page, a login wall or the wikitext."
    )


def _parser_output(html: str) -> lxml.etree._Element:
    if not isinstance(html, str):
        raise _not_rendered(f"got {type(html).__name__}, not text")
    if ROOT_CLASS not in html:
        raise _not_rendered(f"no element with the class {ROOT_CLASS!r}")
    try:
        # The plain etree parser: lxml.html's element classes cost a lookup per element.
        # A parser per call: lxml parsers must not be shared between threads.
        parser = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True)
        document = lxml.etree.fromstring(html, parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as error:
        raise _not_rendered(f"it cannot be parsed as HTML ({error})") from None
    if document is None:
        raise _not_rendered("it holds no HTML elements")
    # libxml2 recovers from tag soup but stops at its resource limits (nesting deeper than 256
    # elements): what follows would be lost without a word, so say so.
    fatal = next((e for e in parser.error_log if e.level == lxml.etree.ErrorLevels.FATAL), None)
    if fatal is not None:
        raise _not_rendered(f"the HTML parser stopped at line {fatal.line} ({fatal.message})")
    for element in document.iter("div", "section", "main", "article"):
        if ROOT_CLASS in _classes(element):
            return element
    raise _not_rendered(f"the class {ROOT_CLASS!r} appears, but on no content element")


def _classes(element) -> frozenset[str]:
    value = element.get("class")
    return frozenset(value.split()) if value else frozenset()


def _has_class(element, name: str) -> bool:
    value = element.get("class")
    return value is not None and name in value.split()


def _drop_noise(root) -> None:
    doomed = []
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):  # comments, processing instructions
            doomed.append(element)
            continue
        if tag in DROP_TAGS:
            doomed.append(element)
            continue
        value = element.get("class")
        if value is not None and not DROP_CLASSES.isdisjoint(value.split()):
            doomed.append(element)
            continue
        style = element.get("style")
        if style is not None and "none" in style and DISPLAY_NONE_RE.search(style):
            doomed.append(element)
            continue
        if element.get("id") == "toc":
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            _remove_keeping_tail(element)


def _remove_keeping_tail(element) -> None:
    parent = element.getparent()
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _marker(sup) -> str:
    """``[12]`` / ``[note 1]`` from a sup.reference, whatever spans or spacing it holds."""
    label = _collapse("".join(sup.itertext())).strip(ASCII_SPACE)
    match = MARKER_LABEL_RE.match(label)
    return f"[{match['label']}]" if match else f"[{label}]"


def _inline(element, parts: list[str], break_blocks: str, own_text: bool = True) -> None:
    """Append the text of ``element``'s content to ``parts`` (not its tail).

    ``break_blocks`` is what a <br> or a nested block element becomes: a line break in
    paragraphs and list items, a space inside wikitable cells.
    """
    if own_text and element.text:
        parts.append(element.text)
    for child in element:
        tag = child.tag
        if tag == "br":
            parts.append(break_blocks)
        elif tag == "sup" and _has_class(child, "reference"):
            parts.append(_marker(child))
        elif tag in BLOCK_TAGS:
            parts.append(break_blocks)
            _inline(child, parts, break_blocks)
            parts.append(break_blocks)
        else:
            _inline(child, parts, break_blocks)
        if child.tail:
            parts.append(child.tail)


def _collapse(text: str) -> str:
    """Runs of ASCII white space to one space, as a browser does (a regex pass costs a
    hundred times more than these substring tests on the common text without any)."""
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\f" in text:
        return MULTI_SPACE_RE.sub(" ", text)
    return text


def _lines(parts: list[str]) -> list[str]:
    """Collapse white space and split at the line breaks."""
    joined = _collapse("".join(parts))
    lines = (line.strip(ASCII_SPACE) for line in joined.split(LINE_BREAK))
    return [line for line in lines if line]


def _one_line(element) -> str:
    parts: list[str] = []
    _inline(element, parts, " ")
    return _collapse("".join(parts)).strip(ASCII_SPACE)


class _Renderer:
    def __init__(self) -> None:
        self.blocks: list[list[str]] = []
        self.pending: list[str] = []  # loose inline text between blocks
        self.infoboxes = 0
        self.wikitables = 0
        self.reference_items = 0
        self.headings = 0
        # (block index, line index in the block, name, links) of each reference list item.
        self.reference_facts: list[tuple[int, int, str | None, tuple[str, ...]]] = []

    def add(self, lines: list[str]) -> None:
        if lines:
            self.blocks.append(lines)

    def anchors(self, leading_lines: int) -> tuple[ReferenceAnchor, ...]:
        """The reference items' facts by their 1-based line in the joined text (blocks one
        blank line apart), less the ``leading_lines`` stripped from its start."""
        starts, line = [], 1
        for block in self.blocks:
            starts.append(line)
            line += len(block) + 1
        return tuple(
            ReferenceAnchor(line=starts[b] + i - leading_lines, name=name, links=links)
            for b, i, name, links in self.reference_facts
        )

    def flush(self) -> None:
        if self.pending:
            self.add(_lines(self.pending))
            self.pending = []

    def container(self, element) -> None:
        """Walk a container: block children become blocks, loose inline text a paragraph."""
        if element.text:
            self.pending.append(element.text)
        for child in element:
            if not self.block(child):
                if child.tag == "br":
                    self.pending.append(LINE_BREAK)
                elif child.tag == "sup" and _has_class(child, "reference"):
                    self.pending.append(_marker(child))
                else:
                    _inline(child, self.pending, LINE_BREAK)
            if child.tail:
                self.pending.append(child.tail)

    def block(self, element) -> bool:
        """Render ``element`` as a block if it is one; False for inline content."""
        tag = element.tag
        classes = _classes(element)
        if tag in HEADING_TAGS or (tag == "div" and "mw-heading" in classes):
            self.flush()
            heading = _one_line(element)
            if heading:
                self.headings += 1
                self.add([heading])
        elif tag == "p":
            self.flush()
            self.add(list(_paragraph_lines(element)))
        elif tag == "table":
            self.flush()
            if "infobox" in classes:
                self.infoboxes += 1
                self.add(self.infobox(element))
            else:
                self.wikitables += "wikitable" in classes
                self.add(self.table(element))
        elif tag == "ol" and "references" in classes:
            self.flush()
            lines, facts = self.references(element)
            if lines:
                self.add(lines)
                block = len(self.blocks) - 1
                self.reference_facts.extend((block, i, *fact) for i, fact in enumerate(facts))
        elif tag in ("ul", "ol", "dl"):
            self.flush()
            self.add(self.list_lines(element))
        elif tag == "figure" or (tag == "div" and "thumb" in classes):
            self.flush()
            self.add(self.captions(element))
        elif tag in BLOCK_TAGS:
            self.flush()
            self.container(element)
            self.flush()
        else:
            return False
        return True

    # --- tables -------------------------------------------------------------------------

    @staticmethod
    def rows(table) -> list:
        """The table's own rows (not those of tables nested in its cells)."""
        rows = []
        for child in table:
            if child.tag == "tr":
                rows.append(child)
            elif child.tag in ("thead", "tbody", "tfoot"):
                rows.extend(row for row in child if row.tag == "tr")
        return rows

    def table(self, table) -> list[str]:
        """One line per row, cells joined by spaces, rowspan cells carried to every row."""
        lines = [_one_line(caption) for caption in table if caption.tag == "caption"]
        carried: dict[int, list] = {}  # column -> [rows still spanned, text]
        for row in self.rows(table):
            cells: dict[int, str] = {}
            column = 0
            for cell in row:
                if cell.tag not in ("td", "th"):
                    continue
                while column in carried:
                    column += 1
                text = _one_line(cell)
                cells[column] = text
                span = _span(cell.get("colspan"))
                rows_spanned = _span(cell.get("rowspan"), limit=MAX_ROWSPAN)
                if rows_spanned > 1:
                    carried[column] = [rows_spanned, text]
                    for extra in range(1, span):
                        carried[column + extra] = [rows_spanned, ""]
                column += span
            for spanned_column, state in list(carried.items()):
                cells.setdefault(spanned_column, state[1])
                state[0] -= 1
                if state[0] <= 0:
                    del carried[spanned_column]
            line = " ".join(text for _, text in sorted(cells.items()) if text)
            if line:
                lines.append(line)
        return [line for line in lines if line]

    def infobox(self, table) -> list[str]:
        """Label glued to value; line breaks and lone images inside cells kept as lines."""
        lines: list[str] = [_one_line(c) for c in table if c.tag == "caption"]
        lines = [line for line in lines if line]
        for row in self.rows(table):
            row_lines: list[str] = []
            for cell in row:
                if cell.tag not in ("td", "th"):
                    continue
                cell_lines = _cell_lines(cell)
                if not cell_lines:
                    continue
                if row_lines:
                    row_lines[-1] += cell_lines[0]
                    row_lines.extend(cell_lines[1:])
                else:
                    row_lines = cell_lines
            lines.extend(row_lines)
        return lines

    # --- lists --------------------------------------------------------------------------

    def references(self, ol) -> tuple[list[str], list[tuple[str | None, tuple[str, ...]]]]:
        """'  12. ^ a b text': number by position, caret, back-link letters, text; and per
        line the ref's name and its external links."""
        lines = []
        facts: list[tuple[str | None, tuple[str, ...]]] = []
        number = _span(ol.get("start"), limit=MAX_ROWSPAN)
        for item in ol:
            if item.tag != "li":
                continue
            if item.get("value", "").strip().isdigit():
                number = int(item.get("value"))
            self.reference_items += 1
            letters, text, name, links = _reference_item(item)
            line = " ".join(["", "", f"{number}.", "^", *letters, text])
            lines.append(line.rstrip(ASCII_SPACE))
            facts.append((name, links))
            number += 1
        return lines, facts

    def list_lines(self, element) -> list[str]:
        """One line per list item (nested lists follow their item); dt/dd likewise."""
        lines: list[str] = []
        for item in element:
            if item.tag not in ("li", "dt", "dd"):
                continue
            parts: list[str] = []
            nested = []
            if item.text:
                parts.append(item.text)
            for child in item:
                if child.tag in ("ul", "ol", "dl"):
                    nested.append(child)
                elif child.tag == "br":
                    parts.append(LINE_BREAK)
                elif child.tag == "sup" and _has_class(child, "reference"):
                    parts.append(_marker(child))
                else:
                    _inline(child, parts, LINE_BREAK)
                if child.tail:
                    parts.append(child.tail)
            lines.extend(_lines(parts))
            for sublist in nested:
                lines.extend(self.list_lines(sublist))
        return lines

    def captions(self, element) -> list[str]:
        """An image or image group: its captions, one per line (the images leave no text)."""
        lines = []
        for child in element.iter("figcaption", "div"):
            if child.tag == "figcaption" or _classes(child) & {"thumbcaption", "gallerytext"}:
                lines.append(_one_line(child))
        return [line for line in lines if line]


def _span(value: str | None, default: int = 1, limit: int = MAX_SPAN) -> int:
    """A colspan, rowspan or list start: a positive integer, capped."""
    try:
        return min(limit, max(1, int(value))) if value else default
    except ValueError:
        return default


class _Rendered:
    """Rendered subtrees by their markup (``tostring``, without the tail: everything a
    rendering reads), kept across documents: a history worker renders hundreds of revisions
    that share all but a paragraph or a reference or two. Bounded: emptied when full, so a
    worker's memory does not grow with the history's length."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.kept: dict[bytes, Any] = {}

    def get(self, element, render: Callable[[Any], T]) -> T:
        key = lxml.etree.tostring(element, with_tail=False)
        found = self.kept.get(key)
        if found is None:
            if len(self.kept) >= self.size:
                self.kept.clear()
            found = self.kept[key] = render(element)
        return found


# About 480 reference items and 300 paragraphs a revision of the article: several revisions'.
RENDERED_CACHE_SIZE = 4096
_rendered_items = _Rendered(RENDERED_CACHE_SIZE)
_rendered_paragraphs = _Rendered(RENDERED_CACHE_SIZE)


def _paragraph_lines(paragraph) -> tuple[str, ...]:
    return _rendered_paragraphs.get(paragraph, _render_paragraph)


def _render_paragraph(paragraph) -> tuple[str, ...]:
    parts: list[str] = []
    _inline(paragraph, parts, LINE_BREAK)
    return tuple(_lines(parts))


def _reference_item(item) -> tuple[tuple[str, ...], str, str | None, tuple[str, ...]]:
    """A reference list item's back-link letters, text, ref name and external links."""
    return _rendered_items.get(item, _render_reference_item)


def _render_reference_item(item) -> tuple[tuple[str, ...], str, str | None, tuple[str, ...]]:
    letters: list[str] = []
    text_parts: list[str] = []
    links: list[str] = []
    for child in item:
        if child.tag == "span" and _has_class(child, "mw-cite-backlink"):
            letters.extend(_backlink_labels(child))
        elif child.tag == "span" and _has_class(child, "reference-text"):
            _inline(child, text_parts, " ")
            links.extend(_external_links(child))
    text = _collapse("".join(text_parts)).strip(ASCII_SPACE)
    return tuple(letters), text, note_name(item.get("id")), tuple(links)


def _external_links(element) -> list[str]:
    """The hrefs of the external links (``a.external``) inside an element, in order."""
    return [
        link.get("href", "").strip()
        for link in element.iter("a")
        if _has_class(link, "external") and link.get("href", "").strip()
    ]


def _backlink_labels(backlink) -> list[str]:
    """The back-link letters ('a', 'b', …); a lone caret link has none."""
    labels = []
    for link in backlink.iter("a"):
        label = _collapse("".join(link.itertext())).strip(ASCII_SPACE)
        if label and label not in BACKLINK_SYMBOLS:
            labels.append(label)
    return labels


def _cell_lines(cell) -> list[str]:
    """An infobox cell's lines: <br> and block children break lines; an image alone on its
    line leaves an empty line, as in a browser's copy of the page."""
    lines: list[list] = [[[], False]]  # [parts, holds an image]

    def new_line() -> None:
        parts, image = lines[-1]
        if image or "".join(parts).strip(ASCII_SPACE):
            lines.append([[], False])

    def walk(element) -> None:
        if element.text:
            lines[-1][0].append(element.text)
        for child in element:
            tag = child.tag
            if tag == "br":
                new_line()
            elif tag == "img":
                lines[-1][1] = True
            elif tag == "sup" and _has_class(child, "reference"):
                lines[-1][0].append(_marker(child))
            elif tag in BLOCK_TAGS:
                new_line()
                walk(child)
                new_line()
            else:
                walk(child)
            if child.tail:
                lines[-1][0].append(child.tail)

    walk(cell)
    rendered = []
    for parts, image in lines:
        text = _collapse("".join(parts)).strip(ASCII_SPACE)
        if text or image:
            rendered.append(text)
    return rendered
