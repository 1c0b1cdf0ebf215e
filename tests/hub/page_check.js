// For every visible text: its colour against the first opaque background behind it (the
// opacity of the element and its ancestors blended in), as WCAG computes contrast; and every
// form control a person uses must have a name (a label, aria-label, or its own text).
// Evaluated by tests/hub/test_console_browser.py; returns {low: [...], unnamed: [...]}.
() => {
  const rgba = (s) => { const m = s.match(/[\d.]+/g).map(Number); return m.length === 3 ? [...m, 1] : m; };
  const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, a, bottom) => top.map((c, i) => c * a + bottom[i] * (1 - a));
  function background(el) {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0.99) return c.slice(0, 3);
    }
    return [255, 255, 255];
  }
  function opacity(el) { let o = 1; for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity); return o; }
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el.getClientRects().length) continue;
    const bg = background(el);
    const fg = rgba(getComputedStyle(el).color);
    const seen = over(fg.slice(0, 3), fg[3] * opacity(el), bg);
    const [a, b] = [lum(seen), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) low.push(n.textContent.trim().slice(0, 40) + " " + ratio.toFixed(2));
  }
  const unnamed = [];
  for (const c of document.querySelectorAll("input:not([type=hidden]), select, textarea, button")) {
    const named = (c.id && document.querySelector(`label[for="${c.id}"]`)) || c.closest("label") ||
      c.getAttribute("aria-label") || c.innerText.trim();
    if (!named) unnamed.push(c.outerHTML.slice(0, 80));
  }
  return {low, unnamed};
}
