"""The `chatlift` command line: thin commands over `Workspace`."""
