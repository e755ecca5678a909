"""Terminal views of search results and stories, with rich."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from search.results import ArticleView, SearchResponse, VariantHit


def _snippet_text(variant: VariantHit) -> Text:
    """The snippet with its highlights in bold yellow (dim when the variant did not match)."""
    text = Text(variant.snippet, style="" if variant.matched else "dim")
    for start, end in variant.highlights:
        text.stylize("bold yellow" if variant.matched else "yellow", start, end)
    return text


def print_response(console: Console, response: SearchResponse) -> None:
    """Story groups, each with its variants and their snippets."""
    first = response.offset + 1 if response.articles else 0
    console.print(f"[bold]{response.total_articles}[/] stories, [bold]{response.total_variants}[/] matching variants "
                  f"for [bold]{escape(response.query)}[/] (showing {first}-{response.offset + len(response.articles)}, "
                  f"{response.took_ms:.1f} ms)")
    for rank, article in enumerate(response.articles, response.offset + 1):
        console.print()
        console.print(f"[bold cyan]{rank}. {escape(article.title or '(untitled)')}[/]  "
                      f"[dim]{article.article_id}  score {article.score:.2f}[/]")
        for variant in article.variants:
            mark = "[green]●[/]" if variant.matched else "[dim]○[/]"
            label = f"{variant.source} v{variant.version}"
            console.print(f"  {mark} [bold]{escape(label)}[/]" + ("" if variant.matched else " [dim](no match)[/]"))
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
