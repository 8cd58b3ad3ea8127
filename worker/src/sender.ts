import type { QueueMessage } from "./frames.js";

export interface SenderOptions {
  /** the queue refused these messages after every retry */
  onLost(count: number, error: unknown): void;
  /** waits between tries of one send (default 0.5 s, 2 s, 5 s) */
  delaysMs?: readonly number[];
}

/**
 * Sends each message to the queue as soon as it is made. There is no buffer to fill: a message lives only
 * in its own send, retried a few times; if the queue still refuses, the owner is told so it can make the
 * meter resend (a refusal is never silent).
 */
export class QueueSender {
  private readonly delays: readonly number[];

  constructor(
    private readonly queue: Queue<QueueMessage>,
    private readonly options: SenderOptions,
  ) {
    this.delays = options.delaysMs ?? [500, 2_000, 5_000];
  }

  /** Settles once the message is on the queue or reported lost; never rejects. */
  send(message: QueueMessage): Promise<void> {
    return this.attempt(message, 0);
  }

  private async attempt(message: QueueMessage, tries: number): Promise<void> {
    try {
      await this.queue.send(message);
    } catch (error) {
      const delay = this.delays[tries];
      if (delay === undefined) {
        this.options.onLost(1, error);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      await this.attempt(message, tries + 1);
    }
  }
}
