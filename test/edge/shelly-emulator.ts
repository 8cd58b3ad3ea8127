import { readFileSync } from "node:fs";
import { createContext, runInContext } from "node:vm";

/**
 * A small emulation of the Shelly script API (Shelly.call, Shelly.getDeviceInfo,
 * Shelly.getComponentStatus, Timer.set/clear, print) with the device's limits: at most 5 RPC calls in
 * flight and 5 timers, or the emulated call throws as the device refuses it. Time is the emulator's:
 * `advance` fires due timers. HTTP.Request goes to the real network (the service under test).
 */
export interface SwitchState {
  apower: number;
  voltage: number;
  current: number;
  output: boolean;
  totalWh: number;
}

interface Timer {
  id: number;
  due: number;
  periodMs: number;
  repeat: boolean;
  callback: () => void;
}

type ShellyCallback = (result: unknown, code: number, message: string, userdata: unknown) => void;

export const MAX_CALLS_IN_FLIGHT = 5;
export const MAX_TIMERS = 5;

export class ShellyEmulator {
  nowMs: number;
  network = true;
  readonly switches: SwitchState[];
  readonly printed: string[] = [];
  readonly requests: { url: string; headers: Record<string, string>; messages: number; status: number }[] =
    [];
  maxCallsInFlight = 0;
  private inFlight = 0;
  private timers: Timer[] = [];
  private nextTimer = 1;
  private readonly pending = new Set<Promise<void>>();
  private readonly context: object;

  constructor(
    readonly deviceId: string,
    startMs: number,
  ) {
    this.nowMs = startMs;
    this.switches = [0, 1, 2, 3].map((id) => ({
      apower: id === 3 ? 1.1 : 0,
      voltage: 230.1,
      current: id === 3 ? 0.05 : 0,
      output: false,
      totalWh: 100 * (id + 1),
    }));
    this.context = createContext({
      print: (...args: unknown[]) => this.printed.push(args.join(" ")),
      Shelly: {
        getDeviceInfo: () => ({ id: this.deviceId, model: "SPSW-104PE16EU", gen: 2 }),
        getComponentStatus: (name: string) =>
          name === "sys" ? { unixtime: Math.floor(this.nowMs / 1000) } : null,
        call: (
          method: string,
          params: Record<string, unknown>,
          callback?: ShellyCallback,
          userdata?: unknown,
        ) => this.call(method, params, callback, userdata),
      },
      Timer: {
        set: (periodMs: number, repeat: boolean, callback: () => void) => {
          if (this.timers.length >= MAX_TIMERS) throw new Error("too many timers");
          const timer = { id: this.nextTimer++, due: this.nowMs + periodMs, periodMs, repeat, callback };
          this.timers.push(timer);
          return timer.id;
        },
        clear: (id: number) => {
          this.timers = this.timers.filter((t) => t.id !== id);
        },
      },
    });
  }

  /** Runs a script file as the device would load it. */
  load(path: string, config: Record<string, unknown>): void {
    runInContext(readFileSync(path, "utf8"), this.context, { filename: path });
    // The operator edits CONFIG at the top of the script; the test sets the same fields.
    const target = runInContext("CONFIG", this.context) as Record<string, unknown>;
    Object.assign(target, config);
  }

  /** Moves emulated time forward minute by minute, firing due timers and waiting for what they start. */
  async advance(ms: number, stepMs = 60_000): Promise<void> {
    const end = this.nowMs + ms;
    while (this.nowMs < end) {
      this.nowMs = Math.min(end, this.nowMs + stepMs);
      for (const s of this.switches) s.totalWh += s.apower / 60;
      for (const timer of [...this.timers]) {
        if (timer.due > this.nowMs) continue;
        if (timer.repeat) timer.due += timer.periodMs;
        else this.timers = this.timers.filter((t) => t !== timer);
        timer.callback();
      }
      await this.idle();
    }
  }

  /** Waits until no emulated call is in flight. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private call(
    method: string,
    params: Record<string, unknown>,
    callback?: ShellyCallback,
    userdata?: unknown,
  ) {
    if (this.inFlight >= MAX_CALLS_IN_FLIGHT) throw new Error("too many calls in flight");
    this.inFlight++;
    this.maxCallsInFlight = Math.max(this.maxCallsInFlight, this.inFlight);
    const done = (result: unknown, code: number, message: string) => {
      this.inFlight--;
      callback?.(result, code, message, userdata);
    };
    const work = (async () => {
      // Every answer comes later, as on the device, never inside the call.
      await new Promise((resolve) => setImmediate(resolve));
      if (method === "Switch.GetStatus") {
        const id = Number(params.id);
        const s = this.switches[id];
        if (!s) return done(null, -105, "not found");
        const minuteTs = Math.floor(this.nowMs / 60_000) * 60;
        return done(
          {
            id,
            source: "init",
            output: s.output,
            apower: s.apower,
            voltage: s.voltage,
            current: s.current,
            freq: 50,
            pf: s.apower > 0 ? 0.8 : 0,
            aenergy: {
              total: Math.round(s.totalWh * 1000) / 1000,
              by_minute: [(s.apower / 60) * 1000, 0, 0],
              minute_ts: minuteTs,
            },
            temperature: { tC: 38.5, tF: 101.3 },
          },
          0,
          "",
        );
      }
      if (method === "HTTP.Request") return this.http(params, done);
      return done(null, -114, `method ${method} not emulated`);
    })();
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async http(
    params: Record<string, unknown>,
    done: (result: unknown, code: number, message: string) => void,
  ) {
    const headers = (params.headers ?? {}) as Record<string, string>;
    const body = String(params.body ?? "");
    let messages = 0;
    try {
      messages = (JSON.parse(body) as { messages: unknown[] }).messages.length;
    } catch {}
    if (!this.network) {
      this.requests.push({ url: String(params.url), headers, messages, status: 0 });
      return done(null, -104, "Deadline exceeded");
    }
    const response = await fetch(String(params.url), { method: String(params.method), headers, body });
    const text = await response.text();
    this.requests.push({ url: String(params.url), headers, messages, status: response.status });
    return done({ code: response.status, message: response.statusText, headers: {}, body: text }, 0, "");
  }
}
