import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, describe, expect, it } from "vitest";
import { startMailCapture } from "../scripts/demo-mail.js";
import { smtpMailer } from "../src/alerts/mailer.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("the demo's mailbox", () => {
  it("keeps each e-mail the service sends as an .eml file", async () => {
    const root = await mkdtemp(join(tmpdir(), "pumpwatch-demo-mail-"));
    dirs.push(root);
    const capture = await startMailCapture(join(root, "mails"));
    expect(capture.url).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    const mailer = smtpMailer(capture.url, "pumpwatch <alertes@pumpwatch.local>");
    try {
      const sent = await mailer.send("demo@pumpwatch.local", {
        subject: "[pumpwatch] Alerte critique : Marche à sec — Station Keur Massar, PR1",
        text: "Ce qui s'est passé : la pompe tourne à sec.",
        html: "<p>Ce qui s'est passé : la pompe tourne à sec.</p>",
      });
      expect(sent).toEqual({ ok: true });
    } finally {
      mailer.close();
      await capture.close();
    }
    const files = await readdir(capture.dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const mail = await simpleParser(await readFile(join(capture.dir, files[0] as string)));
    expect(mail.subject).toBe("[pumpwatch] Alerte critique : Marche à sec — Station Keur Massar, PR1");
    expect(mail.text).toContain("la pompe tourne à sec");
  });
});
