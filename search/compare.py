"""Compare the printings of one story: alignment, consensus text and differences in one call."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from search.align import align
from search.alignment import Alignment, Printing
from search.consensus import Consensus, ConfusionWeight, build_consensus
from search.differences import Difference, find_differences


@dataclass
class Comparison:
    """A story's printings aligned, their consensus, and every difference among them (width-only
    ones included; `shown` folds them)."""

    alignment: Alignment
    consensus: Consensus
    differences: list[Difference]

    def shown(self, punctuation: bool = False) -> list[Difference]:
        """The differences to show: width-only ones only when `punctuation` is asked for."""
        return [d for d in self.differences if punctuation or not d.width_only]

    def diff_dict(self, punctuation: bool = False) -> dict[str, Any]:
        """Plain JSON of the differences: printings (variant id, reliability), the consensus text the
        differences' start/end point into, the differences, how many width-only ones were folded,
        the alignment's slots, flags and captions (see Alignment.to_dict)."""
        shown = self.shown(punctuation)
        return {
            "printings": [{"variant_id": p.printing.variant_id,
                           "reliability": round(self.consensus.reliability[p.printing.variant_id], 4)}
                          for p in self.alignment.printings],
            "consensus": self.consensus.text,
            "differences": [d.to_dict() for d in shown],
            "folded": len(self.differences) - len(shown),
            **self.alignment.to_dict(),
        }


def compare(printings: Sequence[Printing], confusion_weight: ConfusionWeight | None = None) -> Comparison:
    """Align a story's printings, build their consensus and list their differences."""
    alignment = align(printings)
    consensus = build_consensus(alignment, confusion_weight)
    return Comparison(alignment, consensus, find_differences(alignment, consensus))
