"""Files for briefings: chart images rendered by kaleido in a local Chromium, and the data behind them."""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import threading
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from reporting import theme

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome", "msedge")
TYPICAL_BROWSER_PATHS = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome-stable",
    "/usr/bin/google-chrome",
    "/snap/bin/chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)

NO_CHROME_ZH = (
    "服务器上未找到 Chrome 或 Chromium 浏览器，暂时无法导出图片。"
    "请安装后重试（Debian/Ubuntu：sudo apt-get install chromium fonts-noto-cjk），"
    "或设置环境变量 BROWSER_PATH 指向浏览器程序；也可用图表右上角的相机按钮在浏览器中保存图片。"
    "数据下载（CSV/XLSX）不受影响。"
)

IMAGE_FORMATS = ("png", "svg")
MIME_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class ChromeNotFound(RuntimeError):
    """No Chrome/Chromium on this machine; `str(error)` is the Chinese sentence for the user."""

    def __init__(self, message: str = NO_CHROME_ZH) -> None:
        super().__init__(message)


def chrome_path() -> str | None:
    """The Chrome/Chromium executable kaleido will use: BROWSER_PATH when set, else one found on PATH or in the usual places."""
    override = os.environ.get("BROWSER_PATH")
    if override:
        return override if _is_executable(override) else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in TYPICAL_BROWSER_PATHS if _is_executable(p)), None)


def _is_executable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def for_export(fig: go.Figure) -> go.Figure:
    """A copy ready for a file: the shared CJK font stack when none is set, and an opaque white page
    (the screen template is transparent, which turns black in some image viewers and slides)."""
    out = go.Figure(fig)
    template = out.layout.template.layout if out.layout.template else go.Layout()
    if not (out.layout.font.family or template.font.family):
        out.update_layout(font_family=theme.FONT_STACK)
    for key in ("paper_bgcolor", "plot_bgcolor"):
        colour = out.layout[key] or template[key]
        if colour is None or str(colour).replace(" ", "") in ("rgba(0,0,0,0)", "transparent"):
            out.update_layout({key: "white"})
    return out


