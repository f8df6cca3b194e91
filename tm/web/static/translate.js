// The translate page: a story segment by segment. Each segment is an editable field with its
// matches, term translations and number repairs beside it; a confirmed segment goes to the
// memory at once (POST /api/translate/confirm) and the segments after it are looked up again.
// The work is kept in localStorage, so a reload loses nothing. Text only via textContent.
"use strict";

(() => {
  const KEY = "diptych-translate";
  const list = document.getElementById("tr-segments");
  const NAMES = {en: "English", ru: "Russian"};
  let work = null;  // {story, data, targets: [str], done: [bool], stale: [bool], cur}

  function persist() {
    try { localStorage.setItem(KEY, JSON.stringify(work)); } catch (e) { /* full or off */ }
  }

  function request() {
    const body = {min_fill: Number(document.getElementById("tr-min").value) || 75};
    const chosen = document.getElementById("tr-lang").value;
    const url = document.getElementById("tr-url").value.trim();
    const text = document.getElementById("tr-text").value;
    if (chosen) body.lang = chosen;
    if (url) body.url = url;
    else if (/^\s*</.test(text)) body.html = text;
    else body.text = text;
    const title = document.getElementById("tr-title").value.trim();
    if (title) body.title = title;
    return body;
  }

  function start(data, story) {
    work = {story, data, cur: 0,
            targets: data.segments.map((s) => s.confirmed ?? s.draft ?? ""),
            done: data.segments.map((s) => s.confirmed !== null && s.confirmed !== undefined),
            stale: data.segments.map(() => false)};
    const first = work.done.indexOf(false);
    work.cur = first < 0 ? 0 : first;
    persist();
    show();
  }

  // ---------------------------------------------------------------- rendering
  function best(seg) { return seg.matches && seg.matches.length ? seg.matches[0].match : 0; }

  function badge(n) {
    const seg = work.data.segments[n];
    if (work.done[n]) return desk.el("span", "badge ok", "✓ confirmed");
    const m = best(seg);
    return desk.el("span", "badge " + (m >= 100 ? "full" : m >= 75 ? "fuzzy" : m ? "low" : "none"),
                   m ? m + "%" : "no match");
  }

  function matchItem(seg, m, i) {
    const li = desk.el("li", "tmatch");
    const head = desk.el("div", "tmhead");
    const use = desk.el("button", "quiet", String(i + 1));
    use.type = "button"; use.dataset.use = i;
    use.title = `Insert match ${i + 1} (Alt+${i + 1})`;
    head.append(use, desk.el("strong", "pct", m.match + "%"),
                desk.el("span", "meta", m.origin + (m.kind === "exact" ? " · exact" : "")));
    for (const r of m.repaired || []) head.append(desk.el("small", "note", "repaired " + r.join(" → ")));
    for (const u of m.unrepaired || []) head.append(desk.el("small", "note bad", "check " + u));
    const src = desk.el("div", "side msrc");
    src.lang = work.data.lang;
    desk.marked(src, m.source, m.diff, "diff");
    const tgt = desk.el("div", "side mtgt", m.target);
    tgt.lang = work.data.target_lang;
    li.append(head, src, tgt);
    return li;
  }

  function helpBox(n) {
    const seg = work.data.segments[n];
    const box = desk.el("div", "thelp");
    const ms = desk.el("ol", "tmatches");
    (seg.matches || []).forEach((m, i) => ms.append(matchItem(seg, m, i)));
    if (!(seg.matches || []).length) box.append(desk.el("p", "meta", "No match in the memory."));
    box.append(ms);
    if ((seg.terms || []).length) {
      const terms = desk.el("p", "tterms");
      terms.append(desk.el("span", "meta", "Terms: "));
      for (const t of seg.terms) {
        const chip = desk.el("span", "chip");
        chip.append(desk.el("mark", "term", t.term), " → ", desk.el("span", "", t.translation));
        terms.append(chip, " ");
      }
      box.append(terms);
    }
    const go = desk.el("button", "", "Confirm");
    go.type = "button"; go.dataset.confirm = n; go.title = "Store it in the memory (Ctrl+Enter)";
    box.append(go);
    return box;
  }

  function row(n) {
    const seg = work.data.segments[n];
    const active = n === work.cur;
    const div = desk.el("div", "tseg" + (active ? " active" : "") + (work.done[n] ? " done" : ""));
    div.dataset.n = n;
    const num = desk.el("div", "tn");
    num.append(desk.el("span", "", n + 1), badge(n));
    // what the draft's numbers went through (the field holds the draft until it is edited)
    if ((seg.repaired || []).length) num.append(desk.el("small", "note", "numbers repaired"));
    for (const u of seg.unrepaired || []) num.append(desk.el("small", "note bad", "check " + u));
    const src = desk.el("div", "side tsrc", seg.source);
    src.lang = work.data.lang;
    const area = desk.el("textarea", "ttgt");
    area.value = work.targets[n];
    area.lang = work.data.target_lang;
    area.rows = Math.max(2, Math.ceil((area.value.length || seg.source.length) / 55));
    area.dataset.n = n;
    area.setAttribute("aria-label", `Translation of segment ${n + 1}`);
    area.placeholder = (NAMES[work.data.target_lang] || work.data.target_lang) + " translation";
    div.append(num, src, area);
    if (active) div.append(helpBox(n));
    return div;
  }

  function fit(area) {  // a field as tall as its text (a phone wraps it in many lines)
    area.style.height = "auto";
    area.style.height = (area.scrollHeight + 4) + "px";
  }

  function show() {
    document.getElementById("tr-work").hidden = false;
    document.getElementById("tr-input-box").open = false;
    list.textContent = "";
    work.data.segments.forEach((_, n) => list.append(row(n)));
    list.querySelectorAll("textarea.ttgt").forEach(fit);
    progress();
  }

  function progress() {
    const done = work.done.filter(Boolean).length;
    document.getElementById("tr-progress").textContent =
      `${work.data.title || "Story"} · ${done} of ${work.data.segments.length} segments confirmed` +
      (work.data.doc_id ? ` · document ${work.data.doc_id}` : "");
  }

  // Bring a row up to date (badge, classes, help) without touching its field: the translator
  // may be typing in it.
  function redraw(n) {
    const div = list.querySelector(`.tseg[data-n="${n}"]`);
    if (!div) return;
    div.classList.toggle("active", n === work.cur);
    div.classList.toggle("done", work.done[n]);
    div.querySelector(".tn .badge").replaceWith(badge(n));
    const help = div.querySelector(".thelp");
    if (help) help.remove();
    if (n === work.cur) div.append(helpBox(n));
    progress();
  }

  async function go(n, focus = true) {
    if (n < 0 || n >= work.data.segments.length) return;
    const before = work.cur;
    work.cur = n;
    persist();
    redraw(before);
    redraw(n);
    const area = list.querySelector(`textarea[data-n="${n}"]`);
    if (focus && area) { area.focus(); area.scrollIntoView({block: "nearest"}); }
    if (work.stale[n]) await refresh(n);
  }

  async function refresh(n) {  // the segment's matches as the memory holds them now
    const seg = work.data.segments[n];
    try {
      const help = await (await desk.api("POST", "/api/translate/segment",
                                         {text: seg.source, lang: work.data.lang})).json();
      seg.matches = help.matches; seg.terms = help.terms; work.stale[n] = false;
      persist();
      redraw(n);
    } catch (e) { desk.status(e.message, true); }
  }

  // ---------------------------------------------------------------- actions
  function insert(i) {
    const seg = work.data.segments[work.cur];
    const m = (seg.matches || [])[i];
    if (!m) { desk.status(`segment ${work.cur + 1} has no match ${i + 1}`, true); return; }
    const area = list.querySelector(`textarea[data-n="${work.cur}"]`);
    area.value = m.target;
    fit(area);
    edited(work.cur, area.value);
    area.focus();
  }

  function edited(n, value) {
    work.targets[n] = value;
    if (work.done[n]) { work.done[n] = false; redraw(n); }
    persist();
  }

  async function confirm(n) {
    const seg = work.data.segments[n];
    const target = work.targets[n].trim();
    if (!target) { desk.status(`segment ${n + 1} has no translation yet`, true); return; }
    try {
      const r = await (await desk.api("POST", "/api/translate/confirm", {
        fingerprint: work.data.fingerprint, lang: work.data.lang, n, source: seg.source,
        target, title: work.data.title || null})).json();
      work.done[n] = true;
      work.data.doc_id = r.doc_id;
      desk.status(`Segment ${n + 1} stored as unit ${r.unit}.`);
      const same = [];
      work.data.segments.forEach((s, k) => {
        if (k !== n && !work.done[k]) { work.stale[k] = true; if (s.source === seg.source) same.push(k); }
      });
      persist();
      redraw(n);
      await Promise.all(same.map((k) => refresh(k)));
      const next = work.done.findIndex((d, k) => !d && k > n);
      await go(next >= 0 ? next : n);
    } catch (e) { desk.status("Not stored: " + e.message, true); }
  }

  async function download(fmt) {
    const body = {lang: work.data.lang, segments: work.data.segments.map((s, n) => (
      {paragraph: s.paragraph, source: s.source, target: work.targets[n], confirmed: work.done[n]}))};
    try {
      const resp = await desk.api("POST", "/api/translate/download?format=" + fmt, body);
      const name = (resp.headers.get("content-disposition") || "").match(/filename="([^"]+)"/);
      desk.download(await resp.blob(), name ? name[1] : "translation." + fmt);
    } catch (e) { desk.status(e.message, true); }
  }

  // ---------------------------------------------------------------- events
  list.addEventListener("input", (e) => {
    if (e.target.matches("textarea.ttgt")) { fit(e.target); edited(Number(e.target.dataset.n), e.target.value); }
  });
  list.addEventListener("focusin", (e) => {
    if (e.target.matches("textarea.ttgt") && Number(e.target.dataset.n) !== work.cur) {
      go(Number(e.target.dataset.n), false);
    }
  });
  list.addEventListener("click", (e) => {
    const use = e.target.closest("[data-use]");
    if (use) { insert(Number(use.dataset.use)); return; }
    const ok = e.target.closest("[data-confirm]");
    if (ok) { confirm(Number(ok.dataset.confirm)); return; }
    const seg = e.target.closest(".tseg");
    if (seg && !e.target.closest("textarea") && Number(seg.dataset.n) !== work.cur) go(Number(seg.dataset.n));
  });
  list.addEventListener("keydown", (e) => {
    if (!work || !e.target.matches("textarea.ttgt")) return;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); confirm(work.cur); }
    else if (e.altKey && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault(); go(work.cur + (e.key === "ArrowDown" ? 1 : -1));
    } else if (e.altKey && /^Digit[1-5]$/.test(e.code)) {
      e.preventDefault(); insert(Number(e.code.slice(5)) - 1);
    } else if (e.key === "Escape") { e.target.blur(); }
  });

  document.getElementById("tr-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = document.getElementById("tr-go");
    button.disabled = true;
    desk.status("Splitting and looking the segments up…");
    try {
      const story = request();
      const data = await (await desk.api("POST", "/api/translate", story)).json();
      start(data, story);
      const done = work.done.filter(Boolean).length;
      desk.status(`${data.segments.length} segments` + (done ? `; ${done} confirmed earlier, from the memory` : "") + ".");
      const area = list.querySelector(`textarea[data-n="${work.cur}"]`);
      if (area) area.focus();
    } catch (err) { desk.status(err.message, true); } finally { button.disabled = false; }
  });
  document.getElementById("tr-text-dl").addEventListener("click", () => download("text"));
  document.getElementById("tr-tmx-dl").addEventListener("click", () => download("tmx"));
  document.getElementById("tr-close").addEventListener("click", () => {
    try { localStorage.removeItem(KEY); } catch (e) { /* ignore */ }
    work = null;
    document.getElementById("tr-work").hidden = true;
    document.getElementById("tr-input-box").open = true;
    desk.status("Closed; the confirmed segments stay in the memory.");
  });
  document.getElementById("tr-file").addEventListener("change", (e) => {
    const f = e.target.files[0];
    if (!f) return;
    f.text().then((t) => {
      document.getElementById("tr-text").value = t;
      document.getElementById("tr-url").value = "";
      desk.status(f.name + " loaded");
    }, () => desk.status("cannot read " + f.name, true));
  });

  try { work = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { work = null; }
  if (work && work.data && work.targets) {
    show();
    desk.status("Your work on this story is back (kept in this browser).");
  }
})();
