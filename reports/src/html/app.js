// Draws the results of report.html from its JSON block (see reports/src/html.rs).
// Every piece of run data reaches the page through textContent, never as markup.
"use strict";
(function () {
  const PAGE_SIZE = 300;
  const DIMENSIONS = ["status", "area", "version", "transport"];
  const ARROWS = { sent: "\u2192", received: "\u2190", event: "\u00b7" };
  const BADGES = { pass: "pass", fail: "fail", warn: "warn", "not-applicable": "n/a", inconclusive: "??" };

  const results = JSON.parse(document.getElementById("run-data").textContent).results;
  const form = document.getElementById("filters");
  const list = document.getElementById("results");
  const shown = document.getElementById("shown");
  const more = document.getElementById("more");
  const boxes = Array.from(form.querySelectorAll("input[type=checkbox]"));
  // The filter checkboxes hold values as the page shows them.
  const filterKeys = results.map(function (r) {
    const keys = {};
    for (const key of DIMENSIONS) keys[key] = visibleText(r[key]);
    return keys;
  });
  const searchText = results.map(function (r) {
    const findings = (r.findings || []).map(function (f) { return f.requirement + " " + f.message; });
    return [r.case_id, r.title, r.requirements.join(" ")].concat(findings).join(" ").toLowerCase();
  });
  let matching = [];
  let drawn = 0;
  let expand = false;

  // Control characters (but line feeds) shown as \u{1b}, as the other reports write them.
  function visibleText(text) {
    return String(text).replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufffe\uffff]/g, function (c) {
      return "\\u{" + c.charCodeAt(0).toString(16) + "}";
    });
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = visibleText(text);
    return node;
  }

  function duration(ms) {
    return ms < 1000 ? ms + "ms" : (ms / 1000).toFixed(2) + "s";
  }

  // The filters are kept in the URL fragment: #status=fail,warn&area=tools&q=ping.
  // A dimension that is absent shows every value; `expand` opens every transcript.
  function readFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    for (const box of boxes) {
      const wanted = params.getAll(box.name).join(",").split(",");
      box.checked = !params.has(box.name) || wanted.indexOf(box.value) >= 0;
    }
    form.elements.q.value = params.get("q") || "";
    expand = params.has("expand");
  }

  function writeFragment() {
    const params = new URLSearchParams();
    for (const key of DIMENSIONS) {
      const group = boxes.filter(function (b) { return b.name === key; });
      const checked = group.filter(function (b) { return b.checked; });
      if (checked.length < group.length) {
        params.set(key, checked.map(function (b) { return b.value; }).join(","));
      }
    }
    const q = form.elements.q.value.trim();
    if (q) params.set("q", q);
    if (expand) params.set("expand", "");
    const fragment = params.toString();
    history.replaceState(null, "", fragment ? "#" + fragment : location.pathname + location.search);
  }

  function apply() {
    const wanted = {};
    for (const key of DIMENSIONS) wanted[key] = new Set();
    for (const box of boxes) if (box.checked) wanted[box.name].add(box.value);
    const q = form.elements.q.value.trim().toLowerCase();
    matching = [];
    results.forEach(function (r, i) {
      const selected = DIMENSIONS.every(function (key) { return wanted[key].has(filterKeys[i][key]); });
      if (selected && (!q || searchText[i].indexOf(q) >= 0)) matching.push(r);
    });
    list.replaceChildren();
    drawn = 0;
    drawMore();
  }

  function drawMore() {
    const page = document.createDocumentFragment();
    const end = Math.min(drawn + PAGE_SIZE, matching.length);
    for (; drawn < end; drawn++) page.append(resultRow(matching[drawn]));
    list.append(page);
    const left = matching.length - drawn;
    more.hidden = left === 0;
    more.textContent = "Show " + Math.min(left, PAGE_SIZE) + " more (" + left + " not shown)";
    shown.textContent = "Showing " + drawn + " of " + matching.length + " matching results (" +
      results.length + " in the run).";
    shown.dataset.matching = matching.length;
    shown.dataset.drawn = drawn;
    shown.dataset.total = results.length;
  }

  // A <details> whose content is built the first time it opens.
  function lazy(details, build) {
    let built = false;
    function fill() {
      if (!built) { built = true; details.append(build()); }
    }
    details.addEventListener("toggle", function () { if (details.open) fill(); });
    return function open() { fill(); details.open = true; };
  }

  function resultRow(r) {
    const row = el("details", "result status-" + r.status);
    row.dataset.status = r.status;
    row.dataset.area = r.area;
    row.dataset.version = r.version;
    row.dataset.transport = r.transport;
    row.dataset.case = r.case_id;
    const head = el("summary");
    head.append(
      el("span", "badge", BADGES[r.status] || r.status),
      el("span", "case", r.case_id),
      el("span", "meta", r.version + " \u00b7 " + r.transport + " \u00b7 " + r.area),
      el("span", "meta mono", r.requirements.join(", ")),
      el("span", "meta", duration(r.duration_ms)),
      el("span", "title", r.title));
    if (r.reason) head.append(el("span", "title reason", r.status + ": " + r.reason));
    row.append(head);
    const open = lazy(row, function () { return resultBody(r); });
    if (expand || r.status === "fail" || r.status === "warn") open();
    return row;
  }

  function resultBody(r) {
    const body = el("div", "body");
    const facts = el("dl", "facts");
    // Each finding names its spec section; without findings the result does.
    if (!(r.findings || []).length) pair(facts, "spec", el("span", null, r.spec));
    pair(facts, "requires", el("span", "mono", r.keyword + " " + r.requirements.join(", ")));
    body.append(facts);
    for (const f of r.findings || []) body.append(finding(f, r));
    const entries = r.transcript || [];
    if (r.transcript_in_run_json) {
      body.append(el("p", "meta", "Transcript: " + r.transcript_in_run_json +
        " messages, in run.json (passing transcripts are left out of this page)."));
    }
    if (entries.length) {
      const box = el("details", "transcript");
      box.append(el("summary", null, "Transcript (" + entries.length + " messages)"));
      const open = lazy(box, function () { return transcript(entries); });
      if (expand) open();
      body.append(box);
    }
    return body;
  }

  function finding(f, r) {
    const node = el("div", "finding");
    const line = el("div");
    line.append(el("span", "req mono", f.requirement), " ", el("span", "kw", f.keyword), " ",
      el("span", "message", f.message));
    const details = el("dl");
    pair(details, "spec", el("span", null, r.spec));
    pair(details, "expected", el("pre", null, f.expected));
    pair(details, "actual", el("pre", null, f.actual));
    pair(details, "hint", el("span", "hint", f.hint));
    node.append(line, details);
    return node;
  }

  function transcript(entries) {
    const lines = el("ol");
    for (const e of entries) {
      const line = el("li", "dir-" + e.direction);
      line.append(el("span", "at mono", e.at_ms + "ms"), el("span", "dir", ARROWS[e.direction] || "?"),
        el("span", "channel mono", e.channel), el("pre", null, e.text));
      lines.append(line);
    }
    return lines;
  }

  function pair(list, name, value) {
    list.append(el("dt", null, name));
    const dd = el("dd");
    dd.append(value);
    list.append(dd);
  }

  form.addEventListener("change", function () { writeFragment(); apply(); });
  form.addEventListener("input", function () { writeFragment(); apply(); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () {
    // The form resets its fields after this event; read them once it has.
    setTimeout(function () { expand = false; writeFragment(); apply(); }, 0);
  });
  more.addEventListener("click", drawMore);
  window.addEventListener("hashchange", function () { readFragment(); apply(); });
  readFragment();
  apply();
})();
