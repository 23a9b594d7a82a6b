"""Test inputs for the importers: where the real files are, an NGMS-style HTML page, XLSX workbooks.

``ngms_page`` builds a page the way the NGMS site serves its statement list: a declared charset
(EUC-KR by default), scripts and styles, a layout table wrapping a search-form table and the list
table, ``<br>`` inside headers, links around company names, ``&nbsp;`` in empty cells, and
optionally omitted ``</td>``/``</tr>`` end tags. ``xlsx_bytes`` writes a minimal but valid Office
Open XML workbook with zipfile: shared or inline strings, numeric cells, omitted empty cells,
several sheets, rows starting wherever asked.
"""

from __future__ import annotations

import html
import io
import zipfile
from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import escape

import pytest

REAL_DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"

STATEMENT_HEADERS = (
    "번호", "관장기관", "법인명", "대상년도", "지정구분", "지정업종(목표)/계획업종(할당)",
    "온실가스 배출량(tCO2eq)", "에너지 사용량(TJ)", "검증수행기관", "비고",
)


def real_file(relative: str) -> Path:
    """A file of the shared public datasets, or skip the test when the folder is absent."""
    if not REAL_DATASETS.is_dir():
        pytest.skip(f"real public datasets not present at {REAL_DATASETS} (sibling ../shared/datasets of the repo)")
    path = REAL_DATASETS / relative
    if not path.is_file():
        pytest.skip(f"{relative} is not in {REAL_DATASETS}")
    return path


# -- NGMS HTML page ---------------------------------------------------------------------------


def ngms_page(
    rows: Sequence[Sequence[str]],
    *,
    charset: str = "euc-kr",
    headers: Sequence[str] = STATEMENT_HEADERS,
    omit_end_tags: bool = False,
    truncate_after_rows: int | None = None,
) -> bytes:
    """An NGMS-like statements page; ``rows`` are cell texts as the site prints them ("120,487")."""
    def header_cell(h: str) -> str:
        text = html.escape(h).replace("배출량(", "배출량<br/>(").replace("사용량(", "사용량<br />(")
        return f'<th scope="col" class="th_{len(h)}">{text}</th>'

    def data_row(i: int, cells: Sequence[str]) -> str:
        out = []
        for j, c in enumerate(cells):
            text = html.escape(c) if c else "&nbsp;"
            if j == 2 and c:
                text = f"<a href=\"javascript:fn_view('{i}');\" title=\"상세보기\">{text}</a>"
            cls = ' class="right"' if j in (6, 7) else ""
            out.append(f"<td{cls}>{text}" + ("" if omit_end_tags else "</td>"))
        return f'<tr class="{"odd" if i % 2 else "even"}">' + "".join(out) + ("" if omit_end_tags else "</tr>")

    head = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="ko" xml:lang="ko">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<title>온실가스종합정보센터 &gt; 정보공개 &gt; 명세서 공개</title>
<style type="text/css">.board_list td {{ padding: 4px; }} .right {{ text-align: right; }}</style>
<script type="text/javascript">
  var tpl = "<table><tr><td>번호</td><td>not a statement</td></tr></table>";
  function fn_view(id) {{ location.href = "/view.do?id=" + id; }}
</script>
</head>
<body>
<div id="gnb"><ul><li><a href="/">홈</a></li><li><a href="/open">정보공개</a></li></ul></div>
<table class="layout" width="100%"><tr><td valign="top">
<form name="searchForm" action="/open/list.do" method="post">
<table class="search"><tr><th>대상년도</th><td><select name="year"><option value="2024" selected="selected">2024</option></select></td>
<th>법인명</th><td><input type="text" name="q" value="" /></td></tr></table>
</form>
<p class="total">총 <strong>{len(rows):,}</strong>건</p>
<table class="board_list" summary="명세서 공개 목록: 번호, 관장기관, 법인명 …">
<caption>명세서 공개 목록</caption>
<colgroup>{"".join('<col width="8%" />' for _ in headers)}</colgroup>
<thead><tr>{"".join(header_cell(h) for h in headers)}</tr></thead>
<tbody>
"""
    body = "\n".join(data_row(i, r) for i, r in enumerate(rows, start=1))
    tail = """
</tbody>
</table>
<div class="paging"><strong>1</strong> <a href="?page=2">2</a></div>
</td></tr></table>
<div id="footer">Copyright &copy; Greenhouse Gas Inventory and Research Center</div>
</body>
</html>
"""
    if truncate_after_rows is not None:
        body = "\n".join(data_row(i, r) for i, r in enumerate(rows[:truncate_after_rows], start=1))
        body += '\n<tr class="odd"><td>99</td><td>기후에'
        tail = ""
    encoding = "cp949" if charset.lower() in ("euc-kr", "cp949") else charset
    return (head + body + tail).encode(encoding)


# -- XLSX -------------------------------------------------------------------------------------

Cell = str | int | None | tuple[str, str]  # ("n", "120487.0") writes a raw numeric value


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def xlsx_bytes(
    sheets: Sequence[tuple[str, Sequence[Sequence[Cell]]]],
    *,
    first_row: int = 1,
    inline_strings: bool = False,
) -> bytes:
    """A minimal valid XLSX: each sheet's rows start at ``first_row``; ``None`` cells are omitted."""
    shared: list[str] = []
    shared_index: dict[str, int] = {}

    def string_cell(ref: str, text: str) -> str:
        if inline_strings:
            return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'
        if text not in shared_index:
            shared_index[text] = len(shared)
            shared.append(text)
        return f'<c r="{ref}" t="s"><v>{shared_index[text]}</v></c>'

    sheet_xml = []
    for _, rows in sheets:
        out = []
        for r, cells in enumerate(rows, start=first_row):
            parts = []
            for c, value in enumerate(cells):
                ref = f"{_column(c)}{r}"
                if value is None:
                    continue
                if isinstance(value, tuple):
                    parts.append(f'<c r="{ref}"><v>{value[1]}</v></c>')
                elif isinstance(value, int):
                    parts.append(f'<c r="{ref}"><v>{value}</v></c>')
                else:
                    parts.append(string_cell(ref, value))
            out.append(f'<row r="{r}">{"".join(parts)}</row>')
        sheet_xml.append(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheetData>{"".join(out)}</sheetData></worksheet>'
        )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg_rel = "http://schemas.openxmlformats.org/package/2006/relationships"
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{pkg_rel}">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        + "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, (name, _) in enumerate(sheets, start=1)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{pkg_rel}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    strings = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{main}" count="{len(shared)}" '
        f'uniqueCount="{len(shared)}">'
        + "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in shared)
        + "</sst>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        for i, xml in enumerate(sheet_xml, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        z.writestr("xl/sharedStrings.xml", strings)
    return buffer.getvalue()
