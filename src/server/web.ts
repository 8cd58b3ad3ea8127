import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * The built web application (`npm run build` → dist/web). Vite names every file under assets/ by its
 * content hash, so those are cached for a year; index.html names the current hashes and is never cached.
 * Returns the not-found fallback that answers client-side routes (/connexion, /admin/…) with the app, or
 * null when nothing is built (the API still runs, e.g. in tests).
 */
export async function registerWebApp(
  app: FastifyInstance,
  webDir: string | null,
): Promise<((request: FastifyRequest, reply: FastifyReply) => boolean) | null> {
  if (!webDir || !existsSync(join(webDir, "index.html"))) return null;
  await app.register(fastifyStatic, {
    root: webDir,
    // Routes are made once for the files present at start: a build is never changed under a running service.
    wildcard: false,
    index: false,
    cacheControl: false,
    etag: true,
    lastModified: true,
    setHeaders(reply, path) {
      const immutable = path.includes(`${join(webDir, "assets")}`);
      reply.header("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
      if (path.endsWith(".html")) reply.header("content-type", "text/html; charset=utf-8");
    },
  });
  app.get("/", { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  return (request, reply) => {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    if (request.url === "/api" || request.url.startsWith("/api/")) return false;
    if (!(request.headers.accept ?? "").includes("text/html")) return false;
    void sendIndex(reply);
    return true;
  };
}

function sendIndex(reply: FastifyReply) {
  return reply.header("cache-control", "no-cache").type("text/html; charset=utf-8").sendFile("index.html");
}
