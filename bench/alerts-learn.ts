// npx tsx bench/alerts-learn.ts — the alert rules' learning alone, no database: what the first evaluation
// round of each hour computes for 1 000 channels with 14 days of cycles (a cycle every 90 min, as in
// bench/alerts.ts). Prints the median of 7 runs; the rest of that round is reading the cycles.
import { type AlertCycle, learnChannel } from "../src/domain/alerts/index.js";

const T = 29_000_160 + 400 * 1440;
let x = 1;
const random = () => {
  x = (x * 16_807) % 2_147_483_647;
  return x / 2_147_483_647;
};
const cycles: AlertCycle[] = [];
for (let s = T - 15 * 1440; s < T - 120; s += 90) {
  cycles.push({
    startMinute: s,
    lastActiveMinute: s + 8,
    noise: false,
    avgPowerW: 800 + random() * 10,
    avgCurrentA: 4.3 + random() * 0.05,
  });
}
const times: number[] = [];
for (let run = 0; run < 7; run++) {
  const start = performance.now();
  for (let channel = 0; channel < 1000; channel++) learnChannel(cycles, T, T - 365 * 1440);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(
  `learning, 1000 channels × 14 days of cycles: median ${(times[3] as number).toFixed(0)} ms over 7 runs (min ${(times[0] as number).toFixed(0)} ms)`,
);