def figure_images(
    figs: Sequence[go.Figure],
    fmt: str = "png",
    width: int = 1600,
    height: int = 900,
    scale: float = 2,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[bytes]:
    """Render figures to PNG/SVG bytes in ONE headless-browser session (kaleido), in input order.

    `width`/`height` are layout pixels (16:9 by default); a PNG has `scale` times as many pixels.
    `progress(done, total)` is called as images finish. Raises ChromeNotFound (Chinese message) without a browser.
    """
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    return render_jobs([(fig, opts) for fig in figs], progress=progress)


def render_jobs(
    jobs: Sequence[tuple[go.Figure, Mapping]],
    *,
    session: BrowserSession | None = None,
    tabs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[bytes]:
    """Render (figure, {format, width, height, scale}) pairs, each with its own size, in one browser session:
    `session` when given (already started, e.g. while the caller queried the data), else one opened for this call.

    More tabs measured no faster on 2 cores (rendering is CPU-bound), so one tab by default.
    """
    for _, opts in jobs:
        if opts.get("format") not in IMAGE_FORMATS:
            raise ValueError(f"unsupported image format {opts.get('format')!r}; use one of {IMAGE_FORMATS}")
    if not jobs:
        return []
    if session is not None:
        return session.render(jobs, progress=progress)
    with BrowserSession(tabs=tabs) as own:
        return own.render(jobs, progress=progress)


class BrowserSession:
    """One headless Chromium (kaleido) kept open for any number of renders.

    It starts in a background thread with its own event loop as soon as it is created, so a caller can query
    data meanwhile; that also works from Streamlit's script thread or beside a running loop. Use it as a context
    manager (closing the browser on exit). Raises ChromeNotFound (Chinese message) when there is no browser.
    Renders are serialised on the session's loop; give each Streamlit session or CLI run its own.
    """

    def __init__(self, tabs: int = 1) -> None:
        browser = chrome_path()
        if browser is None:
            raise ChromeNotFound()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido-session", daemon=True)
        self._thread.start()
        self._kaleido = asyncio.run_coroutine_threadsafe(self._open(browser, tabs), self._loop)

    @staticmethod
    async def _open(browser: str, tabs: int):
        import kaleido  # imported here: it checks versions and sets up logging on import

        # mathjax=False: no CDN request (servers are often offline); plotly.js comes from the plotly package.
        k = kaleido.Kaleido(n=tabs, path=browser, mathjax=False)
        await k.open()
        return k

    def _started(self):
        try:
            return self._kaleido.result()
        except Exception as error:
            if type(error).__name__ == "ChromeNotFoundError":
                raise ChromeNotFound() from error
            raise

    def render(self, jobs: Sequence[tuple[go.Figure, Mapping]], *, progress=None) -> list[bytes]:
        """Bytes of each (figure, opts) job, in order; `progress(done, total)` as images finish."""
        k = self._started()
        prepared = [(for_export(fig), dict(opts)) for fig, opts in jobs]
        return asyncio.run_coroutine_threadsafe(_render_all(k, prepared, progress), self._loop).result()

    def close(self) -> None:
        """Close the browser (waiting for it to finish starting, so no Chromium is left behind)."""
        try:
            try:
                k = self._kaleido.result()
            except Exception:  # noqa: BLE001 - it never started, so there is nothing to close
                k = None
            if k is not None:
                asyncio.run_coroutine_threadsafe(k.close(), self._loop).result(timeout=60)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._loop.close()

    def __enter__(self) -> BrowserSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _render_all(
    k, jobs: list[tuple[go.Figure, dict]], progress: Callable[[int, int], None] | None
) -> list[bytes]:
    # kaleido's write_fig_from_object returns bytes only for a single figure, so the batch is every figure
    # queued on one Kaleido (one Chromium) at once.
    done = 0

    async def one(fig: go.Figure, opts: dict) -> bytes:
        nonlocal done
        image = await k.calc_fig(fig, opts=opts)
        done += 1
        if progress:
            progress(done, len(jobs))
        return image

    return list(await asyncio.gather(*(one(fig, opts) for fig, opts in jobs)))


def figure_image(fig: go.Figure, fmt: str = "png", **kwargs) -> bytes:
    """One figure as PNG/SVG bytes (see figure_images)."""
    return figure_images([fig], fmt, **kwargs)[0]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> object:
    """A text that a spreadsheet would run as a formula (`=HYPERLINK(…)`, `@SUM(…)`, `+1+1`, a leading tab or
    CR) prefixed with `'`, as OWASP recommends for CSV injection; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _text_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)]


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in _text_columns(out):
        out[col] = out[col].map(formula_safe)
    out.columns = [formula_safe(c) if isinstance(c, str) else c for c in out.columns]
    return out


def frame_csv(frame: pd.DataFrame, header_lines: Sequence[str] = ()) -> bytes:
    """The frame as CSV in UTF-8 with BOM (Excel opens it in Chinese), one row per header line above the table.

    Formula-safe: every text cell that a spreadsheet would run as a formula starts with `'`."""
    buffer = io.StringIO()
    for line in header_lines:
        pd.DataFrame([[formula_safe(line)]]).to_csv(buffer, header=False, index=False, lineterminator="\r\n")
    _csv_safe(frame).to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def frame_xlsx(frame: pd.DataFrame, header_lines: Sequence[str] = (), sheet: str = "数据") -> bytes:
    """The frame as an XLSX workbook: header lines in the first rows, then the table."""
    return frames_xlsx({sheet: (frame, header_lines)})


def frames_xlsx(sheets: Mapping[str, tuple[pd.DataFrame, Sequence[str]]]) -> bytes:
    """One workbook with a sheet per frame; sheet names are made Excel-safe (≤31 chars, unique).

    Every text is written as a string, never a formula or a link; a text that starts like a formula gets
    Excel's quote prefix (shown as written, and kept a text when someone edits the cell)."""
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        bold = writer.book.add_format({"bold": True})
        quoted = writer.book.add_format({"quote_prefix": True})
        used: set[str] = set()
        for name, (frame, header_lines) in sheets.items():
            sheet_name = _sheet_name(name, used)
            frame.to_excel(writer, sheet_name=sheet_name, startrow=len(header_lines), index=False)
            worksheet = writer.sheets[sheet_name]
            for row, line in enumerate(header_lines):
                worksheet.write_string(row, 0, line, bold)
            top = len(header_lines)
            for col, column in enumerate(frame.columns):
                if isinstance(column, str) and column.startswith(FORMULA_START):
                    worksheet.write_string(top, col, column, quoted)
            for col in _text_columns(frame):
                j = frame.columns.get_loc(col)
                for i, value in enumerate(frame[col]):
                    if isinstance(value, str) and value.startswith(FORMULA_START):
                        worksheet.write_string(top + 1 + i, j, value, quoted)
            for col, column in enumerate(frame.columns):
                widest = max([len(str(column)), *(len(str(v)) for v in frame[column].head(200))])
                worksheet.set_column(col, col, min(60, max(8, widest * 2)))
        if not sheets:
            writer.book.add_worksheet("数据")
    return buffer.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "Sheet"
    base = base[:31]
    candidate, n = base, 2
    while candidate.lower() in {u.lower() for u in used}:
        suffix = f"_{n}"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


def safe_filename(title: str, ext: str = "") -> str:
    """A file name from a (Chinese) title: no path separators or characters Windows forbids."""
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", title).strip("._") or "chart"
    return f"{stem[:80]}.{ext}" if ext else stem[:80]


def zip_files(files: Sequence[tuple[str, bytes]]) -> bytes:
    """A ZIP of (name, bytes) pairs; duplicate names get a numeric suffix."""
    buffer = io.BytesIO()
    seen: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            stem, dot, ext = name.rpartition(".")
            unique, n = name, 2
            while unique in seen:
                unique, n = (f"{stem}_{n}.{ext}" if dot else f"{name}_{n}"), n + 1
            seen.add(unique)
            archive.writestr(unique, data)
    return buffer.getvalue()


def charts_zip(
    named_figs: Sequence[tuple[str, go.Figure]],
    fmt: str = "png",
    *,
    images: Sequence[bytes] | None = None,
    **render,
) -> bytes:
    """A ZIP of charts as `01_标题.png`…, rendered in one browser session (or from `images` already rendered)."""
    if images is None:
        images = figure_images([fig for _, fig in named_figs], fmt, **render)
    names = [f"{i:02d}_{safe_filename(title, fmt)}" for i, (title, _) in enumerate(named_figs, start=1)]
    return zip_files(list(zip(names, images, strict=True)))
