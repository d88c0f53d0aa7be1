"""Test fixture generator: a flattened article text as MediaWiki's rendered HTML.

The tests cannot reach Wikipedia, yet they need the whole article as the HTML that
``action=parse`` returns in ``parse.text`` (``formatversion=2``, the legacy parser's
``<div class="mw-content-ltr mw-parser-output" lang="en" dir="ltr">``). ``article_html`` reads
the structure of a flattened text (the bundled ``sources/peoples-mujahedin-of-iran.txt`` or an
edited copy) and writes the markup MediaWiki emits for each part:

- the first line is the page title, which ``parse.text`` does not hold;
- the lines before the first prose paragraph are the infobox (``table.infobox``): a blank line
  followed by a line is an image with its caption, a line whose label runs into its value
  ("FoundedSeptember 1965": a lower-case letter or ")" straight before a capital or a digit)
  is a ``th``/``td`` row, any other line a full-width row;
- after it, runs of non-blank lines are blocks: a run of ``  N. ^ a b text`` items is an
  ``ol.references`` list (a restart of the numbering starts a new list; earlier lists are the
  ``note`` group, the last is the references), a run whose lines hold a flag icon's no-break
  space is a wikitable of flags with ``rowspan`` group labels, a run opened by a header row
  starting "Year" is a wikitable with ``rowspan`` year cells (a lone "0 / 73 (0%)" line being
  the seats cell of the row above), any other run of several lines an image group with one
  caption per line, a lone short line without closing punctuation a heading, anything else a
  paragraph;
- ``[12]`` is a ``sup.reference`` (ids numbered as Cite does: by first use, named refs for
  items with back-link letters), ``[note 1]`` one of the ``note`` group, ``[citation needed]``
  and kin the inline maintenance template;
- and the noise a renderer must drop: edit links, TemplateStyles ``<style>`` and ``<link>``,
  the hidden short description, CS1 maintenance messages, ``.mw-empty-elt`` paragraphs, the
  table-of-contents marker, a navbox and the parser's limit-report comment.

Markup shapes follow MediaWiki's own output: the Cite extension's parser tests
(tests/parser/citeParserTests.txt: ``sup.reference`` with ``span.cite-bracket``,
``div.mw-references-wrap > ol.references``, ``li#cite_note-…`` with ``span.mw-cite-backlink``
then ``span.reference-text``), English Wikipedia's back-link messages (``<b>^</b>`` for one
use, ``^`` then ``<sup><i><b>a</b></i></sup>`` links for several) and the heading markup of
MediaWiki 1.43+ (``div.mw-heading.mw-headingN > hN`` with ``span.mw-editsection``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from transforms.citations import MAINTENANCE_TAG_RE
from transforms.document import HEADING_MAX_CHARS, HEADING_RE

PAGE = "People%27s_Mujahedin_of_Iran"
NBSP = "\u00a0"
REFERENCE_ITEM_RE = re.compile(
    r"^\s*(?P<number>\d{1,4})\.\s+\^\s*(?P<letters>(?:[a-z]{1,2}\s+)*)(?P<text>.*)$"
)
MARKER_RE = re.compile(
    rf"\[(?:(?P<reference>\d{{1,4}})|note (?P<note>\d{{1,3}}))\]"
    rf"|(?P<tag>{MAINTENANCE_TAG_RE.pattern})"
)
# Label running into value: the last character of a label, then the first of a value.
INFOBOX_JUNCTION_RE = re.compile(r"(?<=[a-z)])(?=[A-Z0-9])")
# A year cell (with any marker an editor put after it) and the rest of its row.
YEAR_ROW_RE = re.compile(r"^(?P<year>(?:1[89]|20)\d\d(?:\[[^\]\n]{1,40}\])*) (?P<rest>.*)$")
# A seats cell, whatever markers, tags or parentheticals an editor put inside it.
ANNOTATION = r"(?:\[[^\]\n]{1,40}\]|\s*\([^()\n]{1,60}\))*"
SEATS_LINE_RE = re.compile(rf"^\d+{ANNOTATION}\s*/{ANNOTATION}\s*\d+")
TRAILING_REFS_RE = re.compile(r"(?:\s*\[\d{1,4}\])+\s*$")
ELECTION_END_RE = re.compile(r"\b(?:referendum|by-elections?|elections?|plebiscite)\b", re.I)
HEADER_CELL_SPLIT_RE = re.compile(r" (?=[A-Z])")
# Flag row: optional group label, a space, the flag icon's no-break space, then the authority.
FLAG_ROW_RE = re.compile(rf"^(?P<label>[^{NBSP}]*?) ?{NBSP}(?P<rest>\S.*)$")
# Where a row's description starts after the authority's name: a capitalised word followed by
# a lower-case one ("United States Designated on …", "Australia Not designated …").
DESCRIPTION_START_RE = re.compile(r" (?=[A-Z][a-z]* [a-z(])")

STYLE = (
    '<style data-mw-deduplicate="TemplateStyles:r1238218222">.mw-parser-output cite.citation'
    "{font-style:inherit;word-wrap:break-word}.mw-parser-output .citation q{quotes:"
    '"\\"""\\"""\'""\'"}</style>'
)
STYLE_LINK = '<link rel="mw-deduplicated-inline-style" href="mw-data:TemplateStyles:r1238218222">'
CS1_MAINT = (
    '<span class="cs1-maint citation-comment"><code class="cs1-code">{{'
    '<a href="/wiki/Template:Cite_web" title="Template:Cite web">cite web</a>}}</code>: CS1 '
    'maint: url-status (<a href="/wiki/Category:CS1_maint:_url-status" '
    'title="Category:CS1 maint: url-status">link</a>)</span>'
)
NAVBOX = (
    '<div role="navigation" class="navbox" aria-labelledby="Iranian_opposition" '
    'style="padding:3px"><table class="nowraplinks hlist navbox-inner"><tbody><tr>'
    '<th scope="col" class="navbox-title" colspan="2"><div id="Iranian_opposition">Iranian '
    'opposition</div></th></tr><tr><th scope="row" class="navbox-group">Groups</th>'
    '<td class="navbox-list"><div><ul><li><a href="/wiki/Komala">Komala</a></li>'
    '<li><a href="/wiki/Fedaian">Fedaian</a></li></ul></div></td></tr></tbody></table></div>'
)


@dataclass
class _ListItem:
    number: int
    letters: list[str]
    text: str


@dataclass
class _Cite:
    """Cite's bookkeeping: keys by first use, named refs, uses per ref."""

    # A named ref's name. Editors name a ref once and keep the name when the article
    # renumbers, so it is made from the reference's words, never from its number.
    named: dict[tuple[str, int], str] = field(default_factory=dict)
    keys: dict[tuple[str, int], int] = field(default_factory=dict)
    uses: dict[tuple[str, int], int] = field(default_factory=dict)

    def key(self, ref: tuple[str, int]) -> int:
        return self.keys.setdefault(ref, len(self.keys) + 1)

    def note_id(self, ref: tuple[str, int]) -> str:
        key = self.key(ref)
        return f"cite_note-{self.named[ref]}-{key}" if ref in self.named else f"cite_note-{key}"

    def ref_id(self, ref: tuple[str, int], use: int) -> str:
        key = self.key(ref)
        if ref in self.named:
            return f"cite_ref-{self.named[ref]}_{key}-{use}"
        return f"cite_ref-{key}"

    def marker(self, group: str, number: int) -> str:
        ref = (group, number)
        use = self.uses.get(ref, 0)
        self.uses[ref] = use + 1
        label = f"{group} {number}" if group else str(number)
        return (
            f'<sup id="{self.ref_id(ref, use)}" class="reference"><a href="#{self.note_id(ref)}">'
            f'<span class="cite-bracket">&#91;</span>{label}'
            '<span class="cite-bracket">&#93;</span></a></sup>'
        )


