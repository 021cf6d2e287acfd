"""Edit an .xlsx in place at the XML level: colour a few cells, add comments, add a sheet in front.

Every part the edit does not touch is copied byte for byte, so whatever the workbook holds (pictures, charts,
conditional formats, macros' neighbours) survives, and a 2,000-row sheet costs a parse of one XML part rather
than a full load and save. Anything unexpected raises `Unsupported`; the caller then falls back to openpyxl.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree
from openpyxl.comments.comment_sheet import CommentRecord, CommentSheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_M = f"{{{MAIN}}}"
_RT_COMMENTS = f"{REL}/comments"
_RT_VML = f"{REL}/vmlDrawing"
_RT_SHEET = f"{REL}/worksheet"
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
# CT_Worksheet children that come after legacyDrawing, and the order of a font's children
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts")
_FONT_ORDER = (
    "b",
    "i",
    "strike",
    "condense",
    "extend",
    "outline",
    "shadow",
    "u",
    "vertAlign",
    "sz",
    "color",
    "name",
    "family",
    "charset",
    "scheme",
)
_BAD_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
MAX_UNPACKED = 256 * 1024 * 1024  # a workbook that unpacks to more is not a submission: no copy is made of it


class Unsupported(Exception):
    """The workbook has a shape this patcher does not handle."""


@dataclass(frozen=True)
class Style:
    """A cell style for the added sheet, and the override for a marked cell (fill and font colour only)."""

    bold: bool = False
    size: float | None = None
    fill: str | None = None  # RGB hex, e.g. 'FFC7CE'
    color: str | None = None
    underline: bool = False
    halign: str | None = None
    wrap: bool = False


@dataclass(frozen=True)
class Cell:
    value: object
    style: Style = Style()
    link: str | None = None  # an internal location, e.g. "'报表'!J3"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _text(v: object) -> str:
    return _BAD_XML.sub("", str(v))


class XlsxPatch:
    def __init__(self, data: bytes) -> None:
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            if sum(i.file_size for i in zf.infolist()) > MAX_UNPACKED:
                raise Unsupported("too large unpacked")
            self._order = [i.filename for i in zf.infolist()]
            self.parts: dict[str, bytes] = {name: zf.read(name) for name in self._order}
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise Unsupported("not a zip") from exc
        for need in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "[Content_Types].xml"):
            if need not in self.parts:
                raise Unsupported(need)
        self._trees: dict[str, etree._Element] = {}
        self._sheets: list[tuple[str, str]] = []  # (name, part path) in workbook order
        rels = self._tree("xl/_rels/workbook.xml.rels")
        target = {r.get("Id"): self._resolve("xl", r.get("Target", "")) for r in rels}
        for sheet in self._tree("xl/workbook.xml").iter(f"{_M}sheet"):
            path = target.get(sheet.get(f"{{{REL}}}id"))
            if path is None or path not in self.parts:
                raise Unsupported("sheet part")
            self._sheets.append((sheet.get("name"), path))
        self._xf_cache: dict[tuple[int, Style], int] = {}
        self._font_cache: dict[tuple[int, Style], int] = {}
        self._fill_cache: dict[str, int] = {}

    # ------------------------------------------------------------ parts

    def _tree(self, path: str):
        if path not in self._trees:
            try:
                self._trees[path] = etree.fromstring(self.parts[path], _PARSER)
            except etree.XMLSyntaxError as exc:
                raise Unsupported(path) from exc
        return self._trees[path]

    @staticmethod
    def _resolve(base_dir: str, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(base_dir, target))

    def _new_part(self, path: str, content: bytes) -> None:
        self.parts[path] = content
        self._order.append(path)

    def _free(self, pattern: str) -> str:
        k = 1
        while pattern.format(k) in self.parts:
            k += 1
        return pattern.format(k)

    def sheet_names(self) -> list[str]:
        return [name for name, _ in self._sheets]

    def _sheet(self, name: str):
        for n, path in self._sheets:
            if n == name:
                return path, self._tree(path)
        raise Unsupported(f"no sheet {name}")

    # ------------------------------------------------------------ styles

    def _styles(self):
        return self._tree("xl/styles.xml")

    def _child(self, parent, name: str):
        el = parent.find(f"{_M}{name}")
        if el is None:
            raise Unsupported(f"styles without {name}")
        return el

    def _append_counted(self, parent, el) -> int:
        parent.append(el)
        n = len(parent)
        parent.set("count", str(n))
        return n - 1

    def _fill(self, rgb: str) -> int:
        if rgb not in self._fill_cache:
            fill = etree.Element(f"{_M}fill")
            pf = etree.SubElement(fill, f"{_M}patternFill", patternType="solid")
            etree.SubElement(pf, f"{_M}fgColor", rgb="FF" + rgb)
            etree.SubElement(pf, f"{_M}bgColor", indexed="64")
            self._fill_cache[rgb] = self._append_counted(self._child(self._styles(), "fills"), fill)
        return self._fill_cache[rgb]

    def _font(self, base_id: int, style: Style) -> int:
        key = (base_id, Style(bold=style.bold, size=style.size, color=style.color, underline=style.underline))
        if key in self._font_cache:
            return self._font_cache[key]
        fonts = self._child(self._styles(), "fonts")
        if base_id >= len(fonts):
            raise Unsupported("font id")
        base = fonts[base_id]
        children = {_local(c.tag): c for c in base}
        if style.bold:
            children["b"] = etree.Element(f"{_M}b")
        if style.underline:
            children["u"] = etree.Element(f"{_M}u")
        if style.size:
            children["sz"] = etree.Element(f"{_M}sz", val=f"{style.size:g}")
        if style.color:
            children["color"] = etree.Element(f"{_M}color", rgb="FF" + style.color)
        font = etree.Element(f"{_M}font")
        for name in _FONT_ORDER:
            if name in children:
                font.append(copy.deepcopy(children[name]))
        self._font_cache[key] = self._append_counted(fonts, font)
        return self._font_cache[key]

    def _xf(self, base_id: int, style: Style) -> int:
        """A cellXfs entry: the base style with the fill, font and alignment of `style` laid over it."""
        key = (base_id, style)
        if key in self._xf_cache:
            return self._xf_cache[key]
        xfs = self._child(self._styles(), "cellXfs")
        if base_id >= len(xfs):
            raise Unsupported("xf id")
        xf = copy.deepcopy(xfs[base_id])
        if style.fill:
            xf.set("fillId", str(self._fill(style.fill)))
            xf.set("applyFill", "1")
        if style.bold or style.size or style.color or style.underline:
            xf.set("fontId", str(self._font(int(xf.get("fontId", "0")), style)))
            xf.set("applyFont", "1")
        if style.halign or style.wrap:
            for old in xf.findall(f"{_M}alignment"):
                xf.remove(old)
            align = etree.Element(f"{_M}alignment", vertical="top")
            if style.halign:
                align.set("horizontal", style.halign)
            if style.wrap:
                align.set("wrapText", "1")
            xf.insert(0, align)
            xf.set("applyAlignment", "1")
        self._xf_cache[key] = self._append_counted(xfs, xf)
        return self._xf_cache[key]

    # ------------------------------------------------------------ cells

    def top_left(self, sheet: str, row: int, col: int) -> tuple[int, int]:
        """The cell that shows a merged range's content, for a cell inside it (row, col 1-based)."""
        _, root = self._sheet(sheet)
        merges = root.find(f"{_M}mergeCells")
        if merges is None:
            return row, col
        for m in merges:
            ref = m.get("ref", "")
            if ":" not in ref:
                continue
            (c1, r1), (c2, r2) = (coordinate_from_string(x) for x in ref.split(":"))
            lo_c, hi_c = column_index_from_string(c1), column_index_from_string(c2)
            if r1 <= row <= r2 and lo_c <= col <= hi_c:
                return r1, lo_c
        return row, col

    def mark(self, sheet: str, cells: dict[tuple[int, int], tuple[Style, str]], author: str) -> None:
        """Lay a style (fill, font colour) over each cell and give it a comment; cells are (row, col) 1-based."""
        path, root = self._sheet(sheet)
        if root.find(f"{_M}legacyDrawing") is not None:
            raise Unsupported("sheet has comments or a legacy drawing already")
        data = root.find(f"{_M}sheetData")
        if data is None:
            raise Unsupported("no sheetData")
        rows: dict[int, etree._Element] = {}
        for r in data:
            if r.get("r") is None:
                raise Unsupported("row without number")
            rows[int(r.get("r"))] = r
        for (row, col), (style, _) in sorted(cells.items()):
            row_el = rows.get(row)
            if row_el is None:
                row_el = etree.Element(f"{_M}row", r=str(row))
                later = [k for k in rows if k > row]
                if later:
                    rows[min(later)].addprevious(row_el)
                else:
                    data.append(row_el)
                rows[row] = row_el
            ref = f"{get_column_letter(col)}{row}"
            cell = None
            after = None
            for c in row_el:
                r = c.get("r")
                if r is None:
                    raise Unsupported("cell without reference")
                k = column_index_from_string(coordinate_from_string(r)[0])
                if k == col:
                    cell = c
                    break
                if k > col and after is None:
                    after = c
            if cell is None:
                cell = etree.Element(f"{_M}c", r=ref)
                cell.set("s", str(self._default_style(root, row_el, col)))
                if after is not None:
                    after.addprevious(cell)
                else:
                    row_el.append(cell)
            cell.set("s", str(self._xf(int(cell.get("s", "0")), style)))
        self._comments(path, root, {f"{get_column_letter(c)}{r}": text for (r, c), (_, text) in cells.items()}, author)
        self.parts[path] = _xml(root)

    @staticmethod
    def _default_style(root, row_el, col: int) -> int:
        if row_el.get("customFormat") in ("1", "true") and row_el.get("s"):
            return int(row_el.get("s"))
        cols = root.find(f"{_M}cols")
        for c in cols if cols is not None else ():
            if int(c.get("min", 0)) <= col <= int(c.get("max", 0)) and c.get("style"):
                return int(c.get("style"))
        return 0

    def _comments(self, sheet_path: str, root, texts: dict[str, str], author: str) -> None:
        records = []
        for ref, text in texts.items():
            rec = CommentRecord(ref=ref, author=author)
            rec.text.t = _text(text)
            lines = sum(1 + len(line) // 22 for line in text.split("\n"))
            rec.width, rec.height = 320, 24 + 18 * lines  # pixels, as openpyxl's shape writer takes them
            records.append(rec)
        sheet = CommentSheet.from_comments(records)
        comments_path = self._free("xl/comments/markup{}.xml")
        vml_path = self._free("xl/drawings/markupComments{}.vml")
        self._new_part(comments_path, _xml(sheet.to_tree()))
        vml = sheet.write_shapes(None)
        self._new_part(vml_path, vml if isinstance(vml, bytes) else vml.encode("utf-8"))
        rels_path = posixpath.join(posixpath.dirname(sheet_path), "_rels", posixpath.basename(sheet_path) + ".rels")
        if rels_path in self.parts:
            rels = self._tree(rels_path)
        else:
            rels = etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
            self._trees[rels_path] = rels
            self._order.append(rels_path)
        ids = {r.get("Id") for r in rels}
        rid_c, rid_v = (self._free_id(ids, p) for p in ("rIdMarkupComments", "rIdMarkupVml"))
        etree.SubElement(rels, f"{{{PKG_REL}}}Relationship", Id=rid_c, Type=_RT_COMMENTS, Target="/" + comments_path)
        etree.SubElement(rels, f"{{{PKG_REL}}}Relationship", Id=rid_v, Type=_RT_VML, Target="/" + vml_path)
        self.parts[rels_path] = _xml(rels)
        legacy = etree.Element(f"{_M}legacyDrawing", nsmap={"r": REL})
        legacy.set(f"{{{REL}}}id", rid_v)
        following = next((c for c in root if _local(c.tag) in (*_AFTER_LEGACY, "extLst")), None)
        if following is not None:
            following.addprevious(legacy)
        else:
            root.append(legacy)
        self._content_type(comments_path, _CT_COMMENTS)
        types = self._tree("[Content_Types].xml")
        if not any(d.get("Extension", "").lower() == "vml" for d in types.iter(f"{{{CT}}}Default")):
            etree.SubElement(types, f"{{{CT}}}Default", Extension="vml", ContentType=_CT_VML)
            types.insert(0, types[-1])  # Defaults come before Overrides
        self.parts["[Content_Types].xml"] = _xml(types)

    @staticmethod
    def _free_id(ids: set[str], stem: str) -> str:
        k = 1
        while f"{stem}{k}" in ids:
            k += 1
        ids.add(f"{stem}{k}")
        return f"{stem}{k}"

    def _content_type(self, path: str, content_type: str) -> None:
        types = self._tree("[Content_Types].xml")
        etree.SubElement(types, f"{{{CT}}}Override", PartName="/" + path, ContentType=content_type)
        self.parts["[Content_Types].xml"] = _xml(types)

    # ------------------------------------------------------------ a new first sheet

    def add_first_sheet(
        self,
        name: str,
        rows: list[list[Cell]],
        *,
        widths: list[float],
        heights: dict[int, float],
        freeze_rows: int,
        autofilter: str | None,
    ) -> None:
        """A sheet of plain values (never formulas) placed first and opened first."""
        if name in self.sheet_names():
            raise Unsupported("sheet name taken")
        out = [
            f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">',
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
            '<sheetViews><sheetView tabSelected="1" workbookViewId="0">',
            f'<pane ySplit="{freeze_rows}" topLeftCell="A{freeze_rows + 1}" activePane="bottomLeft" state="frozen"/>',
            '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>',
        ]
        for j, w in enumerate(widths, 1):
            out.append(f'<col min="{j}" max="{j}" width="{w:g}" customWidth="1"/>')
        out.append("</cols><sheetData>")
        links = []
        for i, row in enumerate(rows, 1):
            ht = f' ht="{heights[i]:g}" customHeight="1"' if i in heights else ""
            out.append(f'<row r="{i}"{ht}>')
            for j, cell in enumerate(row, 1):
                if cell.value is None or cell.value == "":
                    continue
                ref = f"{get_column_letter(j)}{i}"
                s = self._xf(0, cell.style) if cell.style != Style() else 0
                if isinstance(cell.value, bool) or not isinstance(cell.value, int | float):
                    text = escape(_text(cell.value))
                    out.append(f'<c r="{ref}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
                else:
                    out.append(f'<c r="{ref}" s="{s}"><v>{cell.value}</v></c>')
                if cell.link:
                    links.append((ref, cell.link, str(cell.value)))
            out.append("</row>")
        out.append("</sheetData>")
        if autofilter:
            out.append(f'<autoFilter ref="{autofilter}"/>')
        if links:
            out.append("<hyperlinks>")
            for ref, loc, shown in links:
                out.append(
                    f'<hyperlink ref="{ref}" location="{escape(loc, {chr(34): "&quot;"})}" display="{escape(shown)}"/>'
                )
            out.append("</hyperlinks>")
        out.append('<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>')
        out.append('<pageSetup orientation="landscape" fitToHeight="0"/></worksheet>')
        path = self._free("xl/worksheets/markupSheet{}.xml")
        self._new_part(path, ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + "".join(out)).encode())
        self._content_type(path, _CT_SHEET)
        rels = self._tree("xl/_rels/workbook.xml.rels")
        rid = self._free_id({r.get("Id") for r in rels}, "rIdMarkupSheet")
        etree.SubElement(rels, f"{{{PKG_REL}}}Relationship", Id=rid, Type=_RT_SHEET, Target="/" + path)
        self.parts["xl/_rels/workbook.xml.rels"] = _xml(rels)
        wb = self._tree("xl/workbook.xml")
        sheets = wb.find(f"{_M}sheets")
        ids = [int(s.get("sheetId", 0)) for s in sheets]
        new = etree.Element(f"{_M}sheet", name=name, sheetId=str(max(ids, default=0) + 1), nsmap={"r": REL})
        new.set(f"{{{REL}}}id", rid)
        sheets.insert(0, new)
        names = wb.find(f"{_M}definedNames")
        for dn in names if names is not None else ():  # sheet-scoped names count sheets by position
            if dn.get("localSheetId") is not None:
                dn.set("localSheetId", str(int(dn.get("localSheetId")) + 1))
        for view in wb.iter(f"{_M}workbookView"):
            view.set("activeTab", "0")
            view.set("firstSheet", "0")
        self.parts["xl/workbook.xml"] = _xml(wb)
        for _, sheet_path in self._sheets:  # only the new sheet is selected (several selected = grouped sheets)
            if sheet_path in self._trees:
                for view in self._trees[sheet_path].iter(f"{_M}sheetView"):
                    view.attrib.pop("tabSelected", None)
                self.parts[sheet_path] = _xml(self._trees[sheet_path])
            else:
                self.parts[sheet_path] = re.sub(rb'\stabSelected="(?:1|true)"', b"", self.parts[sheet_path])
        self._sheets.insert(0, (name, path))

    def to_bytes(self) -> bytes:
        self.parts["xl/styles.xml"] = _xml(self._styles())
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in dict.fromkeys(self._order):
                zf.writestr(name, self.parts[name])
        return buf.getvalue()
