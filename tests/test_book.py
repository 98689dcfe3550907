"""The book's pages and references: every citation resolves, every reference is cited,
and two works by the same authors in the same year can be told apart."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIB = ROOT / "book" / "references.bib"


def bib_entries() -> dict[str, str]:
    """Each entry's key and its text."""
    text = BIB.read_text(encoding="utf-8")
    starts = [(m.start(), m.group(1)) for m in re.finditer(r"@\w+\{([^,]+),", text)]
    ends = [start for start, _ in starts[1:]] + [len(text)]
    return {key: text[start:end] for (start, key), end in zip(starts, ends)}


def field(entry: str, name: str) -> str:
    match = re.search(rf"^\s*{name}\s*=\s*\{{(.*)\}},?\s*$", entry, re.MULTILINE)
    assert match, f"no {name} in {entry[:60]!r}"
    return match.group(1)


def pages() -> dict[str, str]:
    """The text of every page of the book: the markdown pages and the notebooks'
    markdown cells."""
    texts = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
             for p in (ROOT / "book").glob("*.md")}
    for notebook in (ROOT / "chapters").glob("*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        texts[str(notebook.relative_to(ROOT))] = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return texts


def cited_keys() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for page, text in pages().items():
        for keys in re.findall(r"\{cite:[pt]\}`([^`]+)`", text):
            for key in keys.split(","):
                found.setdefault(key.strip(), set()).add(page)
    return found


def test_every_citation_has_a_reference():
    missing = {key: pages for key, pages in cited_keys().items()
               if key not in bib_entries()}
    assert not missing


def test_every_reference_is_cited():
    uncited = set(bib_entries()) - set(cited_keys())
    assert not uncited, f"in references.bib but cited nowhere: {sorted(uncited)}"


def test_works_of_the_same_authors_and_year_are_told_apart():
    # with author-year citations, "Mikolov et al., 2013" twice would be ambiguous:
    # such entries carry 2013a, 2013b
    labels = {}
    for key, entry in bib_entries().items():
        first_author = field(entry, "author").split(" and ")[0].split(",")[0].strip()
        label = (first_author, field(entry, "year"))
        assert label not in labels, f"{key} and {labels[label]} both cite as {label}"
        labels[label] = key
    assert field(bib_entries()["mikolov2013efficient"], "year") == "2013a"
    assert field(bib_entries()["mikolov2013distributed"], "year") == "2013b"


def test_the_book_shows_80_columns_of_code_without_a_scroll_bar():
    # tests/test_notebooks.py keeps code and outputs within 80 columns; at the theme's
    # 0.875em the content column of a 1280-pixel window shows 78 of them (measured in
    # a headless screenshot), so the book's stylesheet sets all code blocks smaller
    import yaml
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config["sphinx"]["config"]
    sheets = [ROOT / folder / name for folder in sphinx["html_static_path"]
              for name in sphinx["html_css_files"] if (ROOT / folder / name).exists()]
    assert len(sheets) == len(sphinx["html_css_files"]), "a stylesheet is missing"
    css = "\n".join(sheet.read_text(encoding="utf-8") for sheet in sheets)
    rule = re.search(r"\.bd-article pre\s*\{[^}]*font-size:\s*([\d.]+)em", css)
    assert rule, "no font size for the blocks of code of a page"
    assert 78 * 0.875 / float(rule.group(1)) >= 80
