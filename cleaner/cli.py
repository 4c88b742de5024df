"""Command line: `cleaner clean`, `cleaner explain`, `cleaner rules list|show|test`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .model import CATEGORIES, Config
from .rules import RuleError


def _names(items: tuple[str, ...]) -> frozenset[str]:
    """Repeated and comma-separated option values, as one set."""
    return frozenset(d.strip() for item in items for d in item.split(",") if d.strip())


def _config(no_outlet_rules: bool, outlet: str | None, disable: tuple[str, ...],
            rules_dir: str | None, max_share: float = 0.6, timeout: float = 5.0,
            html_fallback: bool = True, languages: tuple[str, ...] = ()) -> Config:
    return Config(outlet_rules=not no_outlet_rules, outlet=outlet, disable=_names(disable),
                  rules_dir=Path(rules_dir) if rules_dir else None,
                  max_removed_share=max_share, timeout=timeout, html_fallback=html_fallback,
                  languages=_names(languages) or None)


def _prepare(config: Config):
    """Load and check the rules before any record is read; a problem stops the run."""
    from .pipeline import ruleset

    try:
        rules = ruleset(config)
        if config.outlet and rules.outlet(config.outlet) is None:
            raise RuleError(f"unknown outlet {config.outlet!r} (see 'cleaner rules list --outlets')")
        return rules
    except RuleError as exc:
        raise click.ClickException(str(exc)) from None


_common = [
    click.option("--no-outlet-rules", is_flag=True, help="Apply only the generic rule packs."),
    click.option("--outlet", help="Force an outlet (slug, name or domain) instead of detecting it."),
    click.option("--disable", multiple=True, metavar="ID|CATEGORY|PACK",
                 help="Switch off rules by id, category or pack (repeat or comma-separate)."),
    click.option("--rules-dir", type=click.Path(exists=True, file_okay=False),
                 help="Use another rule tree instead of the bundled one."),
    click.option("--language", "languages", multiple=True, metavar="CODE|all",
                 help="Apply these language packs (de, es, fr, it, pt, ru; repeat or "
                      "comma-separate) to every article, or all of them, instead of leaving out "
                      "those of languages an article is clearly not in."),
]


def common(fn):
    for option in reversed(_common):
        fn = option(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cleaner")
def main() -> None:
    """Strip boilerplate and noise from news articles; keep a record of every removal."""


@main.command()
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Write here instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "text"]), default="jsonl",
              show_default=True, help="jsonl: one record a line; json: one array; text: bodies.")
@click.option("--max-share", type=click.FloatRange(0, 1), default=0.6, show_default=True,
              help="Over-stripping guard: most share of words rules may remove.")
@click.option("--timeout", type=click.FloatRange(0.01), default=5.0, show_default=True,
              help="Per-document time limit in seconds; past it the record gets an error.")
@click.option("--workers", type=click.IntRange(0), default=0,
              help="Worker processes (0: one per core; 1: no extra process).")
@click.option("--stats", "stats_file", type=click.Path(dir_okay=False),
              help="Write the run summary (counts per category and rule) as JSON here.")
@click.option("--resume", is_flag=True, help="Skip ids already present in the --output file.")
@click.option("--no-html-fallback", is_flag=True,
              help="HTML: skip trafilatura's fallback extractors (faster; see README).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
@common
def clean(inputs, output, fmt, max_share, timeout, workers, stats_file, resume, no_html_fallback,
          progress, no_outlet_rules, outlet, disable, rules_dir, languages):
    """Clean articles: files, directories (.txt .html .jsonl[.gz|.zst] .warc[.gz]) or - for stdin.

    Writes one record per input article, in input order. A bad record gets an `error` field
    and a one-line message on stderr; the batch goes on.
    """
    from .batch import run

    config = _config(no_outlet_rules, outlet, disable, rules_dir, max_share, timeout,
                     html_fallback=not no_html_fallback, languages=languages)
    _prepare(config)
    if not inputs:
        inputs = ("-",)
    summary = run(inputs, config, output=output, fmt=fmt, workers=workers, resume=resume,
                  progress=progress, stats_file=stats_file)
    if summary.errors and summary.documents == summary.errors:
        sys.exit(1)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--url", help="The article's URL (chooses the outlet).")
@click.option("--color/--no-color", default=None, help="Colour (default: when stdout is a terminal).")
@common
def explain(file, url, color, no_outlet_rules, outlet, disable, rules_dir, languages):
    """Print the article with every removed span marked with its rule id and category."""
    from .ingest import document_from_bytes
    from .pipeline import clean_document

    config = _config(no_outlet_rules, outlet, disable, rules_dir, languages=languages)
    rules = _prepare(config)
    data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    doc = document_from_bytes(file, data, html=None)
    doc.url = url
    result = clean_document(doc, config, rules)
    if result.error:
        raise click.ClickException(f"{file}: {result.error}")
    text = doc.text
    colors = {"caption": "magenta", "promo": "yellow", "donation": "yellow", "legal": "blue",
              "chrome": "cyan", "related": "green", "metadata": "bright_black"}
    out, cursor = [], 0
    for r in result.removed:
        out.append(text[cursor:r.start])
        out.append(click.style(f"[-{r.text}-]", fg=colors[r.category], strikethrough=True))
        out.append(click.style(f"{{{r.rule} {r.category}}}", fg=colors[r.category], bold=True))
        cursor = r.end
    out.append(text[cursor:])
    click.echo("".join(out), color=color)
    fields = result.to_dict()
    click.echo("")
    for name in ("title", "subtitle", "byline", "dateline", "published", "agencies",
                 "photo_credits", "outlet", "source_url"):
        value = fields[name]
        if value:
            source = result.provenance.get(name, "")
            click.echo(f"{name}: {value if isinstance(value, str) else ', '.join(value)}"
                       + (f"  ({source})" if source else ""), color=color)
    for w in result.warnings:
        click.echo(click.style(f"warning: {w}", fg="red"), err=True, color=color)


@main.group()
def rules():
    """Inspect and test the rule packs."""


@rules.command("list")
@click.option("--outlets", is_flag=True, help="List outlet packs instead of rules.")
@click.option("--category", type=click.Choice(CATEGORIES), help="Only this category.")
@click.option("--rules-dir", type=click.Path(exists=True, file_okay=False))
def rules_list(outlets, category, rules_dir):
    """List rules (id, category, scope, description) or outlet packs."""
    rs = _prepare(_config(False, None, (), rules_dir))
    if outlets:
        for pack in rs.outlets:
            click.echo(f"{pack.slug:18} {pack.name:28} {', '.join(pack.domains)}  ({len(pack.rules)} rules)")
        return
    for rule in rs.by_id.values():
        if category and rule.category != category:
            continue
        scope = rule.detector and f"detector:{rule.detector}" or f"{rule.unit}/{rule.where}"
        click.echo(f"{rule.id:48} {rule.category:9} {scope:18} {rule.description}")


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules-dir", type=click.Path(exists=True, file_okay=False))
def rules_show(rule_id, rules_dir):
    """Show one rule: pattern, scope, provenance and examples."""
    rs = _prepare(_config(False, None, (), rules_dir))
    rule = rs.by_id.get(rule_id)
    if rule is None:
        raise click.ClickException(f"unknown rule id {rule_id!r} (see 'cleaner rules list')")
    click.echo(f"id:          {rule.id}\ncategory:    {rule.category}\nfile:        {rule.file}")
    click.echo(f"description: {rule.description}")
    if rule.language:
        click.echo(f"language:    {rule.language} (left out for articles clearly in another)")
    if rule.detector:
        click.echo(f"detector:    {rule.detector}")
    else:
        click.echo(f"scope:       unit={rule.unit} where={rule.where} extend={rule.extend}")
        click.echo(f"pattern:     {rule.pattern.pattern}")
        for label, near in (("unless", rule.unless), ("next", rule.next), ("prev", rule.prev)):
            if near is not None:
                click.echo(f"{label + ':':13}{near.pattern}")
    if rule.source:
        click.echo(f"source:      {rule.source}")
    for label, examples in (("pass", rule.passes), ("fail", rule.fails)):
        for ex in examples:
            click.echo(f"{label}:        {json.dumps(ex, ensure_ascii=False)}")


@rules.command("test")
@click.option("--rules-dir", type=click.Path(exists=True, file_okay=False))
def rules_test(rules_dir):
    """Run every rule's pass/fail examples; exit 1 if any fails."""
    from .ruletest import check_rule

    rs = _prepare(_config(False, None, (), rules_dir))
    failures = 0
    for rule in rs.by_id.values():
        for problem in check_rule(rule, rs):
            failures += 1
            click.echo(f"FAIL {rule.id}: {problem}", err=True)
    total = sum(len(r.passes) + len(r.fails) for r in rs.by_id.values())
    click.echo(f"{total - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
