"""The command line: lint, fix, rules, explain."""

from __future__ import annotations

import os
import re
import sys

import click

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _colour(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


class SetupError(click.ClickException):
    """A configuration file or a plugin rule that cannot be used: one line, exit status 2."""

    exit_code = EXIT_ERROR


def _config(config_file: str | None = None):
    from .config import ConfigError, load

    try:
        return load(config_file)
    except ConfigError as error:
        raise SetupError(str(error)) from None


def _rules(select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), config=None) -> dict:
    """The rules to run: --select replaces the file's `select` (and its `ignore`); --ignore adds to `ignore`."""
    from k8stoken.rules import PluginError, load_rules

    try:
        rules = load_rules()
    except PluginError as error:
        raise SetupError(str(error)) from None
    by_name = {rule.name: code for code, rule in rules.items()}

    def codes(values: tuple[str, ...]) -> set[str]:  # codes or names, comma-separated
        words = (word.strip() for value in values for word in value.split(",") if word.strip())
        return {by_name.get(word.lower(), word.upper()) for word in words}

    wanted, dropped = codes(select), codes(ignore)
    unknown = sorted((wanted | dropped) - set(rules))
    if unknown:
        raise click.UsageError(f"unknown rule code(s): {', '.join(unknown)} (see: k8stoken rules)")
    if config is not None and config.path is not None:
        from .config import ConfigError, check_codes

        try:
            check_codes(config, rules)
        except ConfigError as error:
            raise SetupError(str(error)) from None
        if not wanted:
            wanted = set(config.select or ())
            dropped |= set(config.ignore)
    return {code: rule for code, rule in rules.items() if (not wanted or code in wanted) and code not in dropped}


def _settings(config, **overrides):
    """The file's settings with the command line's on top (options left unset do not override)."""
    import dataclasses

    return dataclasses.replace(config.settings, **{key: value for key, value in overrides.items() if value is not None})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="k8stoken")
def main() -> None:
    """Find and fix Kubernetes workloads that rely on the expiring auto-mounted ServiceAccount token."""


# Shared by lint and fix: parsing is the cost of a large run, and it spreads over processes.
threshold_option = click.option(
    "--long-running-threshold",
    type=click.IntRange(1, 3607),
    default=None,
    metavar="SECONDS",
    help="A Job deadline above this is long-running (default 3000; at most 3607, the token's lifetime).",
)
config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Read settings from FILE instead of the nearest .k8stoken.yaml or pyproject.toml.",
)
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Parse files in N processes (default: the CPUs available; 1: no worker processes).",
)


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
    # Opened at once (a bad path is a usage error before any work) but for appending: it is emptied
    # only when the report is written, after a check that it is not one of the inputs.
    type=click.File("a", encoding="utf-8", lazy=False),
    default=None,
    metavar="FILE",
    help="Write the report to FILE instead of standard output.",
)
@click.option("--statistics", is_flag=True, help="Also print the number of findings per rule.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (2 still means unreadable input).")
@click.option("--quiet", "-q", is_flag=True, help="Print findings and errors only: no summary, no skipped notices.")
@click.option("--select", multiple=True, metavar="CODES", help="Only these rules (comma-separated codes or names).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules (comma-separated codes or names).")
@threshold_option
@click.option(
    "--max-expiration",
    type=click.IntRange(600, 4294967296),
    default=None,
    metavar="SECONDS",
    help="A projected token lifetime above this is reported by KT005 (default 86400).",
)
@click.option("--audience", default=None, help="The audience your API server accepts, checked by KT009.")
@config_option
@click.option("--no-ignore", is_flag=True, help="Report findings silenced by k8stoken.io/ignore or # k8stoken: ignore.")
@jobs_option
def lint(
    paths,
    output_format,
    output,
    statistics,
    exit_zero,
    quiet,
    select,
    ignore,
    long_running_threshold,
    max_expiration,
    audience,
    config_file,
    no_ignore,
    jobs,
) -> None:
    """Report workloads that rely on the auto-mounted ServiceAccount token.

    PATHS are files, folders (searched for *.yaml and *.yml) or - for standard input.
    Exit status: 0 no findings, 1 findings, 2 an input could not be read or parsed.
    """
    from .engine import available_cpus, without_cycle_collection
    from .engine import lint as run_lint
    from .output import render

    config = _config(config_file)
    rules = _rules(select, ignore, config)
    settings = _settings(
        config,
        long_running_threshold=long_running_threshold,
        max_expiration=max_expiration,
        audience=audience,
        suppressions=False if no_ignore else None,
    )
    paths = list(paths) or ["."]
    if output is not None and _overwrites_an_input(output.name, paths):
        raise click.BadParameter(f"{output.name} is one of the files to lint", param_hint="--output")
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    with without_cycle_collection():  # through the output too: it is the report's biggest allocation
        report = run_lint(paths, rules, settings, stdin=stdin, jobs=jobs or available_cpus())
        colour = output is None and output_format == "text" and _colour(sys.stdout)
        rendered = render(report, rules, output_format, colour=colour, quiet=quiet, statistics=statistics)
        if output is not None and os.path.isfile(output.name):  # a file by name; never standard output (`>>`)
            output.truncate(0)
        for line in rendered.report:
            click.echo(line, file=output, color=colour)
        for line in rendered.messages:
            click.echo(line, err=True)
    if report.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if report.findings and not exit_zero else EXIT_CLEAN)


