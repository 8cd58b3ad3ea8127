import { defineConfig } from "vite";

// The web application (web/) builds into dist/web, which the service serves; `npm run dev` puts Vite's hot
// reload in front of the API on :3000.
export default defineConfig({
  root: "web",
  publicDir: "public",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    // Hashed names under assets/ are what lets the service cache them as immutable.
    assetsDir: "assets",
    target: "es2022",
    reportCompressedSize: true,
  },
  server: {
    port: Number(process.env.WEB_DEV_PORT ?? 5173),
    proxy: { "/api": `http://127.0.0.1:${process.env.PORT ?? 3000}` },
  },
});
