import { type Static, Type } from "typebox";

/**
 * One electrical status object of a Shelly Pro 4PM channel (`params["switch:N"]`).
 * Every field is optional: partial NotifyStatus deltas carry only what changed,
 * and a key that disappears from the status comes back as `null`.
 */
export const SwitchStatus = Type.Object(
  {
    id: Type.Optional(Type.Integer()),
    output: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    apower: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: "active power, W" })),
    voltage: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: "V" })),
    current: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: "A" })),
    pf: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: "power factor, −1…1" })),
    freq: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: "Hz" })),
    aenergy: Type.Optional(
      Type.Union([
        Type.Object(
          {
            total: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: "counter, Wh" })),
            by_minute: Type.Optional(
              Type.Union([Type.Array(Type.Union([Type.Number(), Type.Null()])), Type.Null()], {
                description: "mWh of the last three whole minutes, index 0 = the minute ending at minute_ts",
              }),
            ),
            minute_ts: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
          },
          { additionalProperties: true },
        ),
        Type.Null(),
      ]),
    ),
    temperature: Type.Optional(
      Type.Union([
        Type.Object(
          { tC: Type.Optional(Type.Union([Type.Number(), Type.Null()])) },
          { additionalProperties: true },
        ),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: true },
);
export type SwitchStatus = Static<typeof SwitchStatus>;

/**
 * A queue message as the production consumer sends it, or a raw Shelly frame
 * (`{src, method, params: {ts, ...}}`), in which case `floor(params.ts)` is the timestamp.
 */
export const IngestMessage = Type.Object(
  {
    src: Type.String({ description: "Shelly device id, e.g. shellypro4pm-a0dd6c9ef474" }),
    timestamp: Type.Optional(Type.Integer({ description: "unix seconds, floor(params.ts)" })),
    id: Type.Optional(Type.String({ description: "queue message id, echoed in the result" })),
    method: Type.Optional(Type.String()),
    params: Type.Optional(
      Type.Object(
        { ts: Type.Optional(Type.Number()) },
        {
          additionalProperties: true,
          description: 'the frame\'s params: "switch:0" … "switch:3" are read, other keys ignored',
        },
      ),
    ),
  },
  { additionalProperties: true },
);
export type IngestMessage = Static<typeof IngestMessage>;

export const MAX_MESSAGES_PER_BATCH = 1000;

export const IngestBatch = Type.Object({
  messages: Type.Array(IngestMessage, { minItems: 1, maxItems: MAX_MESSAGES_PER_BATCH }),
});
export type IngestBatch = Static<typeof IngestBatch>;

/** What the HTTP layer checks before reading messages one by one: a bad message must not sink its batch. */
export const IngestEnvelope = Type.Object({
  messages: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_MESSAGES_PER_BATCH }),
});

export const MessageStatus = Type.Union([
  Type.Literal("stored"),
  Type.Literal("duplicate"),
  Type.Literal("ignored"),
  Type.Literal("rejected"),
]);
export type MessageStatus = Static<typeof MessageStatus>;

export const MessageResult = Type.Object({
  index: Type.Integer(),
  id: Type.Optional(Type.String()),
  status: MessageStatus,
  readings: Type.Integer(),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});
export type MessageResult = Static<typeof MessageResult>;

export const IngestResponse = Type.Object({
  inserted: Type.Integer({ description: "readings that created or completed a stored row" }),
  duplicates: Type.Integer({ description: "readings that added nothing new" }),
  errors: Type.Integer({ description: "rejected messages" }),
  total_messages: Type.Integer(),
  devices: Type.Integer(),
  processing_time: Type.Number({ description: "seconds" }),
  results: Type.Array(MessageResult),
});
export type IngestResponse = Static<typeof IngestResponse>;
