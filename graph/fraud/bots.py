"""Bot signals of one identity's events, and the bot score, without I/O.

A bot on a website shows itself by how it uses a device, not by who it is:

* ``cookie_churn``: many distinct cookies on one device within
  ``churn_window_min`` minutes (a script that drops its cookies at every page view).
  ``(n - 1) / (churn_cookies - 1)`` for the busiest device and window, at most 1; a
  person opening the site twice in an hour scores about 0.05.
* ``regularity``: within the identity's longest *session* (events less than
  ``session_gap_s`` apart, at least ``min_session_events`` of them), ``1 - CV`` of the
  intervals between events (CV: standard deviation over mean), at least 0. A script
  waiting 2 or 3 seconds scores about 0.8; people are irregular (CV near or above 1).
* ``event_rate``: events per minute in that session over ``full_rate_per_min``, at
  most 1.

The score is the weighted mean of the three (:class:`BotParams.weights`); an identity
at or above ``threshold`` is flagged ``bot_suspected``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graph.fraud.rings import EventFact, weighted_mean

__all__ = ["BOT_SIGNALS", "BotParams", "bot_signals", "score_bot"]

BOT_SIGNALS = ("cookie_churn", "regularity", "event_rate")


@dataclass(frozen=True)
class BotParams:
    """Parameters of bot scoring (see the module docstring for each signal)."""

    churn_window_min: float = 60.0
    churn_cookies: int = 10
    """Distinct cookies on one device within the window that make churn 1."""
    session_gap_s: float = 600.0
    min_session_events: int = 8
    full_rate_per_min: float = 10.0
    min_events: int = 8
    """Identities with fewer events are not scored (nothing to measure)."""
    weights: Mapping[str, float] = field(
        default_factory=lambda: {"cookie_churn": 0.4, "regularity": 0.3, "event_rate": 0.3}
    )
    reason_min: float = 0.5
    threshold: float = 0.5


def _churn(events: list[EventFact], params: BotParams) -> int:
    """Most distinct cookies seen with one device within one window."""
    window = params.churn_window_min * 60_000
    by_device: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for e in events:
        for d in e.devices:
            for c in e.cookies:
                by_device[d].append((e.at_ms, c))
    best = 0
    for seen in by_device.values():
        seen.sort()
        start = 0
        counts: dict[str, int] = defaultdict(int)
        for t, c in seen:
            counts[c] += 1
            while t - seen[start][0] > window:
                old = seen[start][1]
                counts[old] -= 1
                if not counts[old]:
                    del counts[old]
                start += 1
            best = max(best, len(counts))
    return best


def _longest_session(times: list[int], params: BotParams) -> list[int]:
    gap = params.session_gap_s * 1000
    best: list[int] = []
    current: list[int] = []
    for t in times:
        if current and t - current[-1] > gap:
            current = []
        current.append(t)
        if len(current) > len(best):
            best = list(current)
    return best


def bot_signals(events: Iterable[EventFact], params: BotParams | None = None) -> dict[str, float]:
    """The bot signals of one identity's events, each in [0, 1]."""
    params = params or BotParams()
    facts = sorted(events, key=lambda e: e.at_ms)
    cookies = _churn(facts, params)
    churn = (
        min(1.0, (cookies - 1) / (params.churn_cookies - 1))
        if cookies > 1 and params.churn_cookies > 1
        else 0.0
    )
    # The same instant seen twice (an event and its duplicate) is one event.
    times = sorted({e.at_ms for e in facts})
    session = _longest_session(times, params)
    regularity = rate = 0.0
    if len(session) >= max(3, params.min_session_events):
        gaps = [b - a for a, b in zip(session, session[1:], strict=False)]
        mean = sum(gaps) / len(gaps)
        if mean > 0:
            sd = math.sqrt(sum((g - mean) ** 2 for g in gaps) / len(gaps))
            regularity = max(0.0, 1.0 - sd / mean)
        minutes = max((session[-1] - session[0]) / 60_000, 1 / 60)
        rate = min(1.0, len(session) / minutes / params.full_rate_per_min)
    return {"cookie_churn": churn, "regularity": regularity, "event_rate": rate}


def score_bot(
    signals: Mapping[str, float], params: BotParams | None = None
) -> tuple[float, list[str]]:
    """The bot score (weighted mean of the signals) and the reasons behind it."""
    params = params or BotParams()
    score = weighted_mean(signals, params.weights)
    reasons: list[str] = []
    if signals.get("cookie_churn", 0.0) >= params.reason_min:
        reasons.append(
            f"cookie churn: a new cookie at almost every event on one device "
            f"(churn {signals['cookie_churn']:.2f})"
        )
    if signals.get("regularity", 0.0) >= params.reason_min:
        reasons.append(
            f"machine-regular timing between events (regularity {signals['regularity']:.2f})"
        )
    if signals.get("event_rate", 0.0) >= params.reason_min:
        per_min = signals["event_rate"] * params.full_rate_per_min
        more = "+" if signals["event_rate"] >= 1.0 else ""
        reasons.append(f"event rate of {per_min:.0f}{more} per minute")
    return round(score, 4), reasons