def article_html(text: str) -> str:
    """The ``parse.text`` HTML MediaWiki would render for this flattened article text."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    body = [line.rstrip(" \t") for line in lines[1:]]  # lines[0]: the title
    infobox_end = _infobox_end(body)
    groups = _groups(body[infobox_end:])
    reference_lists = _reference_lists(groups)
    cite = _Cite()
    for index, items in enumerate(reference_lists):
        group = "" if index == len(reference_lists) - 1 else "note"
        cite.named.update(
            ((group, item.number), _ref_name(item.text)) for item in items if len(item.letters) >= 2
        )
    out = [
        '<div class="mw-content-ltr mw-parser-output" lang="en" dir="ltr">',
        '<div class="shortdescription nomobile noexcerpt noprint searchaux" '
        'style="display:none">Iranian political-militant organization</div>',
        STYLE,
    ]
    if infobox_end:
        out.append(_infobox(body[:infobox_end], cite))
        out.append('<p class="mw-empty-elt">\n</p>')
    lists_done = 0
    section = 0
    toc_placed = False
    for group_lines in groups:
        if _is_reference_list(group_lines):
            for _ in _split_lists(group_lines):
                is_last = lists_done == len(reference_lists) - 1
                out.append(
                    _reference_list(reference_lists[lists_done], "" if is_last else "note", cite)
                )
                lists_done += 1
        elif len(group_lines) == 1 and _is_heading(group_lines[0]):
            if not toc_placed:
                out.append('<meta property="mw:PageProp/toc" />')
                toc_placed = True
            section += 1
            out.append(_heading(group_lines[0], section))
        elif len(group_lines) == 1:
            out.append(f"<p>{_inline(group_lines[0], cite)}\n</p>")
        elif all(FLAG_ROW_RE.match(line) for line in group_lines):
            out.append(_flag_table(group_lines, cite))
        elif group_lines[0].startswith("Year ") and YEAR_ROW_RE.match(group_lines[1]):
            out.append(_year_table(group_lines, cite))
        else:
            out.append(_image_group(group_lines, cite))
    out.append(NAVBOX)
    out.append("</div>")
    out.append("<!--\nNewPP limit report\nParsed by mw-api-int\nCPU time usage: 1.234 seconds\n-->")
    return "\n".join(out)


# --- reading the text's structure ----------------------------------------------------------


def _ref_name(text: str) -> str:
    """A name as an editor might give it: the reference's first words ("OHern2012Irans")."""
    words = re.findall(r"[A-Za-z0-9]+", text.replace("'", ""))[:3]
    return "".join(word[:1].upper() + word[1:] for word in words) or "ref"


