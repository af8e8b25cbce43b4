"""The command line: lint, fix, rules, explain."""

from __future__ import annotations

import os
import sys

import click

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _colour(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def _rules(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> dict:
    from k8stoken.rules import load_rules

    rules = load_rules()
    wanted = {code.strip().upper() for value in select for code in value.split(",") if code.strip()}
    dropped = {code.strip().upper() for value in ignore for code in value.split(",") if code.strip()}
    unknown = sorted((wanted | dropped) - set(rules))
    if unknown:
        raise click.UsageError(f"unknown rule code(s): {', '.join(unknown)} (see: k8stoken rules)")
    return {code: rule for code, rule in rules.items() if (not wanted or code in wanted) and code not in dropped}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="k8stoken")
def main() -> None:
    """Find and fix Kubernetes workloads that rely on the expiring auto-mounted ServiceAccount token."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    show_default=True,
    help="text for people, json, sarif (code scanning), github (workflow annotations).",
)
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8", lazy=False),
    default=None,
    metavar="FILE",
    help="Write the report to FILE instead of standard output.",
)
@click.option("--statistics", is_flag=True, help="Also print the number of findings per rule.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (2 still means unreadable input).")
@click.option("--quiet", "-q", is_flag=True, help="Print findings and errors only: no summary, no skipped notices.")
@click.option("--select", multiple=True, metavar="CODES", help="Only these rules (comma-separated codes).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules (comma-separated codes).")
@click.option(
    "--long-running-threshold",
    type=click.IntRange(min=1),
    default=None,
    metavar="SECONDS",
    help="A Job deadline above this is long-running (default 3000).",
)
def lint(paths, output_format, output, statistics, exit_zero, quiet, select, ignore, long_running_threshold) -> None:
    """Report workloads that rely on the auto-mounted ServiceAccount token.

    PATHS are files, folders (searched for *.yaml and *.yml) or - for standard input.
    Exit status: 0 no findings, 1 findings, 2 an input could not be read or parsed.
    """
    from .engine import lint as run_lint
    from .output import render
    from .rule_api import Settings

    settings = Settings()
    if long_running_threshold is not None:
        settings = Settings(long_running_threshold=long_running_threshold)
    rules = _rules(select, ignore)
    paths = list(paths) or ["."]
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    report = run_lint(paths, rules, settings, stdin=stdin)
    colour = output is None and output_format == "text" and _colour(sys.stdout)
    rendered = render(report, rules, output_format, colour=colour, quiet=quiet, statistics=statistics)
    for line in rendered.report:
        click.echo(line, file=output, color=colour)
    for line in rendered.messages:
        click.echo(line, err=True)
    if report.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if report.findings and not exit_zero else EXIT_CLEAN)


@main.command("rules")
def list_rules() -> None:
    """List the rules: code, name, default severity, whether fix handles it."""
    rules = _rules()
    width = max(len(rule.name) for rule in rules.values())
    click.echo(f"{'CODE':<6} {'NAME':<{width}} {'SEVERITY':<8} FIX  SUMMARY")
    for rule in rules.values():
        fix = "yes" if rule.fixable else "-"
        click.echo(f"{rule.code:<6} {rule.name:<{width}} {rule.severity!s:<8} {fix:<4} {rule.summary}")


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain a rule: why it matters, an example, how to fix (CODE or name)."""
    rules = _rules()
    wanted = code.strip()
    rule = rules.get(wanted.upper()) or next((r for r in rules.values() if r.name == wanted.lower()), None)
    if rule is None:
        raise click.UsageError(f"no rule {code!r} (see: k8stoken rules)")
    fix = "fixable by k8stoken fix" if rule.fixable else "not fixable automatically"
    click.echo(f"{rule.code} {rule.name} [{rule.severity}] ({fix})\n")
    click.echo(_dedent_doc(rule.doc))


def _dedent_doc(doc: str) -> str:
    import inspect

    return inspect.cleandoc(doc)
