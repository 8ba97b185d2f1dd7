"""chatlift: what live chat and customer service are worth, measured honestly."""

from __future__ import annotations

from chatlift.workspace import Workspace, connect

__version__ = "0.1.0"

__all__ = ["Workspace", "__version__", "connect"]
