"""WikiText paragraphs labelled by their section heading: headings of every level, leads
left out, subsections folded into their section, and clear errors."""

import pytest

from w2v_lib.sections import heading, labelled_paragraphs, most_common_sections

ARTICLES = """\
 = Valkyria Chronicles III = 
 
 The lead paragraph , with no section . 
 
 = = Gameplay = = 
 
 As with previous games , the player fights . 
 Battles are turn @-@ based . 
 
 = = = Combat = = = 
 
 A subsection paragraph belongs to Gameplay . 
 
 = = Reception = = 
 
 Critics liked it . 
 
 = Tower Building of the Little Rock Arsenal = 
 
 Another lead . 
 
 = = History = = 
 
 Built in 1840 . 
 = = <unk> = = 
 A heading that lost its word . 
"""


@pytest.mark.parametrize("line, expected", [
    (" = Title = ", (1, "Title")),
    ("= = Early life = =", (2, "Early life")),
    (" = = = Casting = = = ", (3, "Casting")),
    ("= = 1 @,@ 000 metres = =", (2, "1 @,@ 000 metres")),
    ("The score was 2 = 1 .", None),
    ("= not closed", None),
    ("= = unbalanced =", None),
    ("= =", None),
    ("", None),
])
def test_heading(line, expected):
    assert heading(line) == expected


@pytest.fixture
def wiki(tmp_path):
    path = tmp_path / "wiki.train.tokens"
    path.write_text(ARTICLES, encoding="utf-8")
    return path


def test_paragraphs_get_their_level_two_heading(wiki):
    paragraphs = labelled_paragraphs(path=wiki)
    assert [(p.article, p.section, p.tokens[0]) for p in paragraphs] == [
        ("valkyria chronicles iii", "gameplay", "as"),
        ("valkyria chronicles iii", "gameplay", "battles"),
        ("valkyria chronicles iii", "gameplay", "a"),  # from the subsection
        ("valkyria chronicles iii", "reception", "critics"),
        ("tower building of the little rock arsenal", "history", "built"),
        ("tower building of the little rock arsenal", "<unk>", "a"),
    ]
    assert paragraphs[0].tokens == "as with previous games , the player fights .".split()
    cased = labelled_paragraphs(path=wiki, lowercase=False)
    assert cased[3].section == "Reception" and cased[3].tokens[0] == "Critics"


def test_most_common_sections_skip_unk_and_break_ties_by_name(wiki):
    paragraphs = labelled_paragraphs(path=wiki)
    assert most_common_sections(paragraphs, 1) == ["gameplay"]
    assert most_common_sections(paragraphs, 3) == ["gameplay", "history", "reception"]
    with pytest.raises(ValueError, match="asked for 4 sections, but .* only 3"):
        most_common_sections(paragraphs, 4)
    with pytest.raises(ValueError, match="k must be at least 1"):
        most_common_sections(paragraphs, 0)


def test_files_that_are_not_wikitext(tmp_path):
    (tmp_path / "plain.txt").write_text("just text\nno headings\n")
    with pytest.raises(ValueError, match="no paragraph under a section heading"):
        labelled_paragraphs(path=tmp_path / "plain.txt")
    (tmp_path / "odd.txt").write_text(" = = Section before title = = \n text\n")
    with pytest.raises(ValueError, match="line 2: a section heading came before any article"):
        labelled_paragraphs(path=tmp_path / "odd.txt")


def test_wikitext2_validation_split():
    # the real file (W2V_DATA_DIR or the download): every paragraph under a section,
    # and the five most common training headings are all present in it
    valid = labelled_paragraphs("wikitext-2", "valid")
    assert len(valid) > 1000 and all(p.tokens for p in valid)
    assert {"history", "background", "production"} <= {p.section for p in valid}
