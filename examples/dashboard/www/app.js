// The dashboard's live parts: readings over a WebSocket, server status over Server-Sent Events,
// and the settings form posted with fetch(). Plain JavaScript, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const history = [];
let wsCount = 0;
let sseCount = 0;
let socket = null;

function setPill(id, on) {
  $(id).className = on ? "pill on" : "pill off";
}

function drawChart() {
  const canvas = $("chart");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (history.length < 2) return;
  const lo = Math.min(...history) - 0.5;
  const hi = Math.max(...history) + 0.5;
  ctx.strokeStyle = "#3fb68b";
  ctx.lineWidth = 2;
  ctx.beginPath();
  history.forEach((v, i) => {
    const x = (i / (history.length - 1)) * canvas.width;
    const y = canvas.height - ((v - lo) / (hi - lo)) * canvas.height;
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

function showReading(r) {
  if (r.temp !== undefined) {
    $("temp").textContent = r.temp.toFixed(2);
    history.push(r.temp);
    if (history.length > 60) history.shift();
    drawChart();
    $("uptime").textContent = r.uptime + " s";
    $("mem").textContent = r.mem_free ? (r.mem_free / 1024).toFixed(1) + " KB" : "n/a";
    $("alarm").textContent = r.alarm ? "ALARM: above threshold" : "ok";
    $("alarm").className = r.alarm ? "alarm" : "";
    wsCount += 1;
    $("ws-count").textContent = wsCount;
  }
  if (r.led !== undefined) {
    $("led").textContent = r.led ? "LED on" : "LED off";
    $("led").className = r.led ? "lit" : "";
  }
}

function connectSocket() {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  socket = new WebSocket(scheme + location.host + "/ws");
  socket.onopen = () => setPill("conn-ws", true);
  socket.onmessage = (e) => showReading(JSON.parse(e.data));
  socket.onclose = () => {
    setPill("conn-ws", false);
    setTimeout(connectSocket, 2000); // the board may have rebooted: try again
  };
}

function connectEvents() {
  const source = new EventSource("/events");
  source.onopen = () => setPill("conn-sse", true);
  source.onerror = () => setPill("conn-sse", false); // EventSource reconnects by itself
  source.addEventListener("status", (e) => {
    const s = JSON.parse(e.data);
    sseCount += 1;
    $("sse-count").textContent = sseCount;
    $("sse-id").textContent = e.lastEventId;
    $("clients").textContent = s.ws_clients;
    $("messages").textContent = s.messages;
    $("label").textContent = s.label;
    $("threshold").textContent = s.threshold;
  });
}

async function loadSettings() {
  const r = await fetch("/api/settings", { headers: { Accept: "application/json" } });
  const s = await r.json();
  $("f-label").value = s.label;
  $("f-threshold").value = s.threshold;
  $("label").textContent = s.label;
  $("threshold").textContent = s.threshold;
}

$("settings").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = new URLSearchParams(new FormData(e.target));
  const r = await fetch("/api/settings", { method: "POST", body, headers: { Accept: "application/json" } });
  $("saved").textContent = r.ok ? "Saved" : "Error: " + (await r.text());
});

$("led").addEventListener("click", () => {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ led: $("led").textContent === "LED off" }));
  }
});

loadSettings();
connectSocket();
connectEvents();
