// The waiting-room board in a TV's browser (hub/web/public_board.py; templates/public/board.html).
// The same rules as the display app (queue_display/board.py, appliance/live.py): load the
// snapshot (/api/v1/state), follow /api/v1/events on from its id, hold events that arrive while
// a snapshot is on its way and apply them on top, ignore what the snapshot already holds; a
// call in this zone goes first and lights the board unless it is stale (older than stale_s on
// the hub's clock when it arrives). No library: EventSource resumes with Last-Event-ID by itself.
"use strict";
(() => {
  const cfg = JSON.parse(document.getElementById("board-config").textContent);
  const T = cfg.texts;
  const zone = { counters: new Set(cfg.zone.counters), services: new Set(cfg.zone.services) };
  const CALLS = ["ticket.called", "ticket.recalled"];
  const TYPES = ["ticket.issued", "ticket.called", "ticket.recalled", "ticket.started",
    "ticket.finished", "ticket.no_show", "ticket.requeued", "ticket.transferred",
    "ticket.cancelled", "ticket.backfilled", "counter.updated", "day.opened", "day.closed",
    "notice.updated"];
  const WEEKDAYS = { Mon: "Thứ Hai", Tue: "Thứ Ba", Wed: "Thứ Tư", Thu: "Thứ Năm", Fri: "Thứ Sáu",
    Sat: "Thứ Bảy", Sun: "Chủ Nhật" };

  const office = { day: "", services: new Map(), counters: new Map(), notice: {}, lastId: null };
  let calls = [];  // newest first; calls[0] is the big one
  let highlightUntil = 0;
  let offset = 0;  // ms the hub's clock is ahead of this one (a TV's clock may be wrong)
  let held = null;  // events that arrived while a snapshot was on its way
  let loaded = false;
  let source = null;
  let online = null;

  const $ = (id) => document.getElementById(id);
  const fill = (s, values) => s.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

  // --- the zone (queue_display.board.Zone) ------------------------------------------------
  function hasCall(call) {
    if (zone.counters.size && !zone.counters.has(call.counter)) return false;
    return !zone.services.size || zone.services.has(call.service);
  }
  function hasCounter(c) {
    if (zone.counters.size && !zone.counters.has(c.number)) return false;
    return !zone.services.size || (c.services || []).some((s) => zone.services.has(s));
  }
  function hasService(s, counters) {
    if (zone.services.size) return zone.services.has(s.code);
    if (zone.counters.size) return counters.some((c) => (c.services || []).includes(s.code));
    return true;
  }
  function callOf(ticket) {
    if (!ticket || ticket.counter === null || ticket.counter === undefined) return null;
    return { id: ticket.id, number: ticket.number, counter: ticket.counter, service: ticket.service };
  }

  // --- following the hub ------------------------------------------------------------------
  async function load() {
    if (held === null) held = [];
    try {
      const before = Date.now();
      const answer = await fetch("/api/v1/state", { cache: "no-store" });
      if (!answer.ok) throw new Error("HTTP " + answer.status);
      const date = Date.parse(answer.headers.get("Date") || "");
      // Date is truncated to the second: its middle is half a second later.
      if (!Number.isNaN(date)) offset = date + 500 - (before + Date.now()) / 2;
      const state = await answer.json();
      office.day = state.day;
      office.services = new Map(state.services.map((s) => [s.code, s]));
      office.counters = new Map(state.counters.map((c) => [c.number, c]));
      office.notice = state.notice || {};
      office.lastId = state.last_event_id;
      calls = (state.recent_calls || []).map(callOf).filter((c) => c && hasCall(c));
      calls = calls.slice(0, cfg.recent + 1);
      highlightUntil = 0;
      loaded = true;
      const waiting = held;
      held = null;
      waiting.forEach(apply);
      setOnline(true);
      render();
      follow();
    } catch (e) {
      const waiting = held || [];
      held = null;
      waiting.forEach(apply);
      setOnline(false);
      follow();  // once the stream connects, the hub is back: load then
      setTimeout(() => { if (!loaded) load(); }, 5000);
    }
  }

  function follow() {
    if (source) return;
    const after = office.lastId === null ? "" : "&after=" + office.lastId;
    source = new EventSource("/api/v1/events?topics=ticket,counter,day,notice" + after);
    let dropped = false;
    source.onopen = () => {
      // Back after a cut (or a hub restored from a backup): take the true state again.
      if (dropped || !loaded) load(); else setOnline(true);
      dropped = false;
    };
    source.onerror = () => { dropped = true; setOnline(false); };
    for (const type of TYPES) {
      source.addEventListener(type, (message) => {
        let data;
        try { data = JSON.parse(message.data); } catch (e) { return; }
        data.id = Number(message.lastEventId || data.id);
        data.type = type;
        if (held !== null) held.push(data); else { apply(data); render(); }
      });
    }
  }

  function apply(e) {
    if (office.lastId !== null && e.id <= office.lastId) return;  // the snapshot holds it
    office.lastId = e.id;
    const topic = e.type.split(".")[0];
    if (topic === "day") {
      office.day = e.day || office.day;
      for (const [n, c] of office.counters) office.counters.set(n, { ...c, current: null });
      calls = [];
      highlightUntil = 0;
    }
    if (e.notice) office.notice = e.notice;
    if (e.counter) office.counters.set(e.counter.number, e.counter);
    for (const s of e.services || []) office.services.set(s.code, s);
    if (!CALLS.includes(e.type)) return;
    const call = callOf(e.ticket);
    if (!call || !hasCall(call)) return;
    calls = [call, ...calls.filter((c) => c.id !== call.id)].slice(0, cfg.recent + 1);
    const age = Date.now() + offset - Date.parse(e.at || "");
    if (!(age > cfg.stale_s * 1000)) highlightUntil = Date.now() + cfg.highlight_s * 1000;
  }

  function setOnline(value) {
    if (value === online) return;
    online = value;
    $("offline").hidden = value;
  }

  // --- drawing ----------------------------------------------------------------------------
  function cell(cls, text) {
    const el = document.createElement("div");
    el.className = cls;
    el.textContent = text;
    return el;
  }
  function pair(el, vi, en) {
    const b = document.createElement("b");
    b.textContent = vi;
    const s = document.createElement("span");
    s.textContent = " " + en;
    el.replaceChildren(b, s);
  }

  function render() {
    const latest = calls[0];
    const counter = $("call-counter");
    counter.classList.toggle("quiet", !latest);
    $("call-number").textContent = latest ? latest.number : "";
    if (latest) {
      const [vi, en] = T["Counter {number}"];
      pair(counter, fill(vi, { number: latest.counter }), fill(en, { number: latest.counter }));
    } else {
      pair(counter, ...T[loaded ? "No calls yet" : "Connecting to the hub…"]);
    }
    lit();

    const recent = [];
    for (const c of calls.slice(1, 7)) {
      recent.push(cell("num", c.number), cell("to", fill(T["Counter {number}"][0], { number: c.counter })));
    }
    $("recent").replaceChildren(...recent);

    const counters = [...office.counters.values()]
      .filter((c) => c.state !== "closed" && hasCounter(c))
      .sort((a, b) => a.number - b.number);
    const box = $("counters");
    const rows = Math.max(1, Math.floor(box.parentElement.clientHeight / (78 * unit()) - 1));
    const compact = counters.length > rows;
    box.classList.toggle("compact", compact);
    box.style.setProperty("--cols", String(Math.ceil(counters.length / Math.max(1, rows + 1))));
    const cells = [];
    for (const c of counters) {
      cells.push(cell("name", compact ? String(c.number) : (c.name || String(c.number))));
      if (c.state === "paused") cells.push(cell("num paused", T["Paused"][0]));
      else cells.push(cell("num", c.current ? c.current.number : "—"));
    }
    box.replaceChildren(...cells);

    const inZone = [...office.counters.values()].filter(hasCounter);
    const services = [...office.services.values()]
      .filter((s) => hasService(s, inZone))
      .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    const waiting = [];
    for (const s of services) waiting.push(cell("name", s.name_vi || s.code), cell("num", String(s.waiting || 0)));
    $("waiting").classList.toggle("many", services.length > 4);
    $("waiting").replaceChildren(...waiting);

    const notice = [office.notice.text_vi, office.notice.text_en].filter(Boolean).join("      •      ");
    $("ticker").hidden = !notice;
    if ($("notice").textContent !== notice) {
      const span = $("notice");
      span.textContent = notice;
      // About 140 px a second at 1080p, as the display app scrolls; a new notice starts at the
      // left edge, readable at once (the span's padding is the ticker's width: skip it).
      const seconds = span.offsetWidth / (140 * unit());
      const skip = seconds * $("ticker").clientWidth / Math.max(1, span.offsetWidth);
      $("ticker").style.setProperty("--scroll", seconds.toFixed(2) + "s");
      $("ticker").style.setProperty("--delay", (-skip).toFixed(2) + "s");
    }
  }

  function unit() { return Math.min(window.innerWidth, window.innerHeight) / 1080; }

  function lit() { $("call").classList.toggle("lit", Date.now() < highlightUntil); }

  const TIME = new Intl.DateTimeFormat("en-GB", { timeZone: cfg.timezone, hour: "2-digit",
    minute: "2-digit", hour12: false });
  const DATE = new Intl.DateTimeFormat("en-GB", { timeZone: cfg.timezone, weekday: "short",
    day: "2-digit", month: "2-digit", year: "numeric" });

  function tick() {
    const now = new Date(Date.now() + offset);  // the hub's clock
    $("clock").textContent = TIME.format(now);
    const parts = Object.fromEntries(DATE.formatToParts(now).map((p) => [p.type, p.value]));
    $("date").textContent = `${WEEKDAYS[parts.weekday] || ""}, ${parts.day}/${parts.month}/${parts.year}`;
    lit();
  }

  window.addEventListener("resize", render);
  tick();
  setInterval(tick, 500);
  load();
})();
