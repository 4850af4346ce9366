"""What the benchmark scripts share: printing a table, ratios against the 0.9 target,
percentiles (p99 of timings)."""

from __future__ import annotations

TARGET = 0.9


def table(title: str, header: list[str], rows: list[list], note: str = "") -> None:
    print(f"\n{title}")
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    print("  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    if note:
        print(note)


def ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.2f}" if denominator else "-"


def mark(value: str) -> str:
    """A ratio with " *" when it is below the target."""
    return value if value == "-" else value + ("" if float(value) >= TARGET else " *")


def p99(samples: list[float]) -> float:
    """The 99th percentile of timings, interpolated to the nearest sample."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