def _infobox_end(body: list[str]) -> int:
    """Index after the infobox: the lines before the first prose paragraph, minus blanks."""
    first_prose = next(
        (i for i, line in enumerate(body) if len(line) > HEADING_MAX_CHARS), len(body)
    )
    end = first_prose
    while end > 0 and not body[end - 1].strip():
        end -= 1
    return end


def _groups(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines (any number of blank lines separates two runs)."""
    groups: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _is_heading(line: str) -> bool:
    return len(line) <= HEADING_MAX_CHARS and HEADING_RE.match(line) is not None


def _is_reference_list(lines: list[str]) -> bool:
    return all(REFERENCE_ITEM_RE.match(line) for line in lines)


def _split_lists(lines: list[str]) -> list[list[_ListItem]]:
    lists: list[list[_ListItem]] = []
    for line in lines:
        match = REFERENCE_ITEM_RE.match(line)
        letters, text = match["letters"].split(), match["text"].strip()
        if letters != [_backlink_label(i) for i in range(len(letters))] or len(letters) < 2:
            letters, text = [], f"{match['letters']}{match['text']}".strip()  # "^ de Boer, T."
        item = _ListItem(int(match["number"]), letters, text)
        if not lists or item.number <= lists[-1][-1].number:
            lists.append([])
        lists[-1].append(item)
    return lists


def _backlink_label(index: int) -> str:
    """Cite's back-link labels on English Wikipedia: a … z, then aa, ab, …"""
    letters = "abcdefghijklmnopqrstuvwxyz"
    if index < len(letters):
        return letters[index]
    return letters[index // len(letters) - 1] + letters[index % len(letters)]


def _reference_lists(groups: list[list[str]]) -> list[list[_ListItem]]:
    lists: list[list[_ListItem]] = []
    for group_lines in groups:
        if _is_reference_list(group_lines):
            lists.extend(_split_lists(group_lines))
    return lists


# --- writing markup ------------------------------------------------------------------------


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _inline(text: str, cite: _Cite) -> str:
    """Escaped text with its citation markers and maintenance tags as MediaWiki renders them."""
    out: list[str] = []
    position = 0
    for match in MARKER_RE.finditer(text):
        out.append(_escape(text[position : match.start()]))
        if match["reference"]:
            out.append(cite.marker("", int(match["reference"])))
        elif match["note"]:
            out.append(cite.marker("note", int(match["note"])))
        else:
            label = match.group(0)[1:-1]
            out.append(
                '<sup class="noprint Inline-Template Template-Fact" '
                'style="white-space:nowrap;">&#91;<i><a href="/wiki/Wikipedia:Citation_needed" '
                f'title="Wikipedia:Citation needed"><span title="{_escape(label)}">'
                f"{_escape(label)}</span></a></i>&#93;</sup>"
            )
        position = match.end()
    out.append(_escape(text[position:]))
    return "".join(out)


def _image(name: str, width: int = 220) -> str:
    file = quote(name.replace(" ", "_"))
    return (
        f'<span class="mw-default-size" typeof="mw:File"><a href="/wiki/File:{file}" '
        f'class="mw-file-description"><img src="//upload.wikimedia.org/wikipedia/commons/'
        f'thumb/a/ab/{file}/{width}px-{file}.png" decoding="async" width="{width}" '
        f'height="{width * 2 // 3}" class="mw-file-element"></a></span>'
    )


def _infobox(lines: list[str], cite: _Cite) -> str:
    rows = []
    index = 0
    images = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            images += 1
            caption = lines[index + 1] if index + 1 < len(lines) else ""
            caption_html = (
                f'<div class="infobox-caption">{_inline(caption, cite)}</div>' if caption else ""
            )
            rows.append(
                f'<tr><td colspan="2" class="infobox-image">{_image(f"Infobox image {images}")}'
                f"{caption_html}</td></tr>"
            )
            index += 2 if caption else 1
            continue
        junction = INFOBOX_JUNCTION_RE.search(line)
        if junction:
            label, value = line[: junction.start()], line[junction.start() :]
            rows.append(
                f'<tr><th scope="row" class="infobox-label">{_inline(label, cite)}</th>'
                f'<td class="infobox-data">{_inline(value, cite)}</td></tr>'
            )
        else:
            rows.append(
                f'<tr><td colspan="2" class="infobox-full-data">{_inline(line, cite)}</td></tr>'
            )
        index += 1
    return '<table class="infobox vcard"><tbody>\n' + "\n".join(rows) + "\n</tbody></table>"


def _heading(title: str, section: int) -> str:
    anchor = _escape(title.replace(" ", "_")).replace('"', "&quot;")
    return (
        f'<div class="mw-heading mw-heading2"><h2 id="{anchor}">{_escape(title)}</h2>'
        '<span class="mw-editsection"><span class="mw-editsection-bracket">[</span>'
        f'<a href="/w/index.php?title={PAGE}&amp;action=edit&amp;section={section}" '
        f'title="Edit section: {_escape(title)}"><span>edit</span></a>'
        '<span class="mw-editsection-bracket">]</span></span></div>'
    )


def _flag_table(lines: list[str], cite: _Cite) -> str:
    """Flag rows under rowspan group labels ('Currently listed by', …)."""
    parsed = [FLAG_ROW_RE.match(line) for line in lines]
    rows = []
    for index, match in enumerate(parsed):
        cells = []
        label = match["label"].strip()
        if label:
            span = 1
            while index + span < len(parsed) and not parsed[index + span]["label"].strip():
                span += 1
            cells.append(f'<th rowspan="{span}">{_inline(label, cite)}</th>')
        rest = match["rest"]
        split = DESCRIPTION_START_RE.search(rest)
        authority, description = (
            (rest[: split.start()], rest[split.end() :]) if split else (rest, "")
        )
        flag = _image(f"Flag of {authority}.svg", 23)
        cells.append(
            f'<td><span class="flagicon">{flag}&nbsp;</span>'
            f'<a href="/wiki/{quote(authority.replace(" ", "_"))}">{_escape(authority)}</a></td>'
        )
        if description:
            cells.append(f"<td>{_inline(description, cite)}</td>")
        rows.append("<tr>\n" + "\n".join(cells) + "</tr>")
    return '<table class="wikitable">\n<tbody>' + "\n".join(rows) + "\n</tbody></table>"


def _year_table(lines: list[str], cite: _Cite) -> str:
    """A header row, then rows whose year cell spans the rows below it until the next year."""
    header = "".join(
        f"<th>{_inline(cell, cite)}</th>\n" for cell in HEADER_CELL_SPLIT_RE.split(lines[0])
    )
    rows: list[dict] = []
    for line in lines[1:]:
        if SEATS_LINE_RE.match(line) and rows:
            rows[-1]["cells"].append(
                '<td><div class="composition-bar" style="border:1px solid #c0c0c0">'
                '<div style="width:0%;background-color:#888"></div></div>'
                f"{_inline(line, cite)}</td>"
            )
            continue
        year_match = YEAR_ROW_RE.match(line)
        year, rest = (year_match["year"], year_match["rest"]) if year_match else (None, line)
        refs = TRAILING_REFS_RE.search(rest)
        references = rest[refs.start() :].strip() if refs else ""
        rest = rest[: refs.start()] if refs else rest
        end = ELECTION_END_RE.search(rest)
        election, result = (rest[: end.end()], rest[end.end() :].strip()) if end else (rest, "")
        cells = [f"<td>{_inline(election, cite)}</td>"]
        if result:
            cells.append(f"<td>{_inline(result, cite)}</td>")
        if references:
            cells.append(f"<td>{_inline(references, cite)}</td>")
        rows.append({"year": year, "cells": cells})
    body = []
    for index, row in enumerate(rows):
        cells = list(row["cells"])
        if row["year"] is not None:
            span = 1
            while index + span < len(rows) and rows[index + span]["year"] is None:
                span += 1
            cells.insert(0, f'<td rowspan="{span}">{_inline(row["year"], cite)}</td>')
        body.append("<tr>\n" + "\n".join(cells) + "</tr>")
    return (
        '<table class="wikitable">\n<tbody><tr>\n'
        + header
        + "</tr>\n"
        + "\n".join(body)
        + "\n</tbody></table>"
    )


def _image_group(lines: list[str], cite: _Cite) -> str:
    """Several captions in one image box (the multiple-image template's markup)."""
    rows = "".join(
        f'<div class="trow"><div class="tsingle" style="width:182px">'
        f'<div class="thumbimage">{_image(f"Image {index}", 180)}</div>'
        f'<div class="thumbcaption">{_inline(line, cite)}</div></div></div>'
        for index, line in enumerate(lines)
    )
    return (
        '<div class="thumb tmulti tright"><div class="thumbinner multiimageinner" '
        f'style="width:184px;max-width:184px">{rows}</div></div>'
    )


def _reference_list(items: list[_ListItem], group: str, cite: _Cite) -> str:
    out = []
    expected = 1
    for item in items:
        ref = (group, item.number)
        value = f' value="{item.number}"' if item.number != expected else ""
        expected = item.number + 1
        note_id = cite.note_id(ref)
        if len(item.letters) >= 2:
            links = " ".join(
                f'<a href="#{cite.ref_id(ref, use)}"><sup><i><b>{letter}</b></i></sup></a>'
                for use, letter in enumerate(item.letters)
            )
            backlink = f'<span class="mw-cite-backlink">^ {links}</span>'
        else:
            backlink = (
                f'<span class="mw-cite-backlink"><b><a href="#{cite.ref_id(ref, 0)}">^</a>'
                "</b></span>"
            )
        text = _reference_text(item.text, cite)
        out.append(
            f'<li id="{note_id}"{value}>{backlink} <span class="reference-text">{text}</span>\n'
            "</li>"
        )
    group_attribute = f' data-mw-group="{group}"' if group else ""
    return (
        '<div class="reflist reflist-columns references-column-width" '
        'style="column-width: 30em;">\n<div class="mw-references-wrap mw-references-columns">'
        f'<ol class="references"{group_attribute}>\n' + "\n".join(out) + "\n</ol></div></div>"
    )


def _reference_text(text: str, cite: _Cite) -> str:
    """A CS1 citation's markup: cite element, COinS span, and the hidden maintenance note
    that CS1 adds to web citations with a retrieval date."""
    if not text:
        return ""
    inner = _inline(text, cite)
    if "Retrieved" not in text:
        return inner
    return (
        f'<cite class="citation web cs1">{inner}</cite>'
        '<span title="ctx_ver=Z39.88-2004&amp;rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Abook" '
        f'class="Z3988"></span>{STYLE_LINK}{CS1_MAINT}'
    )
