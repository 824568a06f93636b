"""The progress report across languages: ``progress.md``, ``progress.svg`` and a terminal table.

The numbers are the Space's own (``Ledger.progress()`` of each collected
language); the chart is SVG text written here (no plotting library, no display;
Markdown renderers show it as an image). Both files depend only on the inputs.
Text that did not come from us (finding codes read from a log, error messages
quoting paths) is written as code spans, so it never renders as markdown or HTML.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from types import ModuleType

from mpep_space.text import CONTROL_CHARACTERS

from .files import write_text
from .results import CollectResult

PROGRESS_MD = "progress.md"
PROGRESS_SVG = "progress.svg"

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
    wanted = set(codes)
    if not wanted:
        return []
    known = qa_codes()
    first = [(code, text) for code, text in known.items() if code in wanted]
    return first + [(code, "") for code in sorted(wanted - set(known))]


def qa_codes() -> Mapping[str, str]:
    """The Space's QA codes and descriptions (``mpep_space.qa.CODES``), in its order.

    Importing ``mpep_space.qa`` loads every check and its language tables (0.18 s of
    each collect process, bench/collect.py); the table lives in ``qa/findings.py``, which
    imports only the standard library, so that file is loaded alone -- unless the package
    is loaded already, or cannot be found that way.
    """
    loaded = sys.modules.get("mpep_space.qa")
    if loaded is None:
        try:
            return _findings_module().CODES  # type: ignore[no-any-return]
        except (ImportError, OSError, AttributeError, TypeError):
            pass
    from mpep_space import qa

    return getattr(qa, "CODES", {})


def _findings_module() -> ModuleType:
    name = "mpep_generator._space_qa_findings"
    if name in sys.modules:
        return sys.modules[name]
    package = importlib.util.find_spec("mpep_space.qa")  # imports mpep_space, not qa
    if package is None or not package.submodule_search_locations:
        raise ImportError("mpep_space.qa is not a package")
    path = Path(list(package.submodule_search_locations)[0]) / "findings.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it runs
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


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
        lines += ["", f"![Progress per language]({PROGRESS_SVG})", ""]
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


# The chart's colours, one per part of a language's prompts.
PARTS = (
    ("done", "#2e7d32"),
    ("awaiting review", "#f9a825"),
    ("flagged", "#c62828"),
    ("to do", "#cfd8dc"),
)
CHART_WIDTH, LABEL_WIDTH, BAR_WIDTH, ROW_HEIGHT = 820, 230, 440, 28


def progress_svg(results: Sequence[CollectResult]) -> str:
    """A horizontal stacked bar per language (done, awaiting review, flagged, the rest),
    as SVG text: written directly, so collecting needs no plotting library and the file
    depends only on the numbers."""
    rows = progress_rows(results)
    widest = max([1, *(row.prompts for row in rows)])
    top, height = 44, 44 + ROW_HEIGHT * len(rows) + 56
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" font-family="sans-serif" font-size="13">',
        "<title>MPEP translation progress</title>",
        f'<rect width="{CHART_WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="{CHART_WIDTH // 2}" y="26" text-anchor="middle" font-size="16">'
        "MPEP translation progress</text>",
    ]
    for i, row in enumerate(rows):
        y = top + ROW_HEIGHT * i
        rest = max(0, row.prompts - row.done - row.awaiting_review - row.flagged)
        x = float(LABEL_WIDTH)
        out.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 18}" text-anchor="end">'
            f"{escape(row.language)}</text>"
        )
        for value, (label, color) in zip(
            (row.done, row.awaiting_review, row.flagged, rest), PARTS, strict=True
        ):
            width = BAR_WIDTH * value / widest
            if width > 0:
                out.append(
                    f'<rect x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="{ROW_HEIGHT - 8}" '
                    f'fill="{color}"><title>{escape(label)}: {value}</title></rect>'
                )
            x += width
        out.append(f'<text x="{x + 6:.1f}" y="{y + 18}">{row.percent} done</text>')
    legend_y = top + ROW_HEIGHT * len(rows) + 30
    for i, (label, color) in enumerate(PARTS):
        x = LABEL_WIDTH + 130 * i
        out.append(f'<rect x="{x}" y="{legend_y - 11}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{x + 18}" y="{legend_y}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_report(
    results: Sequence[CollectResult], failures: Mapping[str, str], out: Path
) -> tuple[Path, ...]:
    """Write ``progress.md`` (and ``progress.svg`` when a language was collected)."""
    out.mkdir(parents=True, exist_ok=True)
    md = out / PROGRESS_MD
    write_text(md, progress_markdown(results, failures))
    if not results:
        return (md,)
    svg = out / PROGRESS_SVG
    write_text(svg, progress_svg(results))
    return (md, svg)
