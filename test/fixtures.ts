import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const CAPTURE = fileURLToPath(
  new URL("./fixtures/shelly-pro4pm/ws-capture-2025-10-08.jsonl", import.meta.url),
);

export interface ShellyFrame {
  src: string;
  method?: string;
  params?: Record<string, unknown> & { ts?: number };
  [key: string]: unknown;
}

/** The 17 real frames of a Shelly Pro 4PM, in the order the device sent them. */
export function captureFrames(): ShellyFrame[] {
  return readFileSync(CAPTURE, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as ShellyFrame);
}

/** What the production queue consumer makes of a frame: {src, timestamp: floor(params.ts), params}. */
export function toQueueMessage(frame: ShellyFrame): Record<string, unknown> {
  const message: Record<string, unknown> = { src: frame.src, params: frame.params };
  if (typeof frame.params?.ts === "number") message.timestamp = Math.floor(frame.params.ts);
  return message;
}

/** The capture's device. */
export const DEVICE = "shellypro4pm-a0dd6c9ef474";
