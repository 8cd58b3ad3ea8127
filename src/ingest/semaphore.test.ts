import { describe, expect, it } from "vitest";
import { Semaphore } from "./semaphore.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("Semaphore", () => {
  it("runs at most `limit` tasks, starts the others in arrival order, and answers all of them", async () => {
    const gate = new Semaphore(2);
    const releases = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const done = releases.map((d, i) =>
      gate.run(async () => {
        started.push(i);
        await d.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([gate.running, gate.queued]).toEqual([2, 3]);
    releases[1]?.resolve();
    await done[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const d of releases) d.resolve();
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3, 4]);
    expect([gate.running, gate.queued]).toEqual([0, 0]);
  });

  it("gives the permit back when a task throws", async () => {
    const gate = new Semaphore(1);
    await expect(gate.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await gate.run(async () => "next")).toBe("next");
    expect(gate.running).toBe(0);
  });
});
