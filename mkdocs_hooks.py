"""mkdocs hooks.

- Doctest examples in the docstrings render as Python console code: the package's docstrings
  write examples as bare ``>>>`` lines, which Markdown would read as nested block quotes. A
  Markdown preprocessor, used by the pages and by mkdocstrings, fences each run of them.
- ``<!-- tradedep:defaults -->`` in a page becomes the table of every public function's
  arguments and defaults, read from the installed package, so the page cannot go stale.
"""

from __future__ import annotations

import inspect
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


DEFAULTS_MARKER = "<!-- tradedep:defaults -->"


def defaults_table() -> str:
    """Markdown table: every public function of ``tradedep`` and its arguments with defaults."""
    import tradedep as td

    rows = ["| function | argument | default |", "|---|---|---|"]
    for name in sorted(td.__all__):
        obj = getattr(td, name)
        if not inspect.isfunction(obj):
            continue
        for p in inspect.signature(obj).parameters.values():
            if p.default is not inspect.Parameter.empty:
                rows.append(f"| `td.{name}` | `{p.name}` | `{p.default!r}` |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    if DEFAULTS_MARKER in markdown:
        markdown = markdown.replace(DEFAULTS_MARKER, defaults_table())
    return markdown
