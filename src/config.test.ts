import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config.js";

describe("parseConfig", () => {
  it("runs on the embedded database with defaults when nothing is set", () => {
    expect(parseConfig({})).toMatchObject({
      port: 3000,
      host: "0.0.0.0",
      databaseUrl: null,
      dataDir: "./data",
      timeZone: "UTC",
      ingestApiKey: null,
      admin: null,
      publicDashboard: false,
      session: { idleMinutes: 120, absoluteHours: 12 },
      trustProxy: false,
      alerts: { intervalMs: 60_000, leaseMs: 90_000 },
    });
    expect(parseConfig({ ALERT_ROUND_SECONDS: "2" }).alerts).toEqual({ intervalMs: 2000, leaseMs: 3000 });
  });

  it("reads the dashboard, session and proxy settings", () => {
    expect(
      parseConfig({
        PUBLIC_DASHBOARD: "true",
        SESSION_IDLE_MINUTES: "30",
        SESSION_ABSOLUTE_HOURS: "8",
        TRUST_PROXY: "1",
      }),
    ).toMatchObject({ publicDashboard: true, session: { idleMinutes: 30, absoluteHours: 8 }, trustProxy: 1 });
    expect(parseConfig({ PUBLIC_DASHBOARD: "false", TRUST_PROXY: "true" })).toMatchObject({
      publicDashboard: false,
      trustProxy: true,
    });
    expect(parseConfig({ TRUST_PROXY: "10.0.0.0/8, 127.0.0.1" }).trustProxy).toEqual([
      "10.0.0.0/8",
      "127.0.0.1",
    ]);
  });

  it("reads every setting", () => {
    const config = parseConfig({
      PORT: "8080",
      DATABASE_URL: "postgres://u@h:5432/db",
      APP_TIMEZONE: "Africa/Dakar",
      INGEST_API_KEY: "a-long-enough-bootstrap-key",
      ADMIN_EMAIL: "admin@example.org",
      ADMIN_PASSWORD: "correct horse battery",
      BODY_LIMIT_BYTES: "2048",
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: "postgres://u@h:5432/db",
      timeZone: "Africa/Dakar",
      ingestApiKey: "a-long-enough-bootstrap-key",
      admin: { email: "admin@example.org", password: "correct horse battery" },
      bodyLimitBytes: 2048,
    });
  });

  it.each([
    [{ PORT: "eighty" }],
    [{ PORT: "70000" }],
    [{ DATABASE_URL: "mysql://x" }],
    [{ APP_TIMEZONE: "Mars/Olympus" }],
    [{ INGEST_API_KEY: "short" }],
    [{ ADMIN_EMAIL: "a@b.c" }],
    [{ LOG_LEVEL: "loud" }],
    [{ PUBLIC_DASHBOARD: "yes" }],
    [{ SESSION_IDLE_MINUTES: "0" }],
    [{ SESSION_ABSOLUTE_HOURS: "two" }],
    [{ SESSION_IDLE_MINUTES: "180", SESSION_ABSOLUTE_HOURS: "2" }],
  ])("refuses %j", (env) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
  });
  it("reads the MQTT settings, which need MQTT_URL", () => {
    expect(parseConfig({}).mqtt).toBeNull();
    expect(
      parseConfig({
        MQTT_URL: "mqtts://broker.example.org:8883",
        MQTT_USERNAME: "pumpwatch",
        MQTT_PASSWORD: "secret-password",
        MQTT_TOPIC_PREFIXES: " site-a/+ , shellypro4pm-a0dd6c9ef474/ ,",
      }).mqtt,
    ).toEqual({
      url: "mqtts://broker.example.org:8883",
      username: "pumpwatch",
      password: "secret-password",
      topicPrefixes: ["site-a/+", "shellypro4pm-a0dd6c9ef474"],
      clientId: "pumpwatch-ingest",
    });
    expect(parseConfig({ MQTT_URL: "mqtt://127.0.0.1:1883" }).mqtt?.topicPrefixes).toEqual(["+"]);
    expect(() => parseConfig({ MQTT_URL: "http://broker" })).toThrow(ConfigError);
    expect(() => parseConfig({ MQTT_TOPIC_PREFIXES: "+" })).toThrow(/need MQTT_URL/);
  });

  it("reads the alert e-mail settings and the public address of the links", () => {
    expect(parseConfig({})).toMatchObject({ smtp: null, publicUrl: "http://localhost:3000" });
    expect(parseConfig({ PORT: "8080" }).publicUrl).toBe("http://localhost:8080");
    expect(
      parseConfig({
        SMTP_URL: "smtp://relay.example.org:2525",
        SMTP_FROM: "pumpwatch <alertes@example.org>",
        PUBLIC_URL: "https://pumpwatch.example.org/",
      }),
    ).toMatchObject({
      smtp: { url: "smtp://relay.example.org:2525", from: "pumpwatch <alertes@example.org>" },
      publicUrl: "https://pumpwatch.example.org",
    });
    expect(() => parseConfig({ SMTP_URL: "smtp://relay.example.org" })).toThrow(/SMTP_URL and SMTP_FROM/);
    expect(() => parseConfig({ SMTP_URL: "http://relay", SMTP_FROM: "a@b.c" })).toThrow(ConfigError);
    expect(() => parseConfig({ PUBLIC_URL: "pumpwatch.example.org" })).toThrow(ConfigError);
  });
});
