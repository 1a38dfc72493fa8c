"""``idgraph cypher ...``: the analysts' query library and read-only ad-hoc queries."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from graph.analyst.library import get_query, library, parse_cli_params
from graph.analyst.runner import QueryResult, run_adhoc, run_named
from graph.settings import get_settings
from idgraph.cli.common import err, open_store, out, print_json

__all__ = ["cypher_app"]

cypher_app = typer.Typer(
    help="The analysts' query library (cypher/queries/) and read-only ad-hoc queries.",
    no_args_is_help=True,
)

ParamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="key=value, repeatable; typed as the query's header says "
        "(string, int, float, bool, datetime in ISO 8601)",
    ),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, csv or json")]
LimitOption = Annotated[int, typer.Option(min=1, max=10_000, help="at most this many rows")]
TimeoutOption = Annotated[
    float, typer.Option("--timeout", min=0.1, max=60.0, help="seconds before the query stops")
]


def _print_result(result: QueryResult, fmt: str) -> None:
    import csv

    if fmt == "json":
        print(json.dumps(result.rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow(
                [
                    v if isinstance(v, str) or v is None else json.dumps(v, ensure_ascii=False)
                    for v in (row[c] for c in result.columns)
                ]
            )
    else:
        from rich.table import Table

        table = Table(*result.columns)
        for row in result.rows:
            table.add_row(
                *(
                    "" if v is None else v if isinstance(v, str) else json.dumps(v)
                    for v in (row[c] for c in result.columns)
                )
            )
        out.print(table)
    more = " (truncated: raise --limit to see more)" if result.truncated else ""
    err.print(f"[dim]{len(result.rows)} row(s){more}[/dim]")


def _check_format(fmt: str) -> str:
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("must be table, csv or json", param_hint="--format")
    return fmt


@cypher_app.command("list")
def cypher_list(
    topic: Annotated[str, typer.Option(help="only this topic (resolution, fraud...)")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON, not a table")] = False,
) -> None:
    """The library's queries: name and purpose."""
    from rich.table import Table

    queries = [q for q in library().values() if not topic or q.topic == topic]
    if as_json:
        print_json([{"name": q.name, "purpose": q.purpose} for q in queries])
        return
    table = Table("name", "purpose")
    for q in queries:
        table.add_row(q.name, q.summary)
    out.print(table)


@cypher_app.command("show")
def cypher_show(name: Annotated[str, typer.Argument(help="topic/name")]) -> None:
    """One query's purpose, parameters (type, example, default) and columns, then its text."""
    q = get_query(name)
    print(f"{q.name}\n\n{q.purpose}\n\nparameters:")
    for p in q.parameters:
        default = " (default)" if p.has_default else ""
        example = json.dumps(p.example, default=lambda v: v.isoformat())
        print(f"  {p.name} {p.type} = {example}{default}: {p.description}")
    if not q.parameters:
        print("  (none)")
    print("columns:")
    for c in q.columns:
        print(f"  {c.name}: {c.description}")
    print("\n" + q.text.rstrip())


@cypher_app.command("run")
def cypher_run(
    name: Annotated[str, typer.Argument(help="topic/name, as `idgraph cypher list` shows")],
    param: ParamOption = None,
    fmt: FormatOption = "table",
    limit: LimitOption = 1000,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Run a library query, read-only, with --param key=value for each parameter.

    Parameters marked default in the header (`idgraph cypher show NAME`) may be left
    out: they take their example value.
    """
    _check_format(fmt)
    params = parse_cli_params(param or [])
    with open_store(get_settings()) as repo:
        result = run_named(repo, name, params, limit=limit, timeout_s=timeout)
    _print_result(result, fmt)


@cypher_app.command("query")
def cypher_query(
    text: Annotated[str, typer.Argument(help="the Cypher text (read-only)")],
    param: ParamOption = None,
    fmt: FormatOption = "table",
    limit: LimitOption = 1000,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Run an ad-hoc read-only query (writes, schema and admin commands are refused).

    --param key=value: the value is taken as a JSON literal when it is one (12, true,
    "x", [1, 2]), else as a string; use datetime($p) in the query for a date-time.
    """
    _check_format(fmt)
    params: dict[str, object] = {}
    for key, raw in parse_cli_params(param or []).items():
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    with open_store(get_settings()) as repo:
        result = run_adhoc(repo, text, params, limit=limit, timeout_s=timeout)
    _print_result(result, fmt)
