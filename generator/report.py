"""The progress report across languages: ``progress.md``, ``progress.png`` and a terminal table.

The numbers are the Space's own (``Ledger.progress()`` of each collected
language); the chart is drawn by matplotlib with the Agg backend, so it works
without a display. Both files depend only on the inputs. Text that did not come
from us (finding codes read from a log, error messages quoting paths) is written
as code spans, so it never renders as markdown or HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mpep_space.text import CONTROL_CHARACTERS

from .files import replace_file, write_text
from .results import CollectResult

PROGRESS_MD = "progress.md"
PROGRESS_PNG = "progress.png"

HEADERS = (
    "Language",
    "Dataset",
    "Prompts",
    "Translated",
    "Awaiting review",
    "Done",
    "Flagged",
    "Contributors",
    "% done",
)


@dataclass(frozen=True)
class ProgressRow:
    language: str  # "Dutch (nl)"
    dataset: str
    prompts: int
    translated: int
    awaiting_review: int
    done: int
    flagged: int
    contributors: int

    @property
    def percent(self) -> str:
        return f"{100 * self.done / self.prompts:.1f}%" if self.prompts else "0.0%"

    def cells(self) -> tuple[str, ...]:
        return (
            self.language,
            self.dataset,
            str(self.prompts),
            str(self.translated),
            str(self.awaiting_review),
            str(self.done),
            str(self.flagged),
            str(self.contributors),
            self.percent,
        )


def progress_rows(results: Sequence[CollectResult]) -> list[ProgressRow]:
    """One row per collected language, by language code."""
    rows = []
    for r in sorted(results, key=lambda r: r.code.lower()):
        p = r.progress
        rows.append(
            ProgressRow(
                f"{r.name} ({r.code})",
                r.dataset,
                p.total,
                p.translated,
                p.awaiting_review,
                p.done,
                p.flagged,
                len(p.contributors),
            )
        )
    return rows


def terminal_table(results: Sequence[CollectResult]) -> str:
    """The progress table as aligned plain text (numbers right-aligned)."""
    table = [HEADERS, *(row.cells() for row in progress_rows(results))]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    lines = []
    for line in table:
        cells = [
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def ordered_codes(codes: Iterable[str]) -> list[tuple[str, str]]:
    """Finding codes in the order of the Space's QA module, each with its description.

    Codes the QA module does not list (older or newer Spaces) come last, sorted,
    with an empty description.
    """
    from mpep_space import qa

    known: Mapping[str, str] = getattr(qa, "CODES", {})
    wanted = set(codes)
    first = [(code, text) for code, text in known.items() if code in wanted]
    return first + [(code, "") for code in sorted(wanted - set(known))]


# Explicit direction controls would reorder the rest of a table row around the text.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def code_span(text: str, *, in_table: bool = False) -> str:
    """``text`` as a markdown code span: shown literally, whatever it holds.

    Names, comments and codes come from people or from a log anyone could have
    edited; inside a code span no markdown, HTML, link or image is rendered (not even
    GitHub's bare-URL links). The fence is longer than any run of backticks inside;
    line breaks and control characters become spaces, direction overrides are dropped.
    In a table, ``|`` is escaped: GitHub splits cells on it even inside code.
    """
    text = " ".join(BIDI_CONTROLS.sub("", CONTROL_CHARACTERS.sub(" ", text)).split())
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def table_cell(text: str) -> str:
    """Text of our own (language names, check descriptions) made safe for a table cell:
    ``<tag>`` in a description is shown, not parsed as HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", " ")


def quality_table(results: Sequence[CollectResult]) -> list[str]:
    """Per language: accepted translations per finding code, and unchanged suggestions."""
    codes = [code for code, _ in ordered_codes(c for r in results for c in r.quality)]
    header = [
        "Language",
        "Accepted",
        "Unchanged suggestion",
        *(code_span(c, in_table=True) for c in codes),
    ]
    lines = [_md_row(header), "|---|" + "--:|" * (len(header) - 1)]
    for r in sorted(results, key=lambda r: r.code.lower()):
        cells = [table_cell(f"{r.name} ({r.code})"), str(r.progress.done)]
        cells.append(str(r.unchanged_suggestions))
        cells += [str(r.quality.get(c, 0)) for c in codes]
        lines.append(_md_row(cells))
    return lines


def progress_markdown(results: Sequence[CollectResult], failures: Mapping[str, str]) -> str:
    lines = ["# MPEP progress", ""]
    if results:
        lines += [_md_row(HEADERS), "|---|---|" + "--:|" * (len(HEADERS) - 2)]
        lines += [_md_row([table_cell(c) for c in row.cells()]) for row in progress_rows(results)]
        lines += ["", f"![Progress per language]({PROGRESS_PNG})", ""]
        lines += ["## Quality of the accepted translations", ""]
        lines += [
            "Accepted translations flagged by each automatic check, and accepted translations "
            "that are the machine suggestion unchanged.",
            "",
            *quality_table(results),
            "",
        ]
    else:
        lines += ["No language was collected.", ""]
    if failures:
        lines += ["## Not collected", ""]
        lines += [
            f"- {code_span(code)}: {code_span(message)}"
            for code, message in sorted(failures.items())
        ]
        lines.append("")
    return "\n".join(lines)


def progress_chart(results: Sequence[CollectResult], path: Path) -> None:
    """A horizontal stacked bar per language: done, awaiting review, flagged, the rest."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(reversed(progress_rows(results)))  # first language on top
    labels = [row.language for row in rows]
    done = [row.done for row in rows]
    awaiting = [row.awaiting_review for row in rows]
    flagged = [row.flagged for row in rows]
    rest = [max(0, row.prompts - row.done - row.awaiting_review - row.flagged) for row in rows]
    fig, ax = plt.subplots(
        figsize=(8, 1.6 + 0.45 * max(1, len(rows))), dpi=100, layout="constrained"
    )
    try:
        left = [0] * len(rows)
        for values, label, color in (
            (done, "done", "#2e7d32"),
            (awaiting, "awaiting review", "#f9a825"),
            (flagged, "flagged", "#c62828"),
            (rest, "to do", "#cfd8dc"),
        ):
            ax.barh(labels, values, left=left, label=label, color=color)
            left = [a + b for a, b in zip(left, values, strict=True)]
        for y, row in enumerate(rows):
            ax.text(left[y], y, f" {row.percent} done", va="center", fontsize=9)
        ax.set_xlabel("prompts")
        ax.set_xlim(0, max([1, *left]) * 1.2)
        fig.suptitle("MPEP translation progress")
        fig.legend(loc="outside lower center", ncol=4, frameon=False)

        def save(tmp: Path) -> None:
            fig.savefig(tmp, format="png", metadata={"Software": None})

        replace_file(path, save)
    finally:
        plt.close(fig)


def write_report(
    results: Sequence[CollectResult], failures: Mapping[str, str], out: Path
) -> tuple[Path, ...]:
    """Write ``progress.md`` (and ``progress.png`` when a language was collected)."""
    out.mkdir(parents=True, exist_ok=True)
    md = out / PROGRESS_MD
    write_text(md, progress_markdown(results, failures))
    if not results:
        return (md,)
    png = out / PROGRESS_PNG
    progress_chart(results, png)
    return (md, png)
