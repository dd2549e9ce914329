#!/usr/bin/env node
// CPU-profiles the bench Worker while a scenario runs, through wrangler's inspector, and prints where the time went.
//   terminal 1: BENCH_ONLY=hot_account BENCH_RUNS=1 BENCH_SECONDS=40 BENCH_ACCOUNTS=10 npm run bench
//   terminal 2 (once the run has started): node bench/profile.mjs [seconds=8]
//   (PROFILE_CALLERS=exec also splits a function's self time by its callers)
// Prints self and inclusive time per function (file:line of wrangler's bundle in bench/.wrangler/tmp while it runs).
const seconds = Number(process.argv[2] ?? 8);
const socket = new WebSocket(process.env.INSPECTOR ?? "ws://127.0.0.1:9229/ws", { headers: { origin: "http://localhost" } });
let nextId = 0;
const pending = new Map();
const send = (method, params = {}) =>
  new Promise((resolve) => {
    pending.set(++nextId, resolve);
    socket.send(JSON.stringify({ id: nextId, method, params }));
  });
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  pending.get(message.id)?.(message);
  pending.delete(message.id);
};
await new Promise((resolve, reject) => {
  socket.onopen = resolve;
  socket.onerror = () => reject(new Error("no inspector on 127.0.0.1:9229: is a bench run going?"));
});
await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 200 });
await send("Profiler.start");
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const { profile } = (await send("Profiler.stop")).result;
socket.close();

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const sampled = new Map();
profile.samples.forEach((id, i) => sampled.set(id, (sampled.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...sampled.values()].reduce((a, b) => a + b, 0);
const name = (node) => `${node.callFrame.functionName || "(anonymous)"} ${node.callFrame.url.split("/").pop()}:${node.callFrame.lineNumber + 1}`;
const self = new Map();
const inclusive = new Map();
for (const [id, time] of sampled) {
  self.set(name(nodes.get(id)), (self.get(name(nodes.get(id))) ?? 0) + time);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const key = name(nodes.get(at));
    if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + time);
    seen.add(key);
  }
}
const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, time]) => `${((100 * time) / total).toFixed(1).padStart(5)}%  ${key}`);
console.log(`${(total / 1000).toFixed(0)} ms sampled\n-- self\n${top(self, 30).join("\n")}\n-- inclusive\n${top(inclusive, 40).join("\n")}`);

// PROFILE_CALLERS=exec: whose calls the self time of a (native) function such as `exec` or `transactionSync` is.
const wanted = process.env.PROFILE_CALLERS;
if (wanted) {
  const callers = new Map();
  for (const [id, time] of sampled) {
    if ((nodes.get(id).callFrame.functionName || "(anonymous)") !== wanted) continue;
    const caller = parentOf.has(id) ? name(nodes.get(parentOf.get(id))) : "(none)";
    callers.set(caller, (callers.get(caller) ?? 0) + time);
  }
  console.log(`-- callers of ${wanted}\n${top(callers, 20).join("\n")}`);
}
