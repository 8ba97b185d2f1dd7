"""The public API is what `chatlift.__all__` says, sorted."""

from __future__ import annotations

import chatlift


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in vars(chatlift) if not name.startswith("_")} - {"annotations"}
    exported = set(chatlift.__all__) - {"__version__"}
    modules = {name for name in public if type(getattr(chatlift, name)).__name__ == "module"}
    assert exported == public - modules
    assert list(chatlift.__all__) == sorted(chatlift.__all__)
