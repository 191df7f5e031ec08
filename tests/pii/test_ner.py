"""The NER gate: spaCy runs only in windows around words that could be somebody's name."""

import pytest

from recruiter.pii.ner import load_lexicon, ner_gate_windows


@pytest.fixture(scope="module")
def lex():
    return load_lexicon(None)


def _windows(text, lex, skip=()):
    return [text[a:b] for a, b in ner_gate_windows(text, lex, frozenset(skip))]


def test_a_window_opens_around_a_name_and_stays_on_its_line(lex):
    text = "Worked with Priya Raman on JavaScript and MySQL migrations.\nSKILLS\nPython, SQL"
    (window,) = _windows(text, lex)
    assert "Priya Raman" in window and "\n" not in window


def test_tools_and_skills_open_no_window(lex):
    assert _windows("Led the Python team. Built JavaScript and Docker tooling.", lex) == []


def test_a_name_that_is_also_a_word_needs_a_namey_context(lex):
    assert _windows("Grace under pressure is a strength.", lex) == []
    assert _windows("Interviewer: Thanks, Grace. Next question.", lex) != []  # after a greeting
    assert _windows("Dear Mr. Will, hello", lex) != []  # after an honorific


def test_lowercased_exports_gate_on_known_names(lex):
    assert _windows("i worked with rachel on the billing system.", lex) != []


def test_words_masked_anyway_open_no_window(lex):
    assert _windows("Worked with Priya Raman on it.", lex, skip=("priya", "raman")) == []
