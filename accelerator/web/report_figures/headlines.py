"""The headline figures above each dashboard's charts: Stat, admin_stats and insurer_stats."""

from __future__ import annotations

from dataclasses import dataclass

from accelerator.services import metrics
from accelerator.web.charts import format_money, format_percent

# --- Headline figures ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stat:
    """A headline figure above the charts: the number and what it counts."""

    figure: str
    label: str


def _plural(count: int, one: str, many: str) -> str:
    """`one` or `many` by the count."""
    return one if count == 1 else many


def admin_stats(weeks: list[metrics.WeeklyCompliance], funnel: metrics.Funnel, days: list[metrics.DailyChecks],
                premiums: metrics.PremiumsByCategory, bound: metrics.BoundPremium) -> list[Stat]:
    """The admin dashboard's headline figures, from the same numbers as its charts; the two premiums say
    which policies they sum and by which date."""
    last = weeks[-1] if weeks else None
    checks = sum(d.total for d in days)
    compliant = (Stat(format_percent(last.share), f"of {last.required:,} required "
                      f"{_plural(last.required, 'seller', 'sellers')} compliant on {last.on.isoformat()}")
                 if last and last.required else Stat("n/a", "no seller is required to be insured"))
    return [
        compliant,
        Stat(f"{funnel.requested:,}", f"quote {_plural(funnel.requested, 'request', 'requests')}, "
                                      f"{funnel.bought:,} bought"),
        Stat(f"{checks:,}", f"coverage {_plural(checks, 'check', 'checks')}"),
        Stat(format_money(bound.premium), f"premium bound in the period: {bound.policies:,} "
                                          f"{_plural(bound.policies, 'quote', 'quotes')} bought here, "
                                          "by purchase date"),
        Stat(format_money(premiums.premium), f"premium on policies taking effect in the period: {premiums.policies:,} "
                                             f"{_plural(premiums.policies, 'policy', 'policies')} from any source, "
                                             "by effective date"),
    ]


def insurer_stats(received: metrics.RequestsReceived, rate: metrics.WinRate, in_force_today: int,
                  claims: metrics.ClaimsAgainstAggregate) -> list[Stat]:
    """The insurer dashboard's headline figures, from the same numbers as its charts (and today's count)."""
    return [
        Stat(f"{received.total:,}", f"quote {_plural(received.total, 'request', 'requests')} received"),
        Stat(format_percent(rate.rate) if rate.offered else "n/a",
             f"win rate ({rate.won:,} of {rate.offered:,} {_plural(rate.offered, 'quote', 'quotes')})"),
        Stat(f"{in_force_today:,}", f"{_plural(in_force_today, 'policy', 'policies')} in force on "
                                    f"{claims.on.isoformat()}"),
        Stat(format_percent(claims.used_share), "of their aggregate limits used by claims paid"),
    ]
