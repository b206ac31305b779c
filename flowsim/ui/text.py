"""People's own text (labels, names, file names, bad values) shown by the app as text, never as markup.

Streamlit renders Markdown in st.markdown, captions, messages and widget
labels; a label such as ``![x](https://tracker.example/p.png)`` in a shared
scenario file would make every reader's browser fetch that image. ``plain``
escapes every character Markdown (and Streamlit's own ``:color[...]``,
``$math$`` and ``:icon:`` syntax) could read as markup.
"""
from __future__ import annotations

import re

_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")


def plain(text: object) -> str:
    """``text`` escaped for Markdown, on one line, so it shows exactly as written."""
    one_line = " ".join(str(text).split())
    return _MARKUP.sub(r"\\\1", one_line)
