// The alignment editor page: load beads, show them, apply corrections (editor-ops.js), keep
// the state in this page and in localStorage until it is saved. Text only via textContent.
"use strict";

(() => {
  const root = document.getElementById("editor");
  const list = document.getElementById("ed-beads");
  const weakBelow = Number(root.dataset.weakBelow) || 0.5;
  let state = null;        // the beads being edited
  let base = null;         // as loaded from the server (for "discard")
  let past = [], future = [];
  const cur = {bead: 0, side: null, pos: 0};
  let editing = false;
  let marks = [];          // sentences marked for a link: {side, index}
  const actions = document.getElementById("ed-actions");
  const actionsHome = actions.parentNode;
  const actionsNext = actions.nextSibling;
  const narrow = window.matchMedia("(max-width: 700px)");

  // ---------------------------------------------------------------- persistence
  function key() {
    return "diptych-editor:" + (state.doc_id ? "doc:" + state.doc_id : "fp:" + (state.fingerprint || "new"));
  }
  function persist() {
    try { localStorage.setItem(key(), JSON.stringify({state, at: new Date().toISOString()})); }
    catch (e) { /* storage full or off: the page still holds the state */ }
  }
  function forget() { try { localStorage.removeItem(key()); } catch (e) { /* ignore */ } }

  function load(data, fromServer) {
    state = data;
    state.weak_below = state.weak_below || weakBelow;
    for (const x of state.beads) { x.checked = !!x.checked; x.edited = !!x.edited; }
    base = JSON.parse(JSON.stringify(state));
    past = []; future = [];
    const notice = document.getElementById("ed-restored");
    notice.hidden = true;
    if (fromServer) {
      let kept = null;
      try { kept = JSON.parse(localStorage.getItem(key()) || "null"); } catch (e) { kept = null; }
      const same = (a, b) => ["src", "tgt", "beads", "title", "url", "date"].every(
        (k) => JSON.stringify(a[k] ?? "") === JSON.stringify(b[k] ?? ""));
      if (kept && kept.state && !same(kept.state, state)) {
        state = kept.state;
        notice.querySelector("span").textContent = "Restored the corrections you had not saved yet (kept in this browser since " +
          new Date(kept.at).toLocaleString() + ").";
        notice.hidden = false;
      }
    }
    for (const [id, field] of [["ed-title", "title"], ["ed-url", "url"], ["ed-date", "date"]]) {
      document.getElementById(id).value = state[field] || "";
    }
    document.getElementById("ed-weak").value = state.weak_below.toFixed(2);
    document.getElementById("ed-work").hidden = false;
    const q = edOps.queue(state);
    cur.bead = q.length ? q[0] : 0; cur.side = null;
    render();
    list.focus();
  }

  // ---------------------------------------------------------------- rendering
  function shade(x) {
    if (edOps.isOmission(x)) return "";
    if (x.score === null || x.score === undefined) return "hsl(210,60%,96%)";
    if (x.score < state.weak_below) return "#fff4d6";
    const hue = 40 + 80 * Math.max(0, Math.min(1, x.score));
    return `hsl(${hue.toFixed(0)},60%,95%)`;
  }

  function label(x) {
    if (edOps.isOmission(x)) return x.src.length ? "no Russian" : "no English";
    if (x.edited) return "edited";
    const s = x.score === null || x.score === undefined ? "" : x.score.toFixed(2);
    return x.score < state.weak_below ? s + " weak" : s;
  }

  function sideCell(x, b, side) {
    const cell = desk.el("div", "side " + (side === "src" ? "en" : "ru"));
    cell.lang = side === "src" ? "en" : "ru";
    if (!x[side].length) cell.append(desk.el("span", "none", "—"));
    x[side].forEach((i, pos) => {
      const sel = cur.bead === b && cur.side === side && cur.pos === pos;
      const marked = marks.some((m) => m.side === side && m.index === i);
      const span = desk.el("span", "sent" + (sel ? " sel" : "") + (marked ? " marked" : ""), state[side][i]);
      span.dataset.side = side; span.dataset.b = b; span.dataset.pos = pos;
      span.title = (side === "src" ? "English" : "Russian") + " sentence " + (i + 1);
      cell.append(span, document.createTextNode(" "));
    });
    return cell;
  }

  function render() {
    cur.bead = Math.max(0, Math.min(cur.bead, state.beads.length - 1));  // after an undo
    const at = state.beads[cur.bead];
    if (cur.side !== null && (!at || cur.pos >= at[cur.side].length)) cur.side = null;
    const q = edOps.queue(state);
    if (actions.parentNode === list) actionsHome.insertBefore(actions, actionsNext);
    list.textContent = "";
    state.beads.forEach((x, b) => {
      const cls = ["bead"];
      if (edOps.isOmission(x)) cls.push("omit");
      else if (x.score !== null && x.score < state.weak_below && !x.edited) cls.push("weak");
      if (x.edited) cls.push("edited");
      if (q.includes(b)) cls.push("todo");
      if (b === cur.bead) cls.push("current");
      const row = desk.el("div", cls.join(" "));
      row.dataset.b = b;
      row.setAttribute("role", "option");
      row.setAttribute("aria-selected", b === cur.bead ? "true" : "false");
      row.style.background = shade(x);
      row.append(desk.el("div", "bn", b + 1), sideCell(x, b, "src"), sideCell(x, b, "tgt"),
                 desk.el("div", "conf", label(x)));
      list.append(row);
    });
    document.getElementById("ed-queue-count").textContent = q.length;
    const chips = document.getElementById("ed-queue");
    chips.textContent = "";
    for (const b of q) {
      const x = state.beads[b];
      const chip = desk.el("li", b === cur.bead ? "current" : "");
      const go = desk.el("button", "quiet", `#${b + 1} ${label(x)}`);
      go.type = "button"; go.dataset.b = b;
      chip.append(go);
      chips.append(chip);
    }
    const paired = state.beads.filter((x) => !edOps.isOmission(x)).length;
    document.getElementById("ed-summary").textContent =
      `${state.beads.length} beads, ${paired} to store · ${state.src.length} English / ${state.tgt.length} Russian sentences`;
    for (const [op, off] of [["undo", !past.length], ["redo", !future.length]]) {
      actions.querySelector(`[data-op="${op}"]`).disabled = off;
    }
    const row = list.querySelector(".bead.current");
    // on a phone the corrections stay beside the selected bead, not a screen away
    if (narrow.matches && row) row.after(actions);
    else if (actions.parentNode !== actionsHome) actionsHome.insertBefore(actions, actionsNext);
    if (row) row.scrollIntoView({block: "nearest"});
  }

  // ---------------------------------------------------------------- corrections
  function apply(fn) {
    let next;
    try { next = fn(state); } catch (e) { desk.status(e.message, true); return; }
    if (next === state) return;
    past.push(state); future = [];
    if (past.length > 500) past.shift();
    state = next;
    desk.status("");
    persist();
    render();
  }

  function selected() {
    if (cur.side === null) throw new Error("select a sentence first (click it, or ←/→)");
    const x = state.beads[cur.bead];
    return [cur.bead, cur.side, cur.pos, x[cur.side][cur.pos]];
  }

  const OPS = {
    join: () => apply((s) => edOps.join(s, cur.bead)),
    split: () => apply((s) => {
      if (cur.side === null) {  // no sentence chosen: after the first of the longer side
        const x = s.beads[cur.bead];
        return edOps.split(s, cur.bead, x.src.length >= x.tgt.length ? "src" : "tgt", 0);
      }
      return edOps.split(s, cur.bead, cur.side, cur.pos);
    }),
    up: () => apply((s) => {
      const [b, side, pos] = selected();
      const next = edOps.move(s, b, side, pos, -1);
      cur.bead = b - 1; cur.pos = next.beads[b - 1][side].length - 1;
      return next;
    }),
    down: () => apply((s) => {
      const [b, side, pos] = selected();
      const next = edOps.move(s, b, side, pos, +1);
      const to = next.beads.length < s.beads.length ? b : b + 1;
      cur.bead = to; cur.pos = 0;
      return next;
    }),
    omit: () => apply((s) => {
      const [b, side, pos] = selected();
      const next = edOps.omit(s, b, side, pos);
      cur.bead = pos === 0 ? b : b + 1; cur.pos = 0;
      return next;
    }),
    accept: () => { apply((s) => edOps.accept(s, cur.bead)); OPS.next(); },
    mark: () => {
      let index, side;
      try { [, side, , index] = selected(); } catch (e) { desk.status(e.message, true); return; }
      const at = marks.findIndex((m) => m.side === side && m.index === index);
      if (at >= 0) marks.splice(at, 1); else marks.push({side, index});
      desk.status(marks.length ? `${marks.length} marked: select the sentence to link them with and press Link (l)` : "");
      render();
    },
    link: () => {
      const all = marks.slice();
      if (cur.side !== null) {
        const index = state.beads[cur.bead][cur.side][cur.pos];
        if (!all.some((m) => m.side === cur.side && m.index === index)) all.push({side: cur.side, index});
      }
      const before = state;
      apply((s) => edOps.link(s, all));
      if (state === before) return;
      marks = [];
      const first = all[0];
      cur.bead = state.beads.findIndex((x) => x[first.side].includes(first.index));
      cur.side = null;
      render();
    },
    add: () => {
      const form = document.getElementById("ed-add");
      form.hidden = false;
      document.getElementById("ed-add-en").focus();
    },
    edit: () => startEdit(),
    undo: () => { if (past.length) { future.push(state); state = past.pop(); persist(); render(); } },
    redo: () => { if (future.length) { past.push(state); state = future.pop(); persist(); render(); } },
    next: () => jump(+1),
    prev: () => jump(-1),
  };

  function jump(dir) {
    const q = edOps.queue(state);
    if (!q.length) { desk.status("Nothing left to review."); return; }
    const after = dir > 0 ? q.find((b) => b > cur.bead) : q.slice().reverse().find((b) => b < cur.bead);
    cur.bead = after === undefined ? (dir > 0 ? q[0] : q[q.length - 1]) : after;
    cur.side = null;
    render();
  }

  function startEdit() {
    let b, side, pos, index;
    try { [b, side, pos, index] = selected(); } catch (e) { desk.status(e.message, true); return; }
    const span = list.querySelector(`.sent[data-b="${b}"][data-side="${side}"][data-pos="${pos}"]`);
    const area = desk.el("textarea", "sent-edit");
    area.value = state[side][index];
    area.rows = Math.max(2, Math.ceil(area.value.length / 60));
    area.setAttribute("aria-label", "Sentence text");
    span.replaceWith(area);
    editing = true;
    area.focus();
    let done = false;
    const finish = (keep) => {
      if (done) return;
      done = true; editing = false;
      if (keep) apply((s) => edOps.edit(s, side, index, area.value)); else render();
      list.focus();
    };
    area.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); finish(true); }
      if (e.key === "Escape") { e.preventDefault(); finish(false); }
      e.stopPropagation();
    });
    area.addEventListener("blur", () => finish(true));
  }

  // ---------------------------------------------------------------- events
  actions.addEventListener("click", (e) => { if (e.target.closest("[data-op]")) e.stopPropagation(); handleOp(e); });
  document.getElementById("ed-tools").addEventListener("click", handleOp);
  function handleOp(e) {
    const op = e.target.closest("[data-op]");
    if (op && state) { OPS[op.dataset.op](); if (!["edit", "add"].includes(op.dataset.op)) list.focus(); }
  }

  document.getElementById("ed-add").addEventListener("submit", (e) => {
    e.preventDefault();
    const en = document.getElementById("ed-add-en"), ru = document.getElementById("ed-add-ru");
    const before = state;
    apply((s) => edOps.addUnit(s, cur.bead, en.value, ru.value));
    if (state === before) return;
    en.value = ""; ru.value = "";
    e.target.hidden = true;
    cur.bead = Math.min(cur.bead + 1, state.beads.length - 1); cur.side = null;
    render();
    list.focus();
  });
  document.getElementById("ed-add-cancel").addEventListener("click", () => {
    document.getElementById("ed-add").hidden = true; list.focus();
  });

  document.getElementById("ed-queue").addEventListener("click", (e) => {
    const go = e.target.closest("button[data-b]");
    if (go) { cur.bead = Number(go.dataset.b); cur.side = null; render(); list.focus(); }
  });

  list.addEventListener("mousedown", (e) => {
    if (editing || e.target.closest("#ed-actions")) return;
    e.preventDefault(); list.focus();
  });
  list.addEventListener("click", (e) => {
    if (editing) return;
    const sent = e.target.closest(".sent");
    const row = e.target.closest(".bead");
    if (!row) return;
    cur.bead = Number(row.dataset.b);
    if (sent) { cur.side = sent.dataset.side; cur.pos = Number(sent.dataset.pos); } else cur.side = null;
    render();
  });
  list.addEventListener("dblclick", (e) => { if (e.target.closest(".sent")) startEdit(); });

  function step(dir) {  // the sentences of the current bead, English then Russian
    const x = state.beads[cur.bead];
    const all = x.src.map((_, p) => ["src", p]).concat(x.tgt.map((_, p) => ["tgt", p]));
    if (!all.length) return;
    let i = all.findIndex(([s, p]) => s === cur.side && p === cur.pos);
    i = i < 0 ? (dir > 0 ? 0 : all.length - 1) : (i + dir + all.length) % all.length;
    [cur.side, cur.pos] = all[i];
    render();
  }

  const KEYS = {j: "join", s: "split", "[": "up", "]": "down", o: "omit", e: "edit", a: "accept",
                u: "undo", r: "redo", n: "next", p: "prev", m: "mark", l: "link", "+": "add"};
  document.addEventListener("keydown", (e) => {
    if (!state || editing) return;
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") { e.preventDefault(); save(); return; }
    if (e.target.closest && e.target.closest("input, textarea, select, button, a, summary")) return;
    if (e.ctrlKey || e.metaKey) {
      const k = e.key.toLowerCase();
      if (k === "z" && !e.shiftKey) { e.preventDefault(); OPS.undo(); }
      else if (k === "y" || (k === "z" && e.shiftKey)) { e.preventDefault(); OPS.redo(); }
      return;
    }
    if (e.altKey) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      cur.bead = Math.max(0, Math.min(state.beads.length - 1, cur.bead + (e.key === "ArrowDown" ? 1 : -1)));
      cur.side = null; render();
    } else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault(); step(e.key === "ArrowRight" ? 1 : -1);
    } else if (e.key === "Enter" && cur.side !== null) {
      e.preventDefault(); startEdit();
    } else if (KEYS[e.key]) {
      e.preventDefault(); OPS[KEYS[e.key]]();
    }
  });

  document.getElementById("ed-weak").addEventListener("change", (e) => {
    const v = Number(e.target.value);
    if (state && v >= 0 && v <= 1) { state.weak_below = v; persist(); render(); }
  });

  for (const [id, field] of [["ed-title", "title"], ["ed-url", "url"], ["ed-date", "date"]]) {
    document.getElementById(id).addEventListener("input", (e) => {
      if (state) { state[field] = e.target.value; persist(); }
    });
  }

  document.getElementById("ed-discard").addEventListener("click", () => {
    forget(); load(JSON.parse(JSON.stringify(base)), false);
    desk.status("Discarded the restored corrections.");
  });

  // ---------------------------------------------------------------- save
  async function save(over = false, newCopy = false) {
    const button = document.getElementById("ed-save-btn");
    const error = document.getElementById("ed-error");
    if (button.disabled) return;
    button.disabled = true; error.hidden = true;
    desk.status("Saving…");
    const slow = setTimeout(() => desk.status("Saving… waiting for the memory (another process is writing to it)"), 1500);
    const body = {src: state.src, tgt: state.tgt, doc_id: state.doc_id || null,
                  fingerprint: state.fingerprint || null, title: state.title || "",
                  url: state.url || "", date: state.date || "", sources: state.sources || [],
                  new_copy: newCopy,
                  beads: state.beads.map((x) => ({src: x.src, tgt: x.tgt, score: x.score ?? null, edited: !!x.edited})),
                  // what was read: a colleague's change since is refused (409), not overwritten
                  version: over ? null : state.version ?? null, seen: over ? null : state.seen ?? null};
    document.getElementById("ed-conflict").hidden = true;
    document.getElementById("ed-dup").hidden = true;
    try {
      const r = await (await desk.api("POST", "/api/align/save", body)).json();
      forget();
      const first = !state.doc_id;
      state.doc_id = r.doc_id;
      state.version = r.version; state.seen = r.seen;
      base = JSON.parse(JSON.stringify(state));
      past = []; future = [];
      if (first || location.pathname !== "/editor/documents/" + r.doc_id) history.replaceState(null, "", "/editor/documents/" + r.doc_id);
      const saved = document.getElementById("ed-saved");
      saved.textContent = "";
      saved.append(`Saved as document ${r.doc_id}: ${r.units} units (${r.added} new, ${r.linked} already in the memory` +
                   (r.removed ? `, ${r.removed} replaced units deleted` : "") + "). ");
      const link = desk.el("a", "", "Open the document");
      link.href = "/documents/" + r.doc_id;
      saved.append(link);
      document.getElementById("ed-undo-save").hidden = !r.undoable;
      desk.status("Saved.");
      render();
    } catch (e) {
      if (e.status === 409 && e.body && e.body.duplicate_of) { offerReplace(e.body); desk.status("Not saved yet."); return; }
      error.textContent = "Not saved: " + e.message + " — nothing is lost: your corrections stay in this page" +
        " (and in this browser if you close it). " + (e.status === 409 ?
          "Reload the document to see the change, or save yours over it." :
          "Save again when the memory is free.");
      document.getElementById("ed-conflict").hidden = e.status !== 409;
      error.hidden = false;
      desk.status("Not saved.", true);
      persist();
    } finally {
      clearTimeout(slow);
      button.disabled = document.body.dataset.readOnly === "true";
    }
  }

  document.getElementById("ed-save").addEventListener("submit", (e) => { e.preventDefault(); save(false); });
  document.getElementById("ed-overwrite").addEventListener("click", () => save(true));
  document.getElementById("ed-reload").addEventListener("click", () => {
    forget(); document.getElementById("ed-conflict").hidden = true;
    document.getElementById("ed-error").hidden = true; fetchDocument(state.doc_id);
  });

  // The story is in the memory already (the same pair, or most of its units in one document).
  let offered = null;  // the stored copy as offered: replacing it names the versions read then
  function offerReplace(dup) {
    const box = document.getElementById("ed-dup");
    box.querySelector("span").textContent = dup.error + " ";
    box.dataset.doc = dup.duplicate_of;
    offered = dup;
    box.hidden = false;
  }
  document.getElementById("ed-dup-replace").addEventListener("click", () => {
    const box = document.getElementById("ed-dup");
    box.hidden = true;
    state.doc_id = Number(box.dataset.doc);
    state.version = offered ? offered.version : null;
    state.seen = offered ? offered.seen : null;
    save();
  });
  document.getElementById("ed-dup-new").addEventListener("click", () => {
    document.getElementById("ed-dup").hidden = true;
    save(false, true);
  });

  document.getElementById("ed-undo-save").addEventListener("click", async () => {
    try {
      const r = await (await desk.api("POST", `/api/align/documents/${state.doc_id}/undo`)).json();
      document.getElementById("ed-undo-save").hidden = !r.undoable;
      document.getElementById("ed-saved").textContent = `Undone: document ${r.doc_id} has its ${r.units} earlier units again.`;
      await fetchDocument(state.doc_id);
    } catch (e) { desk.status(e.message, true); }
  });

  // ---------------------------------------------------------------- loading
  async function fetchDocument(id) {
    desk.status("Loading…");
    load(await (await desk.api("GET", "/api/align/documents/" + id)).json(), true);
    desk.status("");
  }

  async function align(body) {
    const go = document.getElementById("ed-align");
    go.disabled = true;
    desk.status("Aligning… (the first alignment also loads the encoder)");
    try {
      load(await (await desk.api("POST", "/api/align", body)).json(), true);
      const warned = state.warnings && state.warnings.length ? " " + state.warnings.join(" ") : "";
      const n = edOps.queue(state).length;
      desk.status(`Aligned: ${n} ${n === 1 ? "bead" : "beads"} to review.` + warned);
      document.getElementById("ed-input-box").open = false;
    } catch (e) { desk.status(e.message, true); } finally { go.disabled = false; }
  }

  function side(name) {
    const where = document.getElementById(`ed-${name}-where`).value.trim();
    const text = document.getElementById(`ed-${name}-text`).value;
    if (where) return /^https?:\/\//i.test(where) ? {url: where} : {path: where};
    return {text};
  }

  const form = document.getElementById("ed-input");
  if (form) {
    form.addEventListener("submit", (e) => { e.preventDefault(); align({en: side("en"), ru: side("ru")}); });
    for (const name of ["en", "ru"]) {
      document.getElementById(`ed-${name}-file`).addEventListener("change", async (e) => {
        const file = e.target.files[0];
        if (file) {
          document.getElementById(`ed-${name}-text`).value = await file.text();
          document.getElementById(`ed-${name}-where`).value = "";
        }
      });
    }
    document.getElementById("ed-pairline").addEventListener("change", (e) => {
      const [en, ru] = e.target.value.split("\t");
      if (!ru) { desk.status("an archive pair is a line EN<TAB>RU<TAB>confidence", true); return; }
      document.getElementById("ed-en-where").value = en.trim();
      document.getElementById("ed-ru-where").value = ru.trim();
    });
  }

  if (root.dataset.docId) fetchDocument(root.dataset.docId).catch((e) => desk.status(e.message, true));
  else if (root.dataset.enPath && root.dataset.ruPath) {
    if (root.dataset.autoload) align({en: side("en"), ru: side("ru")});
    else desk.status("Not aligned yet: this page was opened from another site. Check the two editions and press Align.", true);
  }
})();
