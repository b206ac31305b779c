"""People's text is shown as text: no Markdown, HTML or Streamlit markup survives ``plain``."""
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from flowsim.ui.text import plain

MARKDOWN = MarkdownIt("commonmark").enable("table").enable("strikethrough")


def rendered(text: str) -> str:
    return MARKDOWN.render(plain(text)).strip()


def test_a_markdown_image_is_not_an_image():
    tracker = "![seen](https://tracker.example/pixel.png)"
    assert "<img" not in rendered(tracker)
    assert rendered(tracker) == f"<p>{tracker}</p>"


def test_brackets_links_emphasis_html_and_streamlit_markup_show_as_written():
    for text in ["barnet [draft].yaml", "[/x]", "**bold** and _it_", "<img src=x onerror=alert(1)>",
                 "[link](https://example.org)", ":red[alarm] :material/home: $x^2$", "# heading", "- item"]:
        html = rendered(text)
        assert "<img" not in html and "<a " not in html and "<strong>" not in html and "<em>" not in html
        assert "<h1>" not in html and "<li>" not in html
    assert rendered("barnet [draft].yaml") == "<p>barnet [draft].yaml</p>"


@given(st.text(alphabet="![]()<>*_`#-+.:|$&=~{}\\ ab\n", max_size=40))
def test_no_markup_in_any_text(text):
    html = rendered(text)
    for tag in ("<img", "<a ", "<strong>", "<em>", "<code>", "<h", "<li>", "<pre>", "<del>", "<table>"):
        assert tag not in html, (text, html)
