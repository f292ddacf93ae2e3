"""Charts drawn on the server as inline SVG: no script, no external file, nothing the page's CSP would refuse.

Each chart is a <figure>: its caption, the SVG (role="img", named by a one-sentence summary), and the same figures
as a table under a <details> toggle, for screen readers, keyboard users and anyone who wants the numbers. SVG
presentation attributes (fill, font-size) style it: the console allows no style="" attribute. The viewBox scales
the drawing to the width of the screen, so it stays readable on a tablet.
"""
import html
from typing import Callable, Sequence, Tuple

WIDTH = 720
FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"
INK, MUTED, GRID, BAR = "#1d2733", "#5b6877", "#d5dbe3", "#0b5cad"
# Distinguishable for the common colour blindnesses (Okabe-Ito), each with a label in the legend and table.
PALETTE = ("#0072b2", "#e69f00", "#d55e00", "#009e73", "#cc79a7", "#56b4e9")
ROW_HEIGHT, ROW_GAP = 26, 10
SHOW_DATA = "查看数据表"

Row = Tuple[str, float]


def bars(chart_id: str, title: str, rows: Sequence[Row], headers: Tuple[str, str], summary: str,
         value_text: Callable[[float], str] = lambda value: f"{value:g}", empty: str = "") -> str:
    """One horizontal bar per row (long Chinese labels stay readable), its value written at the bar's end."""
    if not rows:
        return _empty(title, empty)
    label_width = _label_width(label for label, _ in rows)
    value_width = 90
    scale = (WIDTH - label_width - value_width) / (max(value for _, value in rows) or 1)
    height = len(rows) * (ROW_HEIGHT + ROW_GAP) + ROW_GAP
    shapes = []
    for index, (label, value) in enumerate(rows):
        y = ROW_GAP + index * (ROW_HEIGHT + ROW_GAP)
        length = max(value * scale, 1 if value else 0)
        shapes.append(_text(label_width - 8, y + ROW_HEIGHT * 0.7, _fit(label, label_width - 16), anchor="end"))
        shapes.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{ROW_HEIGHT}" fill="{BAR}"/>')
        shapes.append(_text(label_width + length + 6, y + ROW_HEIGHT * 0.7, value_text(value)))
    table_rows = [(label, value_text(value)) for label, value in rows]
    return _figure(chart_id, title, summary, height, shapes, headers, table_rows)


def columns(chart_id: str, title: str, rows: Sequence[Row], headers: Tuple[str, str], summary: str,
            label_every: int = 5, empty: str = "") -> str:
    """One column per row in order (days): every `label_every`-th labelled below, the largest value marked."""
    if not rows:
        return _empty(title, empty)
    top, bottom, left, right = 24, 30, 44, 24
    height = 220
    plot_height = height - top - bottom
    highest = max(value for _, value in rows) or 1
    step = (WIDTH - left - right) / len(rows)
    shapes = [
        f'<line x1="{left}" y1="{top + plot_height}" x2="{WIDTH - right}" y2="{top + plot_height}" stroke="{MUTED}"/>',
        f'<line x1="{left}" y1="{top}" x2="{WIDTH - right}" y2="{top}" stroke="{GRID}"/>',
        _text(left - 6, top + 5, f"{highest:g}", anchor="end", fill=MUTED),
        _text(left - 6, top + plot_height + 5, "0", anchor="end", fill=MUTED),
    ]
    for index, (label, value) in enumerate(rows):
        bar_height = value / highest * plot_height
        x = left + index * step
        shapes.append(f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_height - bar_height:.1f}" '
                      f'width="{step * 0.7:.1f}" height="{bar_height:.1f}" fill="{BAR}"/>')
        if index % label_every == 0 or index == len(rows) - 1:
            shapes.append(_text(x + step / 2, height - 8, label, anchor="middle", fill=MUTED, size=13))
    return _figure(chart_id, title, summary, height, shapes, headers, [(label, f"{value:g}") for label, value in rows])


