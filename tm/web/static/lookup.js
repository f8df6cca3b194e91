// The lookup page: debounced search as you type, hits grouped by kind, keyboard copy.
"use strict";

(() => {
  const q = document.getElementById("q");
  const mode = document.getElementById("mode");
  const lang = document.getElementById("lang");
  const results = document.getElementById("results");
  const tpl = document.getElementById("hit-tpl");
  const GROUPS = {exact: "Exact matches", fuzzy: "Fuzzy matches", concordance: "Concordance",
                  semantic: "Similar meaning"};
  let timer = null, controller = null, hits = [];

  // A semantic neighbour's calibrated similarity in words, as the server words it for the CLI
  // too (tm.search.similarity.meaning): a bare 0.00 would read as "not similar".
  function scoreText(hit) {  // a match % only where there is one (exact, fuzzy)
    if (hit.kind === "semantic") return hit.meaning || "similar meaning";
    return typeof hit.match === "number" ? hit.match + "%" : "";
  }

  function scoreTitle(hit) {
    return hit.kind === "semantic" && typeof hit.similarity === "number"
      ? "calibrated similarity " + hit.similarity.toFixed(2) +
        ": how likely this unit says what the query says" : "";
  }

  function card(hit, n) {
    const node = tpl.content.firstElementChild.cloneNode(true);
    const other = hit.lang === "en" ? "ru" : "en";
    node.dataset.n = n;
    node.classList.add("kind-" + hit.kind);
    node.querySelector(".score").textContent = scoreText(hit);
    node.querySelector(".score").title = scoreTitle(hit);
    node.querySelector(".kind").textContent = hit.kind + (hit.part ? " (one sentence of the unit)" : "");
    if (hit.unreviewed) {  // an aligned unit under the weak threshold nobody has edited
      const mark = node.querySelector(".unreviewed");
      mark.textContent = hit.unreviewed;
      mark.hidden = false;
    }
    const link = node.querySelector(".unit-link");
    link.textContent = "#" + hit.id;
    link.href = "/units/" + encodeURIComponent(hit.id);
    const doc = node.querySelector(".doc");
    if (hit.doc_id !== null && hit.doc_id !== undefined) {
      const a = desk.el("a", "", hit.doc || "document " + hit.doc_id);
      a.href = /^https?:\/\//.test(hit.doc_url || "") ? hit.doc_url : "/documents/" + hit.doc_id;
      if (hit.doc_url) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
      doc.append(a);
      if (hit.doc_date) doc.append(document.createTextNode(" · " + hit.doc_date));
    }
    const src = node.querySelector(".src"), tgt = node.querySelector(".tgt");
    src.lang = hit.lang; tgt.lang = other;
    const fuzzy = hit.kind === "fuzzy" && !hit.part;
    desk.marked(src, hit[hit.lang], fuzzy ? hit.diff : hit.spans, fuzzy ? "diff" : "term");
    desk.marked(tgt, hit[other], hit.translation_span ? [hit.translation_span] : [], "term");
    tgt.addEventListener("click", () => desk.copy(hit[other]));
    return node;
  }

  function render(data) {
    results.textContent = "";
    hits = data.hits;
    if (!hits.length) { desk.status("No match for this query."); return; }
    desk.status(hits.length + (hits.length === 1 ? " hit" : " hits"));
    const sections = new Map();
    hits.forEach((hit, n) => {
      if (!sections.has(hit.kind)) {
        const sec = desk.el("section", "group");
        sec.append(desk.el("h2", "", GROUPS[hit.kind] || hit.kind));
        sections.set(hit.kind, sec);
        results.append(sec);
      }
      sections.get(hit.kind).append(card(hit, n));
    });
  }

  async function run() {
    const query = q.value.trim();
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    if (mode.value !== "auto") params.set("mode", mode.value);
    if (lang.value) params.set("lang", lang.value);
    history.replaceState(null, "", params.toString() ? "/?" + params : "/");
    if (controller) controller.abort();
    if (!query) { results.textContent = ""; hits = []; desk.status(""); return; }
    controller = new AbortController();
    params.set("mode", mode.value);
    try {
      const resp = await fetch("/api/search?" + params, {signal: controller.signal,
                                                          credentials: "same-origin"});
      const data = await resp.json();
      if (!resp.ok) throw new Error(data.error || resp.statusText);
      render(data);
    } catch (e) {
      if (e.name !== "AbortError") { results.textContent = ""; desk.status(e.message, true); }
    }
  }

  function soon() { clearTimeout(timer); timer = setTimeout(run, 250); }

  function focusHit(n) {
    const cards = results.querySelectorAll(".hit");
    if (!cards.length) return;
    const i = Math.max(0, Math.min(cards.length - 1, n));
    cards.forEach((c) => c.classList.remove("selected"));
    cards[i].classList.add("selected");
    cards[i].focus();
  }

  function copyHit(n) {
    const hit = hits[n];
    if (hit) desk.copy(hit[hit.lang === "en" ? "ru" : "en"]);
  }

  document.getElementById("lookup").addEventListener("submit", (e) => { e.preventDefault(); run(); });
  q.addEventListener("input", soon);
  mode.addEventListener("change", run);
  lang.addEventListener("change", run);
  q.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { e.preventDefault(); focusHit(0); }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); copyHit(0); }
  });
  results.addEventListener("keydown", (e) => {
    const card = e.target.closest(".hit");
    if (!card) return;
    const n = Number(card.dataset.n);
    if (e.key === "ArrowDown" || e.key === "j") { e.preventDefault(); focusHit(n + 1); }
    if (e.key === "ArrowUp" || e.key === "k") {
      e.preventDefault();
      if (n === 0) q.focus(); else focusHit(n - 1);
    }
    if (e.key === "Enter" || e.key === "c") { e.preventDefault(); copyHit(n); }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && document.activeElement !== q) { e.preventDefault(); q.focus(); q.select(); }
  });
  if (q.value.trim()) run();
})();
