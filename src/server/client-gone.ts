import type { FastifyReply } from "fastify";

/** The client closed the connection before the answer: nobody will read what the request would compute. */
export class ClientGoneError extends Error {
  override readonly name = "ClientGoneError";
  constructor() {
    super("the client closed the request");
  }
}

/**
 * A signal aborted when the client closes the connection before the reply is sent — the dashboard aborts the
 * previous view's requests when its filters change (issue 21, item 5). Long reads check it between statements,
 * so work queued behind PGlite's single connection for a view nobody looks at any more is dropped instead of
 * delaying the new view's requests. A statement already running still finishes.
 */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once("close", () => {
    if (reply.raw.writableFinished) return;
    reply.log.debug("client closed the connection before the answer");
    controller.abort(new ClientGoneError());
  });
  return controller.signal;
}
