// pumpwatch: every minute, reads the four switches of this Shelly and posts them to pumpwatch
// (POST /api/ingest/batch, or the edge Worker's /shelly). Install: device/README.md.
//
// Written for the Shelly script interpreter: let and function only, no arrow functions, no classes,
// no promises, no template strings or trailing commas, functions defined before they are used (no
// hoisting), state in globals rather than closures. Limits kept: one RPC call in flight at a time (the
// device allows 5), one timer (of 5), at most maxBuffered short strings of unsent minutes.

let CONFIG = {
  // the service's ingestion URL, or the Worker's https://…/shelly
  url: "https://pumpwatch.example.org/api/ingest/batch",
  // for /api/ingest/batch: an ingestion key (npm run apikey:create); leave "" for the Worker
  apiKey: "",
  // for the Worker's /shelly: this meter's token; leave "" for /api/ingest/batch
  token: "",
  channels: 4,
  // minutes kept while the network is down; beyond, the oldest are dropped (and counted)
  maxBuffered: 60,
  // minutes per request
  perPost: 5,
  timeoutS: 15
};

let deviceId = Shelly.getDeviceInfo().id;
// One string per unsent minute, oldest first: "ts|ch0|ch1|…" (strings are the cheapest to keep).
let buffer = [];
let dropped = 0;
let busy = false;
let sentTotal = 0;
let reading = null;

function num(value) {
  if (typeof value === "number") return String(value);
  return "";
}

// apower,voltage,current,pf,freq,total,by_minute[0],minute_ts,tC,output
function packSwitch(s) {
  let e = s.aenergy || {};
  let byMinute = e.by_minute || [];
  let t = s.temperature || {};
  let out = "";
  if (s.output === true) out = "1";
  if (s.output === false) out = "0";
  return [
    num(s.apower),
    num(s.voltage),
    num(s.current),
    num(s.pf),
    num(s.freq),
    num(e.total),
    num(byMinute[0]),
    num(e.minute_ts),
    num(t.tC),
    out
  ].join(",");
}

function field(parts, i) {
  let v = parts[i];
  if (v === undefined || v === "") return "null";
  return v;
}

function unpackSwitch(text) {
  let p = text.split(",");
  let out = "null";
  if (p[9] === "1") out = "true";
  if (p[9] === "0") out = "false";
  let energy = '{"total":' + field(p, 5) + ',"minute_ts":' + field(p, 7);
  if (field(p, 6) !== "null") energy = energy + ',"by_minute":[' + p[6] + "]";
  energy = energy + "}";
  return (
    '{"apower":' +
    field(p, 0) +
    ',"voltage":' +
    field(p, 1) +
    ',"current":' +
    field(p, 2) +
    ',"pf":' +
    field(p, 3) +
    ',"freq":' +
    field(p, 4) +
    ',"aenergy":' +
    energy +
    ',"temperature":{"tC":' +
    field(p, 8) +
    '},"output":' +
    out +
    "}"
  );
}

function messageOf(entry) {
  let parts = entry.split("|");
  let params = '"ts":' + parts[0];
  for (let i = 1; i < parts.length; i++) {
    if (parts[i] !== "") params = params + ',"switch:' + (i - 1) + '":' + unpackSwitch(parts[i]);
  }
  return '{"src":' + JSON.stringify(deviceId) + ',"timestamp":' + parts[0] + ',"params":{' + params + "}}";
}

function keep(entry) {
  if (buffer.length >= CONFIG.maxBuffered) {
    buffer.splice(0, 1);
    dropped++;
    print("pumpwatch: buffer full, oldest minute dropped (" + dropped + " so far)");
  }
  buffer.push(entry);
}

function onPosted(result, errorCode, errorMessage, count) {
  busy = false;
  let status = result ? result.code : 0;
  if (errorCode !== 0 || (status !== 200 && status !== 202)) {
    // Kept: the next minute tries again. A rejected minute (inside a 200) is never retried.
    print(
      "pumpwatch: post failed (" +
        errorCode +
        " " +
        status +
        " " +
        errorMessage +
        "), " +
        buffer.length +
        " minute(s) kept"
    );
    return;
  }
  buffer.splice(0, count);
  sentTotal = sentTotal + count;
  if (buffer.length > 0) sendNext();
}

function sendNext() {
  if (busy || buffer.length === 0 || reading !== null) return;
  let count = Math.min(CONFIG.perPost, buffer.length);
  let body = '{"messages":[';
  for (let i = 0; i < count; i++) {
    if (i > 0) body = body + ",";
    body = body + messageOf(buffer[i]);
  }
  body = body + "]}";
  let headers = { "Content-Type": "application/json" };
  let url = CONFIG.url;
  if (CONFIG.apiKey !== "") headers["X-Api-Key"] = CONFIG.apiKey;
  if (CONFIG.token !== "") url = url + "?token=" + CONFIG.token;
  busy = true;
  Shelly.call(
    "HTTP.Request",
    { method: "POST", url: url, headers: headers, body: body, timeout: CONFIG.timeoutS },
    onPosted,
    count
  );
}

function onSwitch(result, errorCode, _errorMessage, id) {
  if (errorCode === 0 && result) reading.parts[id + 1] = packSwitch(result);
  if (id + 1 < CONFIG.channels) {
    Shelly.call("Switch.GetStatus", { id: id + 1 }, onSwitch, id + 1);
    return;
  }
  keep(reading.parts.join("|"));
  reading = null;
  sendNext();
}

function tick() {
  if (reading !== null) return;
  let now = Shelly.getComponentStatus("sys").unixtime;
  // No time yet (no NTP since boot): a minute without its time cannot be stored.
  if (typeof now !== "number" || now <= 0) return;
  reading = { parts: [String(Math.floor(now))] };
  for (let i = 0; i < CONFIG.channels; i++) reading.parts.push("");
  Shelly.call("Switch.GetStatus", { id: 0 }, onSwitch, 0);
}

Timer.set(60000, true, tick);
