// npm run dev: the API restarting on change (tsx watch) and Vite's hot reload in front of it, one terminal.
import { spawn } from "node:child_process";

const children = [
  spawn("npx", ["tsx", "watch", "src/main.ts"], { stdio: "inherit", env: process.env }),
  spawn("npx", ["vite"], { stdio: "inherit", env: process.env }),
];
const stop = () => {
  for (const child of children) child.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
for (const child of children)
  child.on("exit", (code) => {
    stop();
    process.exitCode = code ?? 0;
  });
