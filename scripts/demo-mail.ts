// The demo's mailbox: a local SMTP server (smtp-server) that keeps each alert e-mail the service sends as an
// .eml file, so that "an alert arrives by e-mail" can be seen without any real mail server.
import { mkdir, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";

export interface MailCapture {
  /** SMTP_URL for the service */
  url: string;
  dir: string;
  close(): Promise<void>;
}

export async function startMailCapture(dir: string): Promise<MailCapture> {
  await mkdir(dir, { recursive: true });
  let count = 0;
  const server = new SMTPServer({
    // Local only, no account, no TLS: a capture, not a relay.
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        count += 1;
        const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${String(count).padStart(4, "0")}.eml`;
        writeFile(join(dir, name), Buffer.concat(chunks)).then(
          () => callback(),
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    dir,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