def shares(chart_id: str, title: str, groups: Sequence[Tuple[str, Sequence[Row]]], summary: str,
           group_header: str, empty: str = "", name_groups: bool = True) -> str:
    """One bar per group split into its parts' shares (100% wide), a legend above; parts are named the same in
    every group and coloured in order; `name_groups` False leaves the groups' names to the table (one group of
    everything). The table gives each part's count and share."""
    groups = [(name, parts) for name, parts in groups if sum(value for _, value in parts)]
    if not groups:
        return _empty(title, empty)
    names = [part for part, _ in groups[0][1]]
    label_width = _label_width(name for name, _ in groups) if name_groups else 0
    legend_height = 30
    shapes = []
    x = label_width
    for index, name in enumerate(names):
        shapes.append(f'<rect x="{x}" y="6" width="14" height="14" fill="{PALETTE[index % len(PALETTE)]}"/>')
        shapes.append(_text(x + 20, 18, name))
        x += 20 + _text_width(name) + 24
    for row, (group, parts) in enumerate(groups):
        y = legend_height + ROW_GAP + row * (ROW_HEIGHT + ROW_GAP)
        total = sum(value for _, value in parts)
        if label_width:
            shapes.append(_text(label_width - 8, y + ROW_HEIGHT * 0.7, _fit(group, label_width - 16), anchor="end"))
        x = float(label_width)
        for index, (name, value) in enumerate(parts):
            width = value / total * (WIDTH - label_width)
            if width:
                shapes.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{ROW_HEIGHT}" '
                              f'fill="{PALETTE[index % len(PALETTE)]}"><title>{html.escape(name)} '
                              f'{_share(value, total)}</title></rect>')
                if width >= 44:
                    shapes.append(_text(x + width / 2, y + ROW_HEIGHT * 0.7, _share(value, total), anchor="middle",
                                        fill="#fff", size=13))
            x += width
    height = legend_height + len(groups) * (ROW_HEIGHT + ROW_GAP) + ROW_GAP
    headers = (group_header, *names, "合计")
    table_rows = [
        (group, *(f"{value:g}（{_share(value, sum(v for _, v in parts))}）" for _, value in parts),
         f"{sum(value for _, value in parts):g}")
        for group, parts in groups
    ]
    return _figure(chart_id, title, summary, height, shapes, headers, table_rows)


def _figure(chart_id: str, title: str, summary: str, height: int, shapes: Sequence[str],
            headers: Sequence[str], table_rows: Sequence[Sequence[str]]) -> str:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-summary" font-family="{FONT}" font-size="15" fill="{INK}">'
        f'<title id="{chart_id}-summary">{html.escape(summary)}</title>{"".join(shapes)}</svg>'
    )
    head = "".join(f'<th scope="col">{html.escape(header)}</th>' for header in headers)
    body = "".join(
        "<tr>" + f'<th scope="row">{html.escape(str(row[0]))}</th>'
        + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row[1:]) + "</tr>"
        for row in table_rows
    )
    return (
        f'<figure class="chart card" id="{chart_id}"><figcaption><h2>{html.escape(title)}</h2>'
        f'<p class="muted">{html.escape(summary)}</p></figcaption>{svg}'
        f'<details><summary>{SHOW_DATA}</summary><div class="table-wrap"><table><caption>{html.escape(title)}'
        f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></details></figure>"
    )


def _empty(title: str, message: str) -> str:
    return (f'<section class="chart card"><h2>{html.escape(title)}</h2>'
            f'<p class="muted">{html.escape(message)}</p></section>')


def _text(x: float, y: float, text: str, anchor: str = "start", fill: str = INK, size: int = 15) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" font-size="{size}">'
            f"{html.escape(text)}</text>")


def _text_width(text: str, size: int = 15) -> float:
    """About how wide `text` is drawn: a Chinese character is a square, Latin letters and digits about half."""
    return sum(size if ord(char) > 0x2e80 else size * 0.6 for char in text)


def _fit(text: str, width: float) -> str:
    """`text`, shortened with "…" to fit `width` (the table below gives it whole)."""
    if _text_width(text) <= width:
        return text
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _label_width(labels) -> int:
    return int(min(max((_text_width(label) for label in labels), default=0) + 16, WIDTH * 0.4))


def _share(value: float, total: float) -> str:
    return f"{value * 100 / total:.0f}%" if total else "-"
