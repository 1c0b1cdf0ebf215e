"""Reports: queue figures per period, service, counter and clerk; the Decision 766/QĐ-TTg dossier
indicators; dossier lookups; SVG charts; CSV/XLSX exports; the printable monthly report (PDF).

Past days are read from summary tables built once per day (:mod:`hub.reports.summary`); today is
computed from the tickets themselves, so the figures of the day stay live.
"""
