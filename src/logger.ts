import pino, { type DestinationStream, type Logger } from "pino";

/** Paths that may carry a secret; pino replaces their values before anything is written. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  'req.headers["x-api-key"]',
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "headers.cookie",
  'headers["set-cookie"]',
  "*.headers.cookie",
  '*.headers["set-cookie"]',
  "password",
  "*.password",
  "*.*.password",
  "*.apiKey",
  "*.api_key",
  "*.key",
  "*.sessionId",
  "*.session_id",
  "token",
  "*.token",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { service: "pumpwatch" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
