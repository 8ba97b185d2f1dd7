"""The `chatlift` command: app assembly and the one error renderer.

Errors print ``Error: …`` and ``Hint: …`` on stderr and exit with status 1
(usage errors: 2); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from chatlift import __version__
from chatlift.cli import access, demo, experiment, export, importing, metrics, report, serve, store, value
from chatlift.cli.options import err
from chatlift.errors import ChatliftError

app = typer.Typer(
    name="chatlift",
    help="Measure what live chat and customer service are worth.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_debug = {"on": False}


def _version(value: bool) -> None:
    if value:
        print(f"chatlift {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Measure what live chat and customer service are worth."""
    _debug["on"] = debug


store.register(app)
importing.register(app)
demo.register(app)
metrics.register(app)
report.register(app)
export.register(app)
serve.register(app)
access.register(app)
experiment.register(app)
value.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    try:
        # Without standalone mode click returns the code of a typer.Exit instead of exiting.
        code = app(args=argv, standalone_mode=False)
    except ChatliftError as exc:
        if _debug["on"]:
            raise
        # Messages and hints are text, not markup: "[business_hours.calendars.default]" must stay.
        err.print(f"[bold red]Error:[/bold red] {escape(str(exc))}", highlight=False)
        if exc.hint:
            err.print(f"[bold]Hint:[/bold] {escape(exc.hint)}", highlight=False)
        return 1
    except KeyboardInterrupt:
        err.print("Interrupted.")
        return 130
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        return 1
    except Exception as exc:
        # Usage errors (typer's vendored click, or click itself in older typer) show
        # themselves and carry their exit code (2).
        show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            show()
            return exit_code
        raise
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
