export * from "./lifecycle.js";
export * from "./local-time.js";
export * from "./replay.js";
export * from "./rules.js";
export * from "./stats.js";
export * from "./types.js";
