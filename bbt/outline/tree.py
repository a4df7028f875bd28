"""The outline as a tree: chapters, sections and parts, each with what it shows.

Built once from the calculation (:func:`bbt.outline.build.build_outline`) and read by the
renderer, the checks (every text with the names it may use), the glossary, the live preview's
figure sources and the diff. The tree holds data only; how a part looks is its template's job.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import msgspec

from bbt.calculation import Calculation
from bbt.model import Narrative
from bbt.narrative import expand


class Heading(msgspec.Struct, frozen=True):
    """A numbered heading.

    Attributes:
        text: as printed, number included (``1.3. Budgettair kader voor het begrotingsjaar``).
        level: the HTML heading level (1 for chapters).
        anchor: the element id, unique in the document (``h-v-beleidsveld``).
        running: the chapter's short form for the running header (chapters only).
        toc: whether the table of contents lists it.
        style: a class for its template (``article-title``, ``group``).
        note: a footnote on the heading (Markdown), e.g. ``Zie ook begroting: …``.
    """

    text: str
    level: int
    anchor: str
    running: str = ""
    toc: bool = True
    style: str = ""
    note: str = ""


class Text(msgspec.Struct, frozen=True):
    """A narrative in its place, with the names it may use.

    Attributes:
        key: where it belongs (``article:JB0-1JEC2HA-WT:toelichting``, ``ise:activering:kader``).
        narrative: the Markdown source and its location.
        context: the names the text may use (plain data).
        local: the figures of its own section (article, ISE or programme), for the prose checks.
        level: the heading level of the part that holds it; its own headings nest below.
        inline: a short value (an indicator's measurement), rendered without paragraphs.
    """

    key: str
    narrative: Narrative
    context: dict[str, object]
    local: dict[str, object]
    level: int = 1
    inline: bool = False


class Part(msgspec.Struct):
    """One part of the document; ``kind`` names the template that draws it.

    Attributes:
        kind: ``chapter``, ``section``, ``ise``, ``article``, ``text``, ``table`` ...
        key: a stable name (``ise:activering``, ``article:JB0-1JEC2HA-WT``).
        heading: its heading, if it has one.
        text: its narrative, for parts that show one.
        label: a caption printed before its text (``Inhoudelijke toelichting:``).
        table: a table as plain data (caption, columns, rows of Decimals with their origins).
        data: other plain data its template shows.
        children: the parts inside it, in order.
    """

    kind: str
    key: str
    heading: Heading | None = None
    text: Text | None = None
    label: str = ""
    table: dict[str, object] | None = None
    data: dict[str, object] = msgspec.field(default_factory=dict)
    children: list[Part] = msgspec.field(default_factory=list)

    def walk(self) -> Iterator[Part]:
        """This part and every part inside it, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Outline:
    """The document as a tree, with the calculation it was built from.

    Attributes:
        calculation: every figure.
        chapters: the numbered chapters (II ... XI), in order.
        context: the names every narrative may use (plain data).
    """

    calculation: Calculation
    chapters: list[Part]
    context: dict[str, object]
    _expanded: dict[int, tuple[Text, str]] = field(default_factory=dict, repr=False, compare=False)

    def expanded(self, text: Text) -> str:
        """The text with its expressions evaluated (Markdown source), computed once per outline:
        the checks and the renderer read the same expansion.

        Raises :class:`~bbt.narrative.NarrativeError` as :func:`~bbt.narrative.expand` does.
        """
        entry = self._expanded.get(id(text))
        if entry is not None and entry[0] is text:
            return entry[1]
        result = expand(text.narrative, text.context)
        self._expanded[id(text)] = (text, result)  # holding the text keeps its id unique
        return result

    def walk(self) -> Iterator[Part]:
        for chapter in self.chapters:
            yield from chapter.walk()

    def texts(self, inline: bool = False) -> Iterator[Text]:
        """Every narrative of the document in order (with ``inline``, short values too)."""
        for part in self.walk():
            if part.text is not None and (inline or not part.text.inline):
                yield part.text

    def headings(self) -> Iterator[Heading]:
        for part in self.walk():
            if part.heading is not None:
                yield part.heading

    def toc(self) -> list[Heading]:
        return [h for h in self.headings() if h.toc]
