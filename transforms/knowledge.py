"""Loads the language knowledge kept in `transforms/data/` (YAML and word lists).

The files are meant to be read and extended by users: a new site's chrome, a
new unit or an indicator alias is a new entry there, not new code.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml


def data_path(name: str):
    return resources.files("transforms") / "data" / name


@functools.cache
def load_yaml(name: str) -> Any:
    with data_path(name).open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@functools.cache
def load_word_list(name: str) -> tuple[str, ...]:
    """One entry a line; blank lines and lines starting with '#' are skipped."""
    words = []
    with data_path(name).open("r", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                words.append(line)
    return tuple(words)
