"""Procedures: search with a Vietnamese on-screen keyboard, or browse by field."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.factory import Factory

from appliance.ui import theme
from kiosk.controllers import vnkeys
from kiosk.screens.base import KioskScreen
from motcua.i18n import N_

SEARCH_DELAY_S = 0.4  # search once the citizen pauses, not on every key
# Tone keys show the tone on an "a", which people recognize better than a bare accent mark.
TONE_LABELS = [["á", "´"], ["à", "`"], ["ả", "?"], ["ã", "~"], ["ạ", "."]]


class ProceduresScreen(KioskScreen):
    """The query, the fields or the results, and the keyboard."""

    watches = ("procedures",)

    def on_kv_post(self, base_widget: Any) -> None:
        """Wire the keyboard; searches wait for a pause in typing."""
        self._search_soon = Clock.create_trigger(
            lambda _dt: self.kiosk.procedures.search(), SEARCH_DELAY_S
        )
        pad = self.ids.keyboard
        pad.layout = vnkeys.LAYOUT
        pad.bind(on_key=lambda _pad, key: self._key(key))
        self._keyboard = pad.__self__  # a strong reference: held here while out of the tree

    def _show_keyboard(self, show: bool) -> None:
        """The keyboard takes the lower half while typing; browsing gets the whole screen.
        It is removed, not hidden, so it cannot catch touches while closed."""
        slot, pad = self.ids.keyboard_slot, self._keyboard
        if show and pad.parent is None:
            slot.add_widget(pad)
        elif not show and pad.parent is not None:
            slot.remove_widget(pad)

    def _key(self, key: str) -> None:
        self.kiosk.idle.touch()
        self.kiosk.procedures.press(key)
        self._search_soon()

    def refresh(self) -> None:
        """Rebuild the list from the procedures controller."""
        procedures = self.kiosk.procedures
        query = procedures.query
        self.ids.query.text = query or self.tr("Type a few words, e.g. giay phep xay dung")
        self.ids.query.color = theme.TEXT if query else theme.MUTED
        self._show_keyboard(procedures.typing)
        self.ids.back.text = self.tr("Hide keyboard") if procedures.typing else self.tr("Back")
        labels = [
            [self.tr("Delete"), "DEL"],
            [self.tr("Clear"), "CLEAR"],
            [self.tr("Space"), "SPACE"],
            *TONE_LABELS,
        ]
        pad = self._keyboard
        if pad.key_labels != labels:
            pad.key_labels = labels
            rows, pad.layout = pad.layout, []  # an equal list would not rebuild the keys
            pad.layout = rows
        box = self.ids.list
        box.clear_widgets()
        if procedures.error:
            word = (
                N_("Offline: cannot reach the hub")
                if procedures.error == "offline"
                else N_("Cannot search now. Please try again.")
            )
            box.add_widget(Factory.Body(text=self.tr(word), color=theme.ACCENT, halign="center"))
        if procedures.stage == "browse":
            self.ids.status.text = self.tr("Or choose a field:")
            self._scope(box)
            for field in procedures.fields:
                count = self.kiosk.t.ngettext(
                    "{n} procedure", "{n} procedures", int(field.get("count", 0))
                )
                box.add_widget(self._button(field["name"], count, field))
            return
        if procedures.field:
            self.ids.status.text = self.kiosk.t.ngettext(
                "{n} procedure in {field}",
                "{n} procedures in {field}",
                procedures.total,
                field=procedures.field,
            )
        elif procedures.not_found:
            self.ids.status.text = self.tr("No procedure found")
        else:
            self.ids.status.text = self.kiosk.t.ngettext(
                "{n} procedure found", "{n} procedures found", procedures.total
            )
        if not procedures.results and not procedures.loading:
            if procedures.not_found:
                self._not_found(box)
            else:
                box.add_widget(
                    Factory.Body(
                        text=self.tr("Nothing found. Try fewer or other words."), halign="center"
                    )
                )
        if procedures.everywhere or procedures.elsewhere:
            self._scope(box)
        for item in procedures.results:
            detail = " · ".join(
                str(item.get(k) or "") for k in ("field", "processing_time") if item.get(k)
            )
            box.add_widget(self._button(str(item.get("name", "")), detail, item))
        if len(procedures.results) < procedures.total:
            more = self.made(
                "QuietButton", text=self.tr("More results"), size_hint_y=None, height=self.u(70)
            )
            more.bind(on_release=lambda _b: procedures.more())
            box.add_widget(more)

    def _scope(self, box: Any) -> None:
        """This office's procedures come first; the whole catalogue when the citizen asks."""
        procedures = self.kiosk.procedures
        if procedures.everywhere:
            text, wanted = self.tr("Only this office's procedures"), False
        else:
            text, wanted = self.tr("Search every procedure"), True
        button = self.made("QuietButton", text=text, size_hint_y=None, height=self.u(70))
        button.bind(on_release=lambda _b: procedures.search_everywhere(wanted))
        box.add_widget(button)

    def _not_found(self, box: Any) -> None:
        """Nothing means the query: say so, and offer the fields this office handles."""
        procedures = self.kiosk.procedures
        box.add_widget(
            Factory.Body(
                text=self.tr(
                    "No procedure matches “{query}”. Check the words, or choose a field:",
                    query=procedures.results_for,
                ),
                halign="center",
            )
        )
        for field in procedures.suggested_fields:
            count = self.kiosk.t.ngettext(
                "{n} procedure", "{n} procedures", int(field.get("count", 0))
            )
            box.add_widget(self._button(field["name"], count, {**field, "suggested": True}))

    def _button(self, title: str, detail: str, item: dict[str, Any]) -> Any:
        button = self.made(
            "KioskTile",
            text_vi=title,
            text_en=detail,
            tone=theme.PRIMARY,
            size_hint_y=None,
            height=self.u(100),
            largest=self.u(28),
        )
        # Some procedure names run to three lines: the button grows to hold them.
        least, pad = self.u(100), self.u(24)
        button.bind(texture_size=lambda b, size: setattr(b, "height", max(least, size[1] + pad)))
        if "code" in item:
            button.bind(on_release=lambda _b: self.kiosk.open_procedure(item["code"]))
        elif item.get("suggested"):
            button.bind(on_release=lambda _b: self.kiosk.procedures.browse_suggested(item["name"]))
        else:
            button.bind(on_release=lambda _b: self.kiosk.procedures.browse(item["name"]))
        return button
