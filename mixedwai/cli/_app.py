"""Assembles the typer application from the strand modules."""

from __future__ import annotations

import importlib

import typer

#: Modules that register commands; each defines ``register(app: typer.Typer)``.
COMMAND_MODULES = (
    "mixedwai.cli.quant",
    "mixedwai.cli.qual",
    "mixedwai.cli.themes",
    "mixedwai.cli.agreement",
    "mixedwai.cli.retrieval",
    "mixedwai.cli.study",
    "mixedwai.cli.exchange",
)


def _version(value: bool) -> None:
    if value:
        from mixedwai import __version__

        typer.echo(f"mixedwai {__version__}")
        raise typer.Exit()


def build_app() -> typer.Typer:
    """Build the ``mixedwai`` application with every available command."""
    app = typer.Typer(
        name="mixedwai",
        help="Mixed-methods analysis of working-alliance trajectories and interviews.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root(
        version: bool = typer.Option(
            False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ) -> None:
        """Mixed-methods analysis of working-alliance trajectories and interviews."""

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # strand not written yet
                continue
            raise
        module.register(app)
    return app