def _overwrites_an_input(output: str, paths: list[str]) -> bool:
    """Whether the report would replace a manifest being linted: a file given, or a YAML file in a folder given."""
    if not os.path.isfile(output):
        return False
    target = os.path.realpath(output)
    for path in paths:
        real = os.path.realpath(path)
        if target == real or (target.startswith(real + os.sep) and target.endswith((".yaml", ".yml"))):
            return True
    return False


class Expiration(click.ParamType):
    """Seconds for the projected token (600..4294967296, never the magic 3607), or `auto`."""

    name = "SECONDS|auto"

    def convert(self, value, param, ctx):
        from .projection import MAX_EXPIRATION, MIN_EXPIRATION

        if isinstance(value, int) or value is None:
            return value
        if str(value).strip().lower() == "auto":
            return None
        try:
            seconds = int(value)
        except ValueError:
            self.fail(f"{value!r} is not a number of seconds or 'auto'", param, ctx)
        if seconds == 3607:
            self.fail(
                "3607 is the admission default, read as 1 hour or 1 year depending on API server flags", param, ctx
            )
        if not MIN_EXPIRATION <= seconds <= MAX_EXPIRATION:
            self.fail(
                f"{seconds} is outside {MIN_EXPIRATION}..{MAX_EXPIRATION}, which the API server accepts", param, ctx
            )
        return seconds


EXTENDED_TOKEN_NOTE = (
    "note: on clusters that still extend the auto-mounted token (the upstream default, EKS) it can live up to a "
    "year; the fixed lifetime may be shorter than today's. A client that reloads the token is the cure."
)


