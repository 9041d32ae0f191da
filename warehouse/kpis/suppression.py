"""Small-number suppression, applied before a figure leaves the engine.

A count of 1 to 4 (the threshold is configurable) is shown as "c", and so is any rate or
percentage whose numerator or denominator is 1 to 4. Where a total and all but one of its parts
would be shown, one more part is hidden, so the hidden one cannot be worked out by subtraction.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPRESSED = "c"
DEFAULT_THRESHOLD = 5  # counts below this, and above zero, are hidden


@dataclass(frozen=True)
class SuppressionPolicy:
    """Whether and how a viewer's figures are suppressed (by role, on the server)."""

    enabled: bool = True
    threshold: int = DEFAULT_THRESHOLD

    def hides(self, count: int | None) -> bool:
        return self.enabled and count is not None and 0 < count < self.threshold


NO_SUPPRESSION = SuppressionPolicy(enabled=False)


def hidden_parts(parts: list[int], total: int, policy: SuppressionPolicy) -> list[bool]:
    """Which parts of a total to hide: the small ones, plus one more when only one is small.

    When the total itself is small every non-zero part is hidden with it. The extra part hidden
    by the secondary rule is the smallest remaining non-zero part, which loses least.
    """
    if not policy.enabled:
        return [False] * len(parts)
    if policy.hides(total):
        return [count > 0 for count in parts]
    hidden = [policy.hides(count) for count in parts]
    if sum(hidden) == 1:
        candidates = [(count, i) for i, count in enumerate(parts) if not hidden[i] and count > 0]
        if candidates:
            hidden[min(candidates)[1]] = True
    return hidden
