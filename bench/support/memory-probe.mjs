// Loaded into the service under test with `node --import` by `npm run bench:memory -- --breakdown`: appends the
// service's process.memoryUsage() every 100 ms to the file in PUMPWATCH_MEMORY_PROBE, one JSON line each, so the
// bench can tell which part (V8 heap, external and array buffers, the rest: code, WASM memory, native) made a peak.
import { appendFileSync } from "node:fs";

const file = process.env.PUMPWATCH_MEMORY_PROBE;
if (file) {
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(
      file,
      `${JSON.stringify({ t: Date.now(), rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers })}\n`,
    );
  }, 100);
  timer.unref();
}
