"""Disclosure control: what a protected viewer's counts become before they leave the engine.

The method is random rounding to base 5 made consistent by cell keys, the two ideas that official
statisticians use for flexible tables:
- **Counts under 5 are suppressed** (shown "c"), zeros included. Were a 0 shown as 0, a "c" would
  mean "at least 1", and a whole that is a little short of its parts' lower bounds would pin a
  hidden count down; with zeros hidden too, "c" says no more than "0 to 4".
- **Every other count is rounded to a multiple of 5**, up or down at random with the chance that
  keeps it unbiased (17 goes to 15 three times in five, to 20 twice in five), as Statistics New
  Zealand's random rounding does.
- **The randomness comes from the records, not from the query** (the ONS cell key method used by
  the Census 2021 table builder). Each record has a secret key (`record_key` in the warehouse, a
  keyed hash); a figure's key is the sum of its records' keys. The same records always give the same
  rounded figure, however they are asked for, so asking again, or asking the same thing another
  way, teaches nothing new.

Every other figure is made from the protected counts: rates, percentages and ratios divide them,
changes subtract them, SPC limits and drafted words are read off them. No exact count reaches a
protected viewer, so differences between views (a total less its visible parts, a quarter less its
months, a filter against its complement) leave every hidden count uncertain by at least 5 either
way. docs/security.md says what this guarantees and what it does not.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPRESSED = "c"
DEFAULT_THRESHOLD = 5  # counts below this, zero included, are hidden
ROUNDING_BASE = 5
KEY_SPACE = 2**32  # record keys are uniform on [0, KEY_SPACE); a figure's key is their sum modulo it


@dataclass(frozen=True)
class Count:
    """A true count and the sum of its records' cell keys."""

    n: int
    key: int = 0

    def __add__(self, other: Count) -> Count:
        return Count(self.n + other.n, self.key + other.key)


@dataclass(frozen=True)
class SuppressionPolicy:
    """Whether and how a viewer's counts are protected (by role, on the server)."""

    enabled: bool = True
    threshold: int = DEFAULT_THRESHOLD
    base: int = ROUNDING_BASE

    @property
    def explanation(self) -> str:
        """The plain line that pages, prints and exports carry, so a reader knows which figures they hold."""
        if not self.enabled:
            return (
                "Figures are exact counts, for roles cleared to see small numbers: do not share them further."
            )
        return (
            f"To protect children's privacy, figures for your role are rounded to a multiple of {self.base}, "
            f"counts under {self.threshold} (including none) are shown as {SUPPRESSED}, and rates and changes "
            "are worked out from the rounded figures."
        )

    def protect(self, count: Count) -> int | None:
        """The count as this viewer may see it: None for suppressed, else exact or rounded."""
        if not self.enabled:
            return count.n
        if count.n < self.threshold:
            return None
        return random_round(count.n, count.key, self.base)


NO_SUPPRESSION = SuppressionPolicy(enabled=False)


def random_round(n: int, key: int, base: int = ROUNDING_BASE) -> int:
    """`n` rounded to a multiple of `base`, up with chance (n mod base) / base, the chance drawn
    from the key: unbiased, and the same for the same key."""
    remainder = n % base
    if remainder == 0:
        return n
    # key / KEY_SPACE < remainder / base, in whole numbers so that no boundary depends on floats
    up = (key % KEY_SPACE) * base < remainder * KEY_SPACE
    return n - remainder + (base if up else 0)
