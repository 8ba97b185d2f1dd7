"""Tables, columns and enums of the canonical data model (imports nothing of ours)."""
