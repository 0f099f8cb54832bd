"""One content model, three renderers (PDF, Word, Excel), so every format says the same thing."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html import escape


@dataclass
class Document:
    title: str
    blocks: list[tuple] = field(default_factory=list)  # ("h", text) | ("p", text) | ("table", headers, rows)

    def heading(self, text):
        self.blocks.append(("h", str(text)))

    def para(self, text):
        self.blocks.append(("p", str(text)))

    def table(self, headers, rows):
        self.blocks.append(("table", [str(h) for h in headers], [[fmt(c) for c in r] for r in rows]))

    def text(self) -> str:
        out = [self.title]
        for b in self.blocks:
            if b[0] == "table":
                out.append("\t".join(b[1]))
                out.extend("\t".join(r) for r in b[2])
            else:
                out.append(b[1])
        return "\n".join(out)


def fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


CSS = """
@page { size: A4; margin: 2cm; }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 11pt; line-height: 1.6; }
h1 { text-align: center; font-size: 18pt; }
h2 { font-size: 13pt; margin-top: 1em; }
p { text-indent: 2em; margin: 0.3em 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; font-size: 9.5pt; }
th, td { border: 1px solid #555; padding: 2px 4px; text-align: center; }
"""


def to_html(doc: Document) -> str:
    parts = [f"<!DOCTYPE html><html lang='zh-Hans'><head><meta charset='utf-8'><title>{escape(doc.title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{escape(doc.title)}</h1>"]
    for b in doc.blocks:
        if b[0] == "h":
            parts.append(f"<h2>{escape(b[1])}</h2>")
        elif b[0] == "p":
            parts.append(f"<p>{escape(b[1])}</p>")
        else:
            parts.append("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in b[1]) + "</tr>")
            for row in b[2]:
                parts.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
            parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def to_pdf(doc: Document) -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one INFO line per layout step

    return HTML(string=to_html(doc)).write_pdf()


def to_docx(doc: Document) -> bytes:
    import docx
    from docx.oxml.ns import qn

    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = "WenQuanYi Micro Hei"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "WenQuanYi Micro Hei")
    d.add_heading(doc.title, level=0)
    for b in doc.blocks:
        if b[0] == "h":
            d.add_heading(b[1], level=1)
        elif b[0] == "p":
            d.add_paragraph(b[1])
        else:
            t = d.add_table(rows=1, cols=len(b[1]))
            t.style = "Table Grid"
            for i, h in enumerate(b[1]):
                t.rows[0].cells[i].text = h
            for row in b[2]:
                cells = t.add_row().cells
                for i, c in enumerate(row):
                    cells[i].text = c
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def to_xlsx(doc: Document) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "报告"
    ws.append([doc.title])
    ws["A1"].font = Font(bold=True, size=14)
    for b in doc.blocks:
        if b[0] == "h":
            ws.append([b[1]])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
        elif b[0] == "p":
            ws.append([b[1]])
        else:
            ws.append(b[1])
            for c in ws[ws.max_row]:
                c.font = Font(bold=True)
            for row in b[2]:
                ws.append([_num(c) for c in row])
        ws.append([])
    ws.column_dimensions["A"].width = 40
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _num(s: str):
    try:
        return int(s)
    except ValueError:
        try:
            return float(s)
        except ValueError:
            return s
