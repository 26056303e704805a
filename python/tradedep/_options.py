"""Process-wide display options, visible and documented: ``td.options``.

    >>> import tradedep as td
    >>> td.options.progress = False     # no progress bars (or TRADEDEP_PROGRESS=0 in the environment)
    >>> td.options
    Options(progress=False)
"""

from __future__ import annotations

import os

__all__: list[str] = ["options", "Options"]

_OFF = {"0", "false", "no", "off"}


class Options:
    """``progress``: show a progress bar on calls that take more than a second (readers,
    whole-year kernels). Default on, unless the environment variable ``TRADEDEP_PROGRESS`` is
    ``0``/``false``/``no``/``off``. Needs ``tqdm`` (the ``progress`` extra); in Jupyter a widget
    bar when ipywidgets is installed, else a text bar (never tqdm's TqdmWarning)."""

    def __init__(self) -> None:
        self.progress: bool = os.environ.get("TRADEDEP_PROGRESS", "1").strip().lower() not in _OFF

    def __repr__(self) -> str:
        return f"Options(progress={self.progress})"


options = Options()