def _check_audience(audience: str | None, force: bool) -> None:
    from .audiences import rejection

    reason = None if audience is None or force else rejection(audience)
    if reason is not None:
        raise click.BadParameter(
            f"{audience!r} is not an audience the API server accepts ({reason}); a token at the default path "
            "with it gets 401 from every API call (use --force to write it anyway)",
            param_hint="--audience",
        )


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--expiration",
    type=Expiration(),
    default="86400",
    show_default=True,
    help="Token lifetime in seconds, or 'auto' to cover each Job's deadline (3600..86400).",
)
@click.option("--audience", default=None, help="Audience of the projected token (default: the API server's).")
@click.option("--volume-name", default="k8stoken-sa-token", show_default=True, help="Name of the token volume.")
@click.option("--force", is_flag=True, help="Write an audience that the API server would reject.")
@click.option("--select", multiple=True, metavar="CODES", help="Only fix findings of these rules.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; write nothing.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when something would change.")
@threshold_option
@config_option
@jobs_option
def fix(
    paths, expiration, audience, volume_name, force, select, show_diff, check, long_running_threshold, config_file, jobs
) -> None:
    """Rewrite workloads that rely on the auto-mounted token, in place.

    Sets automountServiceAccountToken: false and mounts a projected token (with ca.crt and namespace)
    at /var/run/secrets/kubernetes.io/serviceaccount in every container. PATHS as for lint; with -
    the fixed YAML goes to standard output. Exit status: 0 all fixed, 1 findings remain that fix does
    not repair (they are listed) or an input could not be parsed, 2 a file could not be fixed safely
    (its fixed text did not verify, or could not be written). With --check: 0 nothing would change,
    1 something would, 2 an input could not be read or parsed.
    """
    from . import fix_files
    from .engine import available_cpus
    from .fix import FixSettings

    if not VOLUME_NAME.fullmatch(volume_name) or volume_name.startswith("kube-api-access-"):
        raise click.BadParameter(
            "a volume name is a DNS label (lower-case letters, digits and '-', at most 63) and not "
            "kube-api-access-…, the prefix admission uses for its own",
            param_hint="--volume-name",
        )
    _check_audience(audience, force)
    config = _config(config_file)  # the same files and rules as lint: exclude, per-file-ignores, select
    settings = _settings(config, long_running_threshold=long_running_threshold)
    fix_settings = FixSettings(expiration=expiration, audience=audience, volume_name=volume_name)
    paths = list(paths) or ["."]
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    rules = _rules(select, (), config)
    opt_in = "KT015" in rules and bool(select)  # named in --select, by code or name
    run = fix_files.run(paths, rules, settings, fix_settings, stdin, opt_in=opt_in, jobs=jobs or available_cpus())
    errors = _report_fix(run, paths, stdin, show_diff=show_diff, check=check)
    changed = [o for o in run.files if o.changed and o.error is None]
    if any(o.fixed.lifetimes for o in changed) and not check:
        if expiration is not None and expiration > 86400:
            click.echo("warning: AKS and other OIDC-issuer clusters cap projected tokens at 86400 s", err=True)
        click.echo(EXTENDED_TOKEN_NOTE, err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    if check:
        sys.exit(EXIT_ERROR if run.report.errors else EXIT_FINDINGS if changed else EXIT_CLEAN)
    if run.remaining and not show_diff:
        click.echo(f"{len(run.remaining)} finding(s) remain that fix does not repair:", err=True)
        for finding in run.remaining:
            where = f"{finding.path}:{finding.line}:{finding.column}"
            click.echo(f"  {where}: {finding.rule} ({finding.kind}/{finding.name})", err=True)
        click.echo("  (k8stoken lint explains each)", err=True)
    sys.exit(EXIT_FINDINGS if run.remaining or run.report.errors else EXIT_CLEAN)


# A DNS-1123 label, what the API server requires of a volume name.
VOLUME_NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def _report_fix(run, paths: list[str], stdin: bytes | None, *, show_diff: bool, check: bool) -> list[str]:
    """Write (or show) what fix changed, say what it noticed; returns the errors of files it could not fix."""
    from . import fix_files

    to_stdout = stdin is not None
    say = (lambda line: click.echo(line, err=True)) if to_stdout else click.echo
    # Inputs that cannot be parsed are reported and remain to be dealt with (exit 1); exit 2 is kept for
    # files that fix meant to change and could not change safely.
    for problem in run.report.errors:
        click.echo(f"{problem.path}:{problem.line}:{problem.column}: error: {problem.message}", err=True)
    for problem in run.report.skipped:
        click.echo(f"{problem.path}:{problem.line}:{problem.column}: skipped: {problem.message}", err=True)
    for note in run.notes:
        click.echo(note, err=True)
    errors = []
    for outcome in run.files:
        if outcome.error is not None:
            errors.append(f"{outcome.path}:1:1: error: {outcome.error}; not written")
            continue
        for note in outcome.fixed.notes:
            click.echo(note, err=True)
        if not outcome.changed:
            continue
        if show_diff:
            click.echo(outcome.diff(), nl=False)
        elif check:
            say(f"would fix {outcome.path}: {', '.join(outcome.fixed.fixed)}")
        elif outcome.path != "-":
            problem = fix_files.write(outcome, paths)
            if problem is not None:
                errors.append(f"{problem.path}:{problem.line}:{problem.column}: error: {problem.message}")
                continue
            say(f"fixed {outcome.path}: {', '.join(outcome.fixed.fixed)}")
    if to_stdout and not show_diff and not check:
        stdin_outcome = next((o for o in run.files if o.path == "-"), None)
        ok = stdin_outcome is not None and stdin_outcome.error is None
        sys.stdout.buffer.write(stdin_outcome.output() if ok else stdin)
    for line in errors:
        click.echo(line, err=True)
    return errors


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
    """Explain a rule: why it matters, an example, how to fix (CODE or name).

    `k8stoken explain frameworks` explains how Spark, Argo, Airflow, Ray, JobSet, Volcano and your own
    custom resources are read.
    """
    wanted = code.strip()
    if wanted.lower() == "frameworks":
        from . import frameworks

        click.echo(_dedent_doc(frameworks.__doc__))
        return
    rules = _rules()
    rule = rules.get(wanted.upper()) or next((r for r in rules.values() if r.name == wanted.lower()), None)
    if rule is None:
        raise click.UsageError(f"no rule {code!r} (see: k8stoken rules)")
    fix = "fixable by k8stoken fix" if rule.fixable else "not fixable automatically"
    click.echo(f"{rule.code} {rule.name} [{rule.severity}] ({fix})\n")
    click.echo(_dedent_doc(rule.doc))


@main.command()
@click.argument("token_file", required=False, metavar="[FILE|-]", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def token(token_file: str | None, output_format: str) -> None:
    """Decode a ServiceAccount token without verifying it, and say what kind it is.

    FILE defaults to /var/run/secrets/kubernetes.io/serviceaccount/token (run it inside the pod, e.g.
    with kubectl exec); - reads standard input. Shows issuer, audiences, subject, the pod and
    ServiceAccount it is bound to, issue and expiry times, and whether it is a legacy Secret token,
    a bound token from the cluster's own issuer or one from a managed OIDC issuer (AKS, EKS, GKE).
    Exit status: 0 valid, 1 expired, 2 not readable as a JWT.
    """
    from .token_inspect import DEFAULT_TOKEN_PATH, run

    sys.exit(run(token_file or DEFAULT_TOKEN_PATH, output_format))


def _dedent_doc(doc: str) -> str:
    import inspect

    return inspect.cleandoc(doc)
