// The dashboard page (served by host/web/server.ts): plain JavaScript, no framework, nothing loaded from
// elsewhere. One WebSocket to /ws: the server sends state, log, console and trace messages; the page
// sends actions ({ op, ... } JSON) and shows each answer or error in the header.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const MAX_EVENTS = 20000;
  const MAX_LOG = 1000;
  let ws = null;
  let nextId = 1;
  let retryMs = 1000;
  const logEntries = [];
  const traceEvents = [];
  let traceMeta = [];
  let lanes = []; // [{ tid, name }]
  let paused = false;
  let pausedEnd = 0;
  let spanMs = 2000;
  const history = []; // console lines sent, oldest first
  let historyAt = 0; // where Up/Down is in it (history.length: the line being typed)
  let drag = null; // timeline panning: { x, end }

  function setStatus(text, ok) {
    const s = $("status");
    s.textContent = text;
    s.className = ok ? "ok" : "bad";
  }
  function showAnswer(text, ok) {
    const a = $("answer");
    a.textContent = text;
    a.style.color = ok ? "" : "#ff8a7a";
  }

  function connect() {
    ws = new WebSocket(`ws://${location.host}/ws`);
    ws.onopen = () => {
      setStatus("connected", true);
      retryMs = 1000;
    };
    ws.onclose = (ev) => {
      setStatus(`disconnected${ev.reason ? ": " + ev.reason : ""} (retrying)`, false);
      setTimeout(connect, ev.code === 1013 ? 10000 : retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    };
    ws.onmessage = (ev) => {
      let m;
      try {
        m = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      const h = handlers[m.type];
      if (h) h(m);
    };
  }

  function send(msg) {
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      showAnswer("not connected", false);
      return;
    }
    msg.id = nextId++;
    ws.send(JSON.stringify(msg));
  }

  const handlers = {
    hello(m) {
      $("board").textContent = `on ${m.board}`;
      traceEvents.length = 0;
      logEntries.length = 0;
      $("console-out").textContent = "";
    },
    state: renderState,
    log(m) {
      for (const e of m.entries) logEntries.push(e);
      if (logEntries.length > MAX_LOG) logEntries.splice(0, logEntries.length - MAX_LOG);
      renderLog();
    },
    console(m) {
      const out = $("console-out");
      const atEnd = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
      out.textContent = (out.textContent + m.text).slice(-20000);
      if (atEnd) out.scrollTop = out.scrollHeight;
    },
    trace(m) {
      traceMeta = m.meta;
      lanes = m.meta.filter((e) => e.name === "thread_name").map((e) => ({ tid: e.tid, name: e.args.name })).sort((a, b) => a.tid - b.tid);
      for (const e of m.events) traceEvents.push(e);
      if (traceEvents.length > MAX_EVENTS) traceEvents.splice(0, traceEvents.length - MAX_EVENTS);
      renderLanes();
      requestDraw(); // paused: the same window, redrawn (a new lane resizes the canvas, which clears it)
    },
    answer(m) {
      if (m.lines && m.lines.length > 0) showAnswer(m.lines.join(" | "), m.ok);
    },
    error(m) {
      showAnswer(`error: ${m.error}`, false);
    },
  };

  // ---- board, tasks, services ------------------------------------------------------------------

  function cell(tr, text, cls) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function renderState(s) {
    $("uptime").textContent = `up ${(s.now / 1000).toFixed(1)} s · ${s.pages} page${s.pages === 1 ? "" : "s"} · trace ${s.trace.on ? "on" : "paused"}, ${s.trace.records} records${s.trace.lost ? `, ${s.trace.lost} lost` : ""}`;
    $("led").className = s.led.lit ? "led on" : "led";
    $("led").dataset.lit = s.led.lit ? "1" : "0";
    $("led-mode").textContent = s.led.mode;
    $("led-changes").textContent = s.led.changes;
    const r = s.env.reading;
    $("reading").textContent = r ? `${r.celsius.toFixed(2)} °C, ${r.rh.toFixed(1)} %RH` : "none yet";
    $("env-stats").textContent = `${s.env.samples} samples, ${s.env.failures} failed; sensor set to ${s.env.set.celsius} °C ${s.env.set.rh} %RH`;
    // the inputs show what the simulated sensor is set to, except while someone edits them
    for (const [id, v] of [["temp", s.env.set.celsius], ["rh", s.env.set.rh]]) {
      const inp = $(id);
      if (document.activeElement !== inp && inp.dataset.edited !== "1") inp.value = String(v);
    }
    $("ir-stats").textContent = `${s.ir.keys} keys, ${s.ir.errors} bad frames`;
    $("modem").textContent = `${s.modem.silent ? "silent" : "answering"}; ${s.modem.commands} commands, ${s.modem.unanswered} unanswered; last: ${s.modem.last ? s.modem.last.join(" | ") || "(none)" : "-"}`;
    const tb = $("tasks").tBodies[0];
    tb.textContent = "";
    for (const t of s.tasks) {
      const tr = document.createElement("tr");
      tr.dataset.task = t.name;
      cell(tr, t.name);
      cell(tr, t.state + (t.state === "running" && t.task ? ` (${t.task})` : ""), `st-${t.state}`);
      cell(tr, t.waits);
      cell(tr, t.runs);
      cell(tr, t.runMs);
      cell(tr, t.maxStepMs);
      const err = cell(tr, t.error, "err");
      err.title = t.error;
      const td = cell(tr, "");
      for (const action of t.state === "running" ? ["stop", "restart"] : ["start"]) {
        const b = document.createElement("button");
        b.textContent = action;
        b.dataset.action = action;
        b.onclick = () => send({ op: "task", action, name: t.name });
        td.appendChild(b);
      }
      tb.appendChild(tr);
    }
    const sb = $("services").tBodies[0];
    sb.textContent = "";
    for (const v of s.services) {
      const tr = document.createElement("tr");
      tr.dataset.service = v.name;
      cell(tr, v.name).title = v.description;
      cell(tr, v.state, `st-${v.state}`);
      cell(tr, v.requires.join(", "));
      cell(tr, v.reason);
      sb.appendChild(tr);
    }
  }

  // ---- log ---------------------------------------------------------------------------------------

  function logFilter() {
    const f = $("log-filter").value;
    const level = $("log-level").value;
    let test = () => true;
    if (/^\/.+\/$/.test(f)) {
      try {
        const re = new RegExp(f.slice(1, -1), "i");
        test = (s) => re.test(s);
        $("log-filter").style.color = "";
      } catch (e) {
        $("log-filter").style.color = "#b3261e";
      }
    } else if (f !== "") {
      const low = f.toLowerCase();
      test = (s) => s.toLowerCase().includes(low);
    }
    const rank = { debug: 0, info: 1, warn: 2, error: 3 };
    return (e, text) => (level === "" || rank[e.level] >= rank[level]) && test(text);
  }

  function renderLog() {
    const box = $("log");
    const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    const keep = logFilter();
    const frag = document.createDocumentFragment();
    for (const e of logEntries) {
      const text = `${(e.time / 1000).toFixed(3)} [${e.level.toUpperCase()}] [${e.tag}] ${e.msg}`;
      if (!keep(e, text)) continue;
      const d = document.createElement("div");
      d.className = e.level;
      d.textContent = text;
      frag.appendChild(d);
    }
    box.textContent = "";
    box.appendChild(frag);
    if (atEnd) box.scrollTop = box.scrollHeight;
  }

  // ---- timeline ----------------------------------------------------------------------------------

  const LANE_H = 16;
  let drawPending = false;

  function renderLanes() {
    const box = $("tl-lanes");
    if (box.childElementCount === lanes.length && lanes.every((l, i) => box.children[i].dataset.lane === l.name)) return;
    box.textContent = "";
    for (const l of lanes) {
      const d = document.createElement("div");
      d.dataset.lane = l.name;
      d.dataset.tid = l.tid;
      d.textContent = l.name;
      d.title = l.name;
      box.appendChild(d);
    }
    $("tl-canvas").height = Math.max(1, lanes.length) * LANE_H;
  }

  function requestDraw() {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(() => {
      drawPending = false;
      draw();
    });
  }

  function laneColor(tid) {
    return `hsl(${(tid * 67) % 360} 60% 48%)`;
  }

  /** The newest time the trace has reached (µs since boot). */
  function latestEnd() {
    let end = 0;
    for (let i = traceEvents.length - 1; i >= 0 && i >= traceEvents.length - 50; i--) end = Math.max(end, traceEvents[i].ts + (traceEvents[i].dur || 0));
    return end;
  }

  /** The end of the window shown (µs): the latest while live, else where pausing or panning left it; never before boot + one window. */
  function viewEnd() {
    return Math.max(paused ? pausedEnd : latestEnd(), spanMs * 1000);
  }

  /** Pan to a window ending at `end` (µs), kept between boot and the latest: the view pauses there. */
  function panTo(end) {
    pausedEnd = Math.min(Math.max(end, spanMs * 1000), Math.max(latestEnd(), spanMs * 1000));
    paused = true;
    $("tl-pause").textContent = "Live";
    requestDraw();
  }

  function draw() {
    const c = $("tl-canvas");
    const w = c.clientWidth || 800;
    if (c.width !== w) c.width = w;
    const g = c.getContext("2d");
    g.clearRect(0, 0, c.width, c.height);
    const row = new Map(lanes.map((l, i) => [l.tid, i]));
    const end = viewEnd();
    const start = end - spanMs * 1000;
    const x = (ts) => ((ts - start) / (spanMs * 1000)) * w;
    $("tl-span").textContent = `${spanMs >= 1000 ? spanMs / 1000 + " s" : spanMs + " ms"} window from ${(start / 1e6).toFixed(start < 1e7 ? 2 : 1)} s${paused ? " (paused: drag or ◀ ▶ to pan)" : ""}`;
    for (let i = 0; i < lanes.length; i++) {
      g.fillStyle = i % 2 ? "#eef1f5" : "#fbfcfd";
      g.fillRect(0, i * LANE_H, w, LANE_H);
    }
    // a grid line every 1, 2 or 5 × 10^k ms, at most 10 across and 80 px apart (labels must not overlap)
    const raw = spanMs / Math.max(2, Math.min(10, Math.floor(w / 80)));
    const p10 = Math.pow(10, Math.floor(Math.log10(raw)));
    const stepMs = [1, 2, 5, 10].map((k) => k * p10).find((v) => v >= raw);
    g.fillStyle = "#c9d0db";
    g.font = "10px monospace";
    for (let t = Math.ceil(start / 1000 / stepMs) * stepMs; t * 1000 <= end; t += stepMs) {
      g.fillRect(x(t * 1000), 0, 1, c.height);
      g.fillText(`${(t / 1000).toFixed(stepMs < 1000 ? 2 : 0)} s`, x(t * 1000) + 2, c.height - 2);
    }
    for (const e of traceEvents) {
      const r = row.get(e.tid);
      if (r === undefined) continue;
      if (e.ph === "X") {
        if (e.ts + e.dur < start || e.ts > end) continue;
        g.fillStyle = laneColor(e.tid);
        g.fillRect(x(e.ts), r * LANE_H + 2, Math.max(3, (e.dur / (spanMs * 1000)) * w), LANE_H - 4);
      } else if (e.ph === "i" && e.ts >= start && e.ts <= end) {
        if (e.cat === "stall") {
          g.fillStyle = "#d1242f";
          g.fillRect(x(e.ts) - 2, r * LANE_H, 4, LANE_H);
        } else if (e.name !== "timer") {
          g.fillStyle = "#7d8797";
          g.fillRect(x(e.ts) - 0.5, r * LANE_H + LANE_H / 2, 1.5, LANE_H / 2);
        }
      }
    }
  }

  function describeAt(px, py) {
    const c = $("tl-canvas");
    const lane = lanes[Math.floor(py / LANE_H)];
    if (!lane) return "";
    const end = viewEnd();
    const start = end - spanMs * 1000;
    const ts = start + (px / c.clientWidth) * spanMs * 1000;
    const tol = (4 / c.clientWidth) * spanMs * 1000;
    for (let i = traceEvents.length - 1; i >= 0; i--) {
      const e = traceEvents[i];
      if (e.tid !== lane.tid) continue;
      if (e.ph === "X" && ts >= e.ts - tol && ts <= e.ts + e.dur + tol) return `${lane.name}: ran ${(e.dur / 1000).toFixed(3)} ms at ${(e.ts / 1e6).toFixed(3)} s, then ${e.args.then}`;
      if (e.ph === "i" && Math.abs(e.ts - ts) <= tol) return `${lane.name}: ${e.name}${e.args && e.args.by ? " by " + e.args.by : ""} at ${(e.ts / 1e6).toFixed(3)} s`;
    }
    return lane.name;
  }

  function exportTrace() {
    const json = JSON.stringify({ traceEvents: traceMeta.concat(traceEvents), displayTimeUnit: "ms", otherData: { source: "xs-async dashboard" } });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([json], { type: "application/json" }));
    a.download = "xs-async-trace.json";
    document.body.appendChild(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 1000);
    showAnswer(`exported ${traceEvents.length} trace events (open in ui.perfetto.dev or chrome://tracing)`, true);
  }

  // ---- controls ----------------------------------------------------------------------------------

  document.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-op]");
    if (!b) return;
    const d = b.dataset;
    if (d.op === "button") send({ op: "button", kind: d.kind });
    else if (d.op === "ir") send({ op: "ir", code: Number(d.code) });
    else if (d.op === "fault") send({ op: "fault", fault: d.fault });
  });
  $("ir-send").onclick = () => send({ op: "ir", code: $("ir-code").value.trim() });
  $("temp-set").onclick = () => {
    delete $("temp").dataset.edited;
    send({ op: "temp", value: $("temp").value });
  };
  $("rh-set").onclick = () => {
    delete $("rh").dataset.edited;
    send({ op: "rh", value: $("rh").value });
  };
  $("console-form").onsubmit = (ev) => {
    ev.preventDefault();
    const inp = $("console-in");
    const line = inp.value;
    if (line.trim() !== "" && history[history.length - 1] !== line) history.push(line);
    if (history.length > 100) history.splice(0, history.length - 100);
    historyAt = history.length;
    send({ op: "console", line });
    inp.value = "";
  };
  // Up and Down walk the lines sent before, as in a shell
  $("console-in").onkeydown = (ev) => {
    if (ev.key !== "ArrowUp" && ev.key !== "ArrowDown") return;
    ev.preventDefault();
    historyAt = Math.min(history.length, Math.max(0, historyAt + (ev.key === "ArrowUp" ? -1 : 1)));
    const inp = $("console-in");
    inp.value = historyAt < history.length ? history[historyAt] : "";
    inp.setSelectionRange(inp.value.length, inp.value.length);
  };
  for (const id of ["temp", "rh"]) {
    $(id).oninput = () => ($(id).dataset.edited = "1");
  }
  $("log-filter").oninput = renderLog;
  $("log-level").onchange = renderLog;
  $("tl-pause").onclick = () => {
    if (!paused) pausedEnd = viewEnd();
    paused = !paused;
    $("tl-pause").textContent = paused ? "Live" : "Pause";
    requestDraw();
  };
  $("tl-back").onclick = () => panTo(viewEnd() - (spanMs * 1000) / 2);
  $("tl-fwd").onclick = () => panTo(viewEnd() + (spanMs * 1000) / 2);
  $("tl-zoom-in").onclick = () => {
    spanMs = Math.max(10, spanMs / 2);
    requestDraw();
  };
  $("tl-zoom-out").onclick = () => {
    spanMs = Math.min(120000, spanMs * 2);
    requestDraw();
  };
  $("tl-export").onclick = exportTrace;
  $("tl-canvas").onmousedown = (ev) => {
    drag = { x: ev.clientX, end: viewEnd() };
  };
  window.addEventListener("mouseup", () => (drag = null));
  $("tl-canvas").onmousemove = (ev) => {
    if (drag !== null && ev.buttons === 1) {
      // drag right: earlier; the width of the canvas is one window
      panTo(drag.end - ((ev.clientX - drag.x) / ($("tl-canvas").clientWidth || 800)) * spanMs * 1000);
      return;
    }
    $("tl-info").textContent = describeAt(ev.offsetX, ev.offsetY);
  };
  $("tl-canvas").onmouseleave = () => {
    $("tl-info").textContent = "";
  };
  window.addEventListener("resize", requestDraw);

  // for tests and the curious: what the timeline holds
  window.dashboardTimeline = () => ({ events: traceEvents.length, lanes: lanes.map((l) => l.name), startUs: viewEnd() - spanMs * 1000, endUs: viewEnd(), spanMs, paused });
  connect();
})();
