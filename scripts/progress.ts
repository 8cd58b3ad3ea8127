/** Where progress goes: a terminal (isTTY) or a pipe/file. */
export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  /** the latest state ("12 000 relevés enregistrés…"), shown at once on a terminal, now and then elsewhere */
  update(text: string): void;
  /** the final state, always on its own line */
  done(text: string): void;
}

/**
 * On a terminal, one line redrawn in place (`\r`, then erase to the end of the line). Piped into a log, `\r`
 * would glue every state into one endless line: there, every `lineEvery`-th state is written as a line of its
 * own, so a log of a long run still shows it advancing.
 */
export function createProgress(out: ProgressOutput, options: { lineEvery: number }): Progress {
  const lineEvery = Math.max(1, Math.floor(options.lineEvery));
  let updates = 0;
  let drawn = false;
  if (out.isTTY) {
    return {
      update(text) {
        out.write(`\r${text}\x1b[K`);
        drawn = true;
      },
      done(text) {
        out.write(drawn ? `\r${text}\x1b[K\n` : `${text}\n`);
        drawn = false;
      },
    };
  }
  return {
    update(text) {
      if (++updates % lineEvery === 0) out.write(`${text}\n`);
    },
    done(text) {
      out.write(`${text}\n`);
    },
  };
}
