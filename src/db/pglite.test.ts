import { describe, expect, it } from "vitest";
import { openPglite, PGLITE_SHARED_BUFFERS } from "./pglite.js";

describe("embedded PGlite", () => {
  it("keeps a small buffer cache in the service's memory (decision 0022)", async () => {
    const db = await openPglite();
    try {
      const { rows } = await db.query<{ shared_buffers: string }>("SHOW shared_buffers");
      expect(rows[0]?.shared_buffers).toBe(PGLITE_SHARED_BUFFERS);
      expect(PGLITE_SHARED_BUFFERS).toBe("16MB");
      // the other start parameters of PGlite stay its own: one process, no parallel workers
      const workers = await db.query<{ max_parallel_workers: string }>("SHOW max_parallel_workers");
      expect(workers.rows[0]?.max_parallel_workers).toBe("0");
    } finally {
      await db.close();
    }
  });
});
