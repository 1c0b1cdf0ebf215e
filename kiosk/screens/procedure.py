"""One procedure: documents, time, fees, where, and a QR code to its page online; its text as
the back end sent it ("văn bản gốc") one tap away."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory

from appliance.ui import theme
from kiosk.screens.base import KioskScreen, texture_of
from kiosk.ticket_image import qr_image
from motcua.i18n import N_


def _lines(value: Any) -> list[str]:
    """A field that may be text, a list of text, or a list of {name/text: ...} records."""
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    out = []
    for item in value:
        if isinstance(item, dict):
            text = item.get("name") or item.get("text") or item.get("title") or ""
            extra = item.get("detail") or item.get("description") or ""
            out.append(f"{text} — {extra}" if extra else str(text))
        else:
            out.append(str(item))
    return [line for line in out if line]


class ProcedureScreen(KioskScreen):
    """The detail of the procedure the controller holds."""

    watches = ("procedures",)

    _qr_url: str | None = None

    def refresh(self) -> None:
        """Rebuild from the procedures controller."""
        procedures = self.kiosk.procedures
        box = self.ids.body
        box.clear_widgets()
        procedure = procedures.procedure
        if procedure is None:
            word = N_("Loading…")
            if procedures.error:
                word = (
                    N_("Offline: cannot reach the hub")
                    if procedures.error == "offline"
                    else N_("Cannot search now. Please try again.")
                )
            self.ids.title.text = self.tr(word)
            self.ids.qr.opacity = 0
            return
        self.ids.title.text = str(procedure.get("name", ""))
        raw = procedure.get("raw") or {}
        self.ids.original.opacity = 1 if raw else 0
        self.ids.original.disabled = not raw
        self.ids.original.text = (
            self.tr("Cleaned text") if procedures.show_raw else self.tr("Original text")
        )

        def section(label: str, lines: list[str]) -> None:
            if not lines:
                return
            box.add_widget(Factory.Body(text=f"[b]{self.tr(label)}[/b]", markup=True))
            for line in lines:
                if line.startswith("Trường hợp"):  # a case heading inside a document list
                    box.add_widget(Factory.Body(text=line, bold=True))
                else:
                    box.add_widget(Factory.Muted(text=f"•  {line}"))

        if procedures.show_raw:
            self._original(section, procedure, raw)
        else:
            self._cleaned(section, procedure)
        url = procedure.get("source_url")
        self.ids.qr.opacity = 1 if url else 0
        self.ids.qr_caption.text = self.tr("Scan to read this online") if url else ""
        if url and url != self._qr_url:
            self._qr_url = str(url)
            self.ids.qr.texture = texture_of(qr_image(str(url), 6))
        self.ids.title.color = theme.HEADER

    def _original(self, section: Any, procedure: dict[str, Any], raw: dict[str, Any]) -> None:
        """The fields the hub cleaned, as the back end sent them."""
        self.ids.body.add_widget(Factory.Muted(text=self.tr("Original text, as published")))
        section(N_("Name"), _lines(raw.get("name")))
        section(N_("Processing time"), _lines(raw.get("processing_time")))
        section(N_("Fees"), _lines(raw.get("fees")))
        section(N_("Documents to bring"), _lines(raw.get("documents")))
        section(N_("Steps"), _lines(raw.get("steps")))
        section(N_("Legal basis"), _lines(raw.get("legal_basis")))

    def _cleaned(self, section: Any, procedure: dict[str, Any]) -> None:
        """The procedure as the hub made it fit to read."""
        section(N_("Code"), [str(procedure.get("code", ""))])
        section(N_("Field"), _lines(procedure.get("field")))
        section(N_("Processing time"), _lines(procedure.get("processing_time")))
        section(N_("Fees"), _lines(procedure.get("fees")) or [self.tr("None")])
        section(N_("Where"), _lines(procedure.get("agency")))
        section(N_("Documents to bring"), _lines(procedure.get("documents")))
        section(N_("Forms"), _lines(procedure.get("forms")))
        section(N_("Steps"), _lines(procedure.get("steps")))
        section(N_("Ways to apply"), _lines(procedure.get("channels")))
