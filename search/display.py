"""Terminal views of search results and stories, with rich."""
from __future__ import annotations

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from search.counting import LEVELS
from search.facets import FacetResult
from search.kwic import Concordance
from search.results import ArticleView, SearchResponse, VariantHit
from search.timeline import Timeline
from search.topics import TopicTable

_COLOURS = ("green", "cyan", "magenta", "yellow", "blue", "red")


def _snippet_text(variant: VariantHit) -> Text:
    """The snippet with its highlights in bold yellow (dim when the variant did not match)."""
    text = Text(variant.snippet, style="" if variant.matched else "dim")
    for start, end in variant.highlights:
        text.stylize("bold yellow" if variant.matched else "yellow", start, end)
    return text


def print_response(console: Console, response: SearchResponse) -> None:
    """Story groups, each with its variants and their snippets."""
    first = response.offset + 1 if response.articles else 0
    fuzzy = f" ({response.fuzzy_variants} only fuzzily)" if response.fuzzy_variants else ""
    joined = f" ({response.joined_variants} only across a cut)" if response.joined_variants else ""
    console.print(f"[bold]{response.total_articles}[/] stories, [bold]{response.total_variants}[/] matching variants"
                  f"{fuzzy}{joined} for [bold]{escape(response.query)}[/] (showing {first}-"
                  f"{response.offset + len(response.articles)}, {response.took_ms:.1f} ms)")
    if response.also_printed_as:
        forms = ", ".join(f"{form.form} ×{form.variants}" for form in response.also_printed_as)
        console.print(f"[yellow]also printed as:[/] {escape(forms)}")
    for rank, article in enumerate(response.articles, response.offset + 1):
        console.print()
        console.print(f"[bold cyan]{rank}. {escape(article.title or '(untitled)')}[/]  "
                      f"[dim]{article.article_id}  score {article.score:.2f}[/]")
        for variant in article.variants:
            mark = "[yellow]≈[/]" if variant.fuzzy else "[green]●[/]" if variant.matched else "[dim]○[/]"
            label = f"{variant.source} v{variant.version}"
            note = (f" [yellow](fuzzy: {escape('、'.join(f.text for f in variant.found))})[/]" if variant.fuzzy
                    else " [dim](with the variant after it, across a cut)[/]" if variant.joined
                    else "" if variant.matched else " [dim](no match)[/]")
            console.print(f"  {mark} [bold]{escape(label)}[/]{note}")
            line = Text("     ")
            line.append(_snippet_text(variant))
            console.print(line)


def print_article(console: Console, view: ArticleView) -> None:
    """Every variant of a story in full."""
    console.print(f"[bold cyan]{escape(view.title or '(untitled)')}[/]  [dim]{view.article_id}[/]")
    for variant in view.variants:
        state = "" if variant.latest else " [dim](earlier version)[/]"
        console.rule(f"{escape(variant.source)} v{variant.version}{state}")
        console.print(escape(variant.text))


def _count_table(title: str, first: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD)
    table.add_column(first)
    for level in LEVELS:
        table.add_column(level, justify="right")
    return table


def print_facets(console: Console, facets: dict[str, FacetResult]) -> None:
    """Each facet as a table of stories, variants and occurrences per value, over the whole result set."""
    for name, result in facets.items():
        table = _count_table(f"by {name}", name)
        for value in result.values:
            table.add_row(escape(value.value), str(value.stories), str(value.variants), str(value.occurrences))
        if result.missing.variants:
            table.add_row("[dim](none)[/]", *(str(result.missing.level(level)) for level in LEVELS))
        console.print(table)


def print_spread(console: Console, response: SearchResponse) -> None:
    """One line per story of the page: how many papers printed it, who first and when."""
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("#", "story", "papers", "first printed", "variants", "id"):
        table.add_column(column, justify="right" if column in ("#", "variants") else "left")
    for rank, article in enumerate(response.articles, response.offset + 1):
        first = article.first_printed
        printed = f"{first.date} {first.publication or first.source}" if first else "[dim]undated[/]"
        papers = ", ".join(p.publication or "(no publication)" for p in article.papers)
        matched = sum(v.matched for v in article.variants)
        table.add_row(str(rank), escape(article.title or "(untitled)"), escape(papers), escape(printed),
                      f"{matched}/{len(article.variants)}", article.article_id)
    console.print(table)


def print_timeline(console: Console, chart: Timeline) -> None:
    """A bar per period and query at the chosen level, and what was left out for want of a date."""
    table = Table(box=box.SIMPLE_HEAD, title=f"{chart.count} by {chart.by}", title_justify="left")
    table.add_column(chart.by, no_wrap=True)
    for query in chart.queries:
        table.add_column(escape(query), no_wrap=True)
    peak = max((row[i].level(chart.count) for row in chart.cells for i in range(len(chart.queries))), default=0)
    # Room for the period, and for each query a bar and its number.
    bar_width = max(4, (console.width - 14) // max(1, len(chart.queries)) - len(str(peak)) - 4)
    for period, row in zip(chart.periods, chart.cells):
        bars = []
        for column, cell in enumerate(row):
            value = cell.level(chart.count)
            length = round(bar_width * value / peak) if peak else 0
            bars.append(f"[{_COLOURS[column % len(_COLOURS)]}]{'█' * length}[/] {value}")
        table.add_row(period, *bars)
    console.print(table)
    for query, undated in zip(chart.queries, chart.undated):
        if undated.variants:
            console.print(f"[dim]{escape(query)}: {undated.variants} matching variants "
                          f"({undated.stories} stories) have no date and are left out[/]")


def _fit(text: str, cells: int, keep_end: bool) -> str:
    """`text` cut to at most `cells` terminal cells (CJK characters take two), keeping its end or its start."""
    kept, used = [], 0
    for char in reversed(text) if keep_end else text:
        used += cell_len(char)
        if used > cells:
            break
        kept.append(char)
    return "".join(reversed(kept)) if keep_end else "".join(kept)


def print_kwic(console: Console, concordance: Concordance) -> None:
    """Every line of a concordance page, the matches lined up in one column, the context cut to fit."""
    first = concordance.offset + 1 if concordance.lines else 0
    console.print(f"[bold]{concordance.total}[/] occurrences of [bold]{escape(concordance.query)}[/] "
                  f"(showing {first}-{concordance.offset + len(concordance.lines)})")
    lines = concordance.lines
    if not lines:
        return
    label = max(cell_len(f"{line.date or ''} {line.source}") for line in lines)
    label = min(label, console.width // 4)
    match = max(cell_len(line.match) for line in lines)
    side = max(4, (console.width - label - match - 4) // 2)
    for line in lines:
        where = _fit(f"{line.date or ''} {line.source}", label, keep_end=False)
        left = _fit(line.left, side, keep_end=True)
        row = Text(where + " " * (label - cell_len(where) + 1), style="dim")
        row.append(" " * (side - cell_len(left)) + left + " ")
        row.append(line.match + " " * (match - cell_len(line.match)), style="bold yellow")
        row.append(" " + _fit(line.right, side, keep_end=False))
        console.print(row, no_wrap=True, overflow="crop")


def print_topics(console: Console, table_data: TopicTable) -> None:
    """The topic table, then the lines that could not be run."""
    table = Table(box=box.SIMPLE_HEAD)
    for column in table_data.columns():
        table.add_column(column, justify="right" if column in LEVELS else "left")
    for row in table_data.rows:
        table.add_row(*(escape("" if row[c] is None else str(row[c])) for c in table_data.columns()))
    console.print(table)
