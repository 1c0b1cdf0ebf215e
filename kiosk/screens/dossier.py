"""A dossier's status: where it is, whether it is on time, what to do next, how fresh this is."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory

from appliance.timefmt import clock_text, date_text
from appliance.ui import theme
from kiosk.format import age_text
from kiosk.screens.base import KioskScreen
from motcua.i18n import N_

TIMELINESS_COLOUR = {"early": theme.OK, "on_time": theme.OK, "overdue": theme.ACCENT}

PROBLEMS = {
    "malformed": (
        N_("This is not a dossier code"),
        N_(
            "Check the code on your receipt. It looks like H21.22-241105-0012: letters and "
            "numbers separated by dots and dashes."
        ),
    ),
    "unknown": (
        N_("No dossier has this code"),
        N_(
            "The one-stop system has no dossier with this code. Check each character against "
            "your receipt, or ask at the information desk."
        ),
    ),
    "unavailable": (
        N_("Cannot check now"),
        N_(
            "The dossier system cannot be reached at the moment. Please try again in a few "
            "minutes, or ask at the information desk."
        ),
    ),
    "rate_limited": (N_("Too many lookups"), N_("Too many attempts. Please wait a moment.")),
    "ambiguous": (
        N_("Which code is on your receipt?"),
        N_(
            "The code was typed without its dots or dashes and can be read more than one way. "
            "Touch the one printed on your receipt."
        ),
    ),
}


class DossierScreen(KioskScreen):
    """The lookup's answer, or a helpful page for a malformed, unknown or unchecked code."""

    watches = ("lookup",)

    def refresh(self) -> None:
        """Rebuild from the lookup controller."""
        lookup = self.kiosk.lookup
        box = self.ids.body
        box.clear_widgets()
        self.ids.code.text = lookup.code
        stage = lookup.stage
        self.ids.edit.disabled = stage == "checking"
        self.ids.again.opacity = 1 if stage in ("unavailable", "rate_limited") else 0
        self.ids.again.disabled = stage not in ("unavailable", "rate_limited")
        if stage in ("checking", "entry"):
            self.ids.title.text = self.tr("Checking…")
            self.ids.title.color = theme.TEXT
            return
        if stage in PROBLEMS:
            title, advice = PROBLEMS[stage]
            self.ids.title.text = self.tr(title)
            self.ids.title.color = theme.ACCENT
            box.add_widget(
                self.made("Body", text=self.tr(advice), font_size=self.u(30), halign="center")
            )
            if stage == "ambiguous":
                for code in lookup.choices:
                    button = self.made("BigButton", text=code, size_hint_y=None, height=self.u(84))
                    button.bind(on_release=lambda b: self.kiosk.lookup.choose(b.text))
                    box.add_widget(button)
            return
        self._show(lookup.dossier or {}, lookup.freshness or {})

    def _show(self, dossier: dict[str, Any], freshness: dict[str, Any]) -> None:
        language = self.kiosk.language
        box = self.ids.body
        status = dossier.get(f"status_{language}") or dossier.get("status_vi") or ""
        self.ids.title.text = str(status)
        self.ids.title.color = theme.HEADER
        self.ids.code.text = str(dossier.get("code") or self.ids.code.text)  # as normalized

        def row(label: str, value: str, colour: Any = theme.TEXT) -> None:
            line = Factory.Body(text=f"[b]{self.tr(label)}:[/b] {value}", markup=True)
            line.color = colour
            box.add_widget(line)

        # What to do next comes first: it is what the citizen came to learn.
        next_step = dossier.get(f"next_{language}") or dossier.get("next_vi")
        if next_step:
            label = self.tr("What to do next")  # outside the f-string, where extraction sees it
            note = Factory.Body(text=f"[b]{label}:[/b] {next_step}", markup=True)
            note.color = theme.HEADER
            note.font_size = self.u(28)
            box.add_widget(note)
        timeliness = dossier.get(f"timeliness_{language}") or dossier.get("timeliness_vi")
        if timeliness:
            colour = TIMELINESS_COLOUR.get(str(dossier.get("timeliness")), theme.TEXT)
            row(N_("Timeliness"), str(timeliness), colour)
        row(N_("Due"), date_text(dossier.get("due_at")))
        if dossier.get("finished_at"):
            row(N_("Finished"), date_text(dossier.get("finished_at")))
        if dossier.get("returned_at"):
            row(N_("Returned"), date_text(dossier.get("returned_at")))
        row(N_("Received"), date_text(dossier.get("received_at")))
        row(N_("Procedure"), str(dossier.get("procedure_name", "")))
        row(N_("Applicant"), str(dossier.get("applicant_masked", "")))
        steps = dossier.get("steps") or []
        if steps:
            steps_label = self.tr("Steps")
            box.add_widget(Factory.Body(text=f"[b]{steps_label}[/b]", markup=True))
        for step in steps:
            done = bool(step.get("finished_at"))
            mark = "✓" if done else "…"
            when = clock_text(step.get("finished_at") or step.get("started_at"))
            unit = f" — {step['unit']}" if step.get("unit") else ""
            line = Factory.Body(text=f"{mark} {step.get('name', '')}{unit} ({when})")
            line.font_name = "DejaVuSans"  # Roboto has no check mark
            box.add_widget(line)
        age = age_text(self.kiosk.t, freshness.get("age_s"))
        fresh = self.tr("Updated {age}", age=age)
        if freshness.get("stale"):
            fresh += " — " + self.tr("the dossier system could not be reached to refresh this")
        box.add_widget(Factory.Muted(text=fresh, halign="right"))
