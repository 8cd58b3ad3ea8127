/** Where the import's progress goes: the process's stderr, or a test's stand-in. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * The import's progress: a bar redrawn in place on a terminal; elsewhere (a log, CI) one plain line every
 * 10 s and one at the end, so the log stays readable.
 */
export function progressReporter(
  stream: ProgressStream,
  now: () => number = Date.now,
): (read: number, total: number) => void {
  const started = now();
  let lastLine = Number.NEGATIVE_INFINITY;
  return (read, total) => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(read / seconds) : 0;
    const share = total > 0 ? Math.min(1, read / total) : 1;
    const figures = `${read.toLocaleString("fr-FR")} / ${total.toLocaleString("fr-FR")} relevés, ${rate.toLocaleString("fr-FR")} /s`;
    if (stream.isTTY) {
      const width = 30;
      const done = Math.round(share * width);
      stream.write(
        `\r[${"#".repeat(done)}${"-".repeat(width - done)}] ${Math.floor(share * 100)} % ${figures}   `,
      );
      if (read >= total) stream.write("\n");
    } else if (now() - lastLine >= 10_000 || read >= total) {
      lastLine = now();
      stream.write(`import : ${Math.floor(share * 100)} % — ${figures}\n`);
    }
  };
}
