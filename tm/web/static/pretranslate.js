// The pre-translate page: analysis and draft side by side; downloads of the draft.
"use strict";

(() => {
  const text = document.getElementById("pt-text");
  const url = document.getElementById("pt-url");
  const file = document.getElementById("pt-file");
  const buttons = [document.getElementById("pt-text-dl"), document.getElementById("pt-tmx-dl")];
  const NAMES = {en: "English", ru: "Russian"};
  let last = null;

  // the service says which filled segments need a look (`marked`); older drafts: under 100%
  function needsTranslator(seg) {
    return seg.target === null || (seg.marked !== undefined ? !!seg.marked : seg.match !== 100);
  }

  function request() {
    const body = {min_fill: Number(document.getElementById("pt-min").value) || 75};
    const chosen = document.getElementById("pt-lang").value;
    if (chosen) body.lang = chosen;
    if (url.value.trim()) body.url = url.value.trim();
    else if (/^\s*</.test(text.value)) body.html = text.value;
    else body.text = text.value;
    return body;
  }

  function render(data) {
    const analysis = document.getElementById("pt-analysis");
    analysis.textContent = "";
    for (const row of data.analysis) {
      const tr = desk.el("tr", row.band === "total" ? "total" : "");
      for (const v of [row.band, row.segments, row.words, row.percent]) tr.append(desk.el("td", "", v));
      analysis.append(tr);
    }
    document.getElementById("pt-src-h").textContent = NAMES[data.lang] || data.lang;
    document.getElementById("pt-tgt-h").textContent = "Draft (" + (NAMES[data.target_lang] || data.target_lang) + ")";
    const body = document.getElementById("pt-segments");
    body.textContent = "";
    for (const seg of data.segments) {
      const check = needsTranslator(seg);
      const tr = desk.el("tr", seg.target === null ? "nomatch" : (check ? "fuzzy" : "full"));
      tr.append(desk.el("td", "n", seg.n + 1), desk.el("td", "side", seg.source));
      const m = desk.el("td", "m");
      m.append(desk.el("span", "badge", seg.match ? seg.match + "%" : "no match"));
      for (const r of seg.repaired || []) m.append(desk.el("small", "note", "repaired " + r.join(" → ")));
      for (const u of seg.unrepaired || []) m.append(desk.el("small", "note bad", "check " + u));
      tr.append(m);
      const target = desk.el("td", "side", seg.target === null ? seg.source : seg.target);
      if (seg.target === null) target.classList.add("untranslated");
      if (seg.reference) {  // under the fill threshold: the best match, to read, not pasted
        target.append(desk.el("small", "reference", "reference " + seg.match + "%: " + seg.reference));
      }
      tr.append(target);
      body.append(tr);
    }
    document.getElementById("pt-result").hidden = false;
  }

  document.getElementById("pt-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    desk.status("Pre-translating…");
    try {
      last = request();
      const data = await (await desk.api("POST", "/api/pretranslate", last)).json();
      render(data);
      buttons.forEach((b) => { b.disabled = false; });
      const left = data.segments.filter(needsTranslator).length;
      desk.status(data.segments.length + " segments; " + left + " need a translator (marked)");
    } catch (err) {
      desk.status(err.message, true);
    }
  });

  async function download(fmt) {
    try {
      const resp = await desk.api("POST", "/api/pretranslate/draft?format=" + fmt, last);
      const name = (resp.headers.get("content-disposition") || "").match(/filename="([^"]+)"/);
      desk.download(await resp.blob(), name ? name[1] : "draft." + fmt);
    } catch (err) {
      desk.status(err.message, true);
    }
  }
  buttons[0].addEventListener("click", () => download("text"));
  buttons[1].addEventListener("click", () => download("tmx"));

  file.addEventListener("change", () => {
    const f = file.files[0];
    if (!f) return;
    const reader = new FileReader();
    reader.onload = () => { text.value = reader.result; url.value = ""; desk.status(f.name + " loaded"); };
    reader.onerror = () => desk.status("cannot read " + f.name, true);
    reader.readAsText(f);
  });
})();
