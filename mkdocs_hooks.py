"""mkdocs hook: doctest examples in the docstrings render as Python console code.

The package's docstrings write examples as bare ``>>>`` lines (doctest style); Markdown would
read them as nested block quotes. This adds a Markdown preprocessor, used by the pages and by
mkdocstrings for the docstrings, that fences each run of ``>>>`` lines and their output.
"""

from __future__ import annotations

from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from mkdocs.plugins import event_priority


class _DoctestFence(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        in_fence = False
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.lstrip().startswith(("```", "~~~")):
                in_fence = not in_fence
            if in_fence or not line.startswith(">>>"):
                out.append(line)
                i += 1
                continue
            # A run: the >>> lines, their continuations and output, up to a blank line.
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            out.extend(["", "```pycon", *block, "```", ""])
        return out


class DoctestExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Markdown's API name
        md.preprocessors.register(_DoctestFence(md), "doctest_fence", 40)


@event_priority(100)  # before mkdocstrings reads the Markdown extensions
def on_config(config: Any) -> Any:
    config.markdown_extensions.append(DoctestExtension())
    return config
