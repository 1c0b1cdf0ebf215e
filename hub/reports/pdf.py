"""The printable report as PDF through headless Chromium's print-to-PDF (Playwright).

The hub does not need a browser to run: without Chromium (or without the playwright package)
:func:`available` says why, the PDF route answers so in plain words, and the HTML print view
(which the browser prints by itself) still works. The page is handed to Chromium as a string
with its styles inline, so Chromium never calls back into the hub and needs no session.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


class PdfUnavailable(RuntimeError):
    """No browser to print with; the message says what is missing."""


def chromium_path() -> str | None:
    """Chromium's executable: ``$MOTCUA_CHROMIUM`` when set, else the usual places."""
    configured = os.environ.get("MOTCUA_CHROMIUM")
    if configured is not None:
        return configured if Path(configured).is_file() else None
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


def available() -> str | None:
    """None when a PDF can be made, else the reason it cannot."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if chromium_path() is None:
        return "Chromium is not installed (looked for " + ", ".join(CANDIDATES) + ")"
    return None


def html_to_pdf(html: str, timeout_s: float = 30.0) -> bytes:
    """Print ``html`` (self-contained) to an A4 PDF; raises PdfUnavailable without a browser."""
    reason = available()
    if reason is not None:
        raise PdfUnavailable(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=ARGS)
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load", timeout=timeout_s * 1000)
            return page.pdf(
                format="A4", print_background=True, prefer_css_page_size=True,
                margin={"top": "15mm", "bottom": "15mm", "left": "20mm", "right": "15mm"},
            )  # fmt: skip
        finally:
            browser.close()
