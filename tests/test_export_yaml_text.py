"""The YAML writer behind the lws and srt-slurm exports: whatever goes in reads back exactly."""

from __future__ import annotations

import yaml
from hypothesis import given
from hypothesis import strategies as st

from dsv4_tui.core.formats.yaml_text import Commented, dump, dump_all, quote, scalar

TEXT = st.text(st.characters(codec="utf-8"))
SCALARS = st.one_of(
    TEXT,
    st.sampled_from(
        ["yes", "No", "on", "null", "~", "0x1F", "1e5", "0.5", ".5", "-", "---", "- a", "a: b", "#x", "@x"]
    ),
    st.integers(),
    st.booleans(),
    st.none(),
    st.sampled_from([0.5, 0.78, -2.25, 123.0]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=20,
)


@given(st.dictionaries(TEXT, VALUES, max_size=5))
def test_every_document_reads_back_exactly(doc):
    assert yaml.safe_load(dump(doc)) == doc


@given(TEXT)
def test_every_string_reads_back_exactly(text):
    assert yaml.safe_load(quote(text)) == text
    assert yaml.safe_load(scalar(text)) == text


@given(TEXT)
def test_a_comment_stays_a_comment(text):
    doc = {"a": Commented({"b": 1}, (text, "second"))}
    assert yaml.safe_load(dump(doc, comments=[text])) == {"a": {"b": 1}}


def test_several_documents_in_one_stream():
    text = dump_all([(["first"], {"kind": "A"}), ([], {"kind": "B", "items": [{"x": 1}, []]})])
    assert list(yaml.safe_load_all(text)) == [{"kind": "A"}, {"kind": "B", "items": [{"x": 1}, []]}]
    assert text.startswith("# first\n") and "\n---\n" in text
