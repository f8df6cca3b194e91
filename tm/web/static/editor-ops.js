// The alignment editor's corrections, as pure functions on its state (no page access).
// State: {src: [sentence], tgt: [sentence], beads: [{src: [i], tgt: [j], score, edited,
// checked}], ...}. Every function returns a new state or throws an Error saying why not.
"use strict";

const edOps = (() => {
  const OTHER = {src: "tgt", tgt: "src"};

  function copy(state) { return JSON.parse(JSON.stringify(state)); }

  function bead(state, b) {
    if (b < 0 || b >= state.beads.length) throw new Error("no such bead");
    return state.beads[b];
  }

  function changed(...beads) { for (const x of beads) { x.edited = true; x.checked = true; x.score = null; } }

  function isOmission(x) { return !x.src.length || !x.tgt.length; }

  // Beads to look at: weak or omitted, not yet corrected or accepted (indices, in order).
  function queue(state) {
    const out = [];
    state.beads.forEach((x, i) => {
      if (x.checked || x.edited) return;
      if (isOmission(x) || (x.score !== null && x.score < state.weak_below)) out.push(i);
    });
    return out;
  }

  function join(state, b) {
    const s = copy(state);
    const x = bead(s, b);
    if (b + 1 >= s.beads.length) throw new Error("the last bead has no next bead to join");
    const y = s.beads[b + 1];
    x.src = x.src.concat(y.src);
    x.tgt = x.tgt.concat(y.tgt);
    s.beads.splice(b + 1, 1);
    changed(x);
    return s;
  }

  // Split bead b after its k-th sentence (0-based) on `side`; the other side is cut after
  // the same number of sentences (what is left of it goes to the second bead).
  function split(state, b, side, k) {
    const s = copy(state);
    const x = bead(s, b);
    if (k < 0 || k >= x[side].length - 1) {
      throw new Error("select a sentence that is followed by another one on its side");
    }
    const other = OTHER[side];
    const second = {score: null, edited: true, checked: true};
    second[side] = x[side].slice(k + 1);
    second[other] = x[other].slice(k + 1);
    x[side] = x[side].slice(0, k + 1);
    x[other] = x[other].slice(0, k + 1);
    if (!x.src.length && !x.tgt.length) throw new Error("nothing to split");
    changed(x);
    s.beads.splice(b + 1, 0, second);
    return s;
  }

  // Move the first sentence of a bead's side to the previous bead (dir -1), or its last
  // sentence to the next bead (dir +1).
  function move(state, b, side, pos, dir) {
    const s = copy(state);
    const x = bead(s, b);
    const n = x[side].length;
    if (dir < 0 && pos !== 0) throw new Error("only a bead's first sentence can move to the previous bead");
    if (dir > 0 && pos !== n - 1) throw new Error("only a bead's last sentence can move to the next bead");
    const to = b + dir;
    if (to < 0 || to >= s.beads.length) throw new Error("there is no bead to move it to");
    const y = s.beads[to];
    if (dir < 0) y[side].push(x[side].shift());
    else y[side].unshift(x[side].pop());
    changed(x, y);
    if (!x.src.length && !x.tgt.length) s.beads.splice(b, 1);
    return s;
  }

  // The sentence has no counterpart: it becomes a one-sided bead of its own.
  function omit(state, b, side, pos) {
    const s = copy(state);
    const x = bead(s, b);
    const other = OTHER[side];
    if (!x[other].length) throw new Error("this sentence is already marked as having no counterpart");
    const n = x[side].length;
    if (pos !== 0 && pos !== n - 1) throw new Error("only a bead's first or last sentence can be omitted: split the bead first");
    const alone = {score: null, edited: true, checked: true};
    alone[other] = [];
    alone[side] = [pos === 0 ? x[side].shift() : x[side].pop()];
    changed(x);
    s.beads.splice(pos === 0 ? b : b + 1, 0, alone);
    return s;
  }

  function edit(state, side, index, text) {
    const clean = String(text).replace(/\s+/g, " ").trim();
    if (!clean) throw new Error("a sentence cannot be empty: mark it omitted, or join it to another bead");
    const s = copy(state);
    if (s[side][index] === clean) return state;
    s[side][index] = clean;
    changed(...s.beads.filter((x) => x[side].includes(index)));
    return s;
  }

  function accept(state, b) {
    const s = copy(state);
    bead(s, b).checked = true;
    return s;
  }

  // Link sentences wherever they are: `marks` are {side, index} (at least one a side); they
  // leave their beads and become one bead of their own, where the first of them stood (a link
  // across the order, e.g. two sentences that swapped places, is a unit of its own). Beads
  // left empty go.
  function link(state, marks) {
    const s = copy(state);
    const src = [...new Set(marks.filter((m) => m.side === "src").map((m) => m.index))].sort((a, b) => a - b);
    const tgt = [...new Set(marks.filter((m) => m.side === "tgt").map((m) => m.index))].sort((a, b) => a - b);
    if (!src.length || !tgt.length) throw new Error("mark at least one English and one Russian sentence to link");
    let at = -1;
    s.beads.forEach((x, b) => {
      const before = x.src.length + x.tgt.length;
      x.src = x.src.filter((i) => !src.includes(i));
      x.tgt = x.tgt.filter((j) => !tgt.includes(j));
      if (x.src.length + x.tgt.length !== before) { if (at < 0) at = b; changed(x); }
    });
    const linked = {src, tgt, score: null, edited: true, checked: true};
    const out = [];
    s.beads.forEach((x, b) => {
      if (b === at) out.push(linked);
      if (x.src.length || x.tgt.length) out.push(x);
    });
    s.beads = out;
    return s;
  }

  // A unit written by hand: two new sentences, one a side, as a bead after bead b.
  function addUnit(state, b, en, ru) {
    const clean = (t) => String(t).replace(/\s+/g, " ").trim();
    if (!clean(en) || !clean(ru)) throw new Error("a unit needs an English and a Russian text");
    const s = copy(state);
    s.src.push(clean(en));
    s.tgt.push(clean(ru));
    s.beads.splice(Math.min(b + 1, s.beads.length), 0,
                   {src: [s.src.length - 1], tgt: [s.tgt.length - 1], score: null, edited: true, checked: true});
    return s;
  }

  return {queue, join, split, move, omit, edit, accept, link, addUnit, isOmission};
})();
