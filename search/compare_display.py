"""Terminal views of a story's comparison with rich: the differences with what each printing reads,
and the consensus text shaded by support."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from search.compare import Comparison
from search.differences import Difference

EMPTY = "∅"  # an empty reading: the printing has nothing there
LONG_READING = 40  # readings longer than this (whole paragraphs) are shown cut, with their length
KIND_STYLE = {"substitution": "magenta", "insertion": "cyan", "deletion": "yellow", "punctuation": "blue"}


def print_differences(console: Console, comparison: Comparison, punctuation: bool = False,
                      context: int = 12) -> None:
    """Every difference (width-only ones when `punctuation`): the consensus around it with the
    disputed stretch marked, then each reading coloured (green: the consensus's) with the
    printings that read it."""
    shown = comparison.shown(punctuation)
    folded = len(comparison.differences) - len(shown)
    printings = comparison.alignment.printings
    note = f", {folded} of punctuation width only not shown" if folded else ""
    console.print(f"[bold]{len(shown)}[/] differences among [bold]{len(printings)}[/] printings{note}")
    for printing in printings:
        variant_id = printing.printing.variant_id
        console.print(f"  [bold]{escape(variant_id)}[/] [dim]agrees with the majority at "
                      f"{comparison.consensus.reliability[variant_id]:.1%} of its places[/]")
    text = comparison.consensus.text
    for difference in shown:
        console.print()
        console.print(_heading(difference, text, context))
        for reading in difference.readings:
            line = Text("    ")
            line.append(_cut(reading.text) or EMPTY, style="bold green" if reading.consensus else "bold red")
            line.append("  " + ", ".join(reading.variants), style="dim")
            console.print(line)


def _heading(difference: Difference, text: str, context: int) -> Text:
    """The kind of a difference and the consensus around it, the disputed stretch underlined."""
    heading = Text("  ")
    heading.append(f"{'paragraph ' if difference.paragraph else ''}{difference.kind}",
                   style=KIND_STYLE.get(difference.kind, ""))
    heading.append(f" ({difference.section}, {difference.support:.0%} of {difference.covering})  ", style="dim")
    before = text[max(0, difference.start - context):difference.start].split("\n")[-1]
    after = text[difference.end:difference.end + context].split("\n")[0]
    heading.append(before)
    heading.append(_cut(difference.consensus) or EMPTY, style="bold underline")
    heading.append(after)
    return heading


def _cut(reading: str) -> str:
    """A reading on one line, long ones cut to their start and length."""
    flat = reading.replace("\n", " ⏎ ")
    if len(flat) <= LONG_READING:
        return flat
    return f"{flat[:LONG_READING]}… ({len(reading)} characters)"


def print_consensus(console: Console, comparison: Comparison) -> None:
    """The consensus text, characters that not every covering printing reads in yellow and those
    that at most half of them read in red."""
    consensus = comparison.consensus
    console.print(f"[bold]Consensus[/] of {len(comparison.alignment.printings)} printings "
                  f"[dim]({consensus.ties} places settled by the tie rule)[/]")
    shaded = Text(consensus.text)
    start = 0
    for end in range(1, len(consensus.text) + 1):
        if end == len(consensus.text) or _shade(consensus.support[end]) != _shade(consensus.support[start]):
            if _shade(consensus.support[start]):
                shaded.stylize(_shade(consensus.support[start]), start, end)
            start = end
    console.print(shaded)


def _shade(support: float) -> str:
    return "bold red" if support <= 0.5 else "yellow" if support < 1 else ""
