/**
 * The zone a meter's days are read in: its site's, or APP_TIMEZONE for a meter on no site (an installation
 * without sites behaves as before them).
 */
import type { Queryable } from "../db/database.js";
import { placementsOf, siteZoneOfDevice } from "../db/queries/device-site.js";
import { devicesForDashboard } from "../db/queries/devices-for-dashboard.js";
import { sitesByIds } from "../db/queries/sites.js";
import {
  type LocalCalendar,
  localCalendar,
  placedCalendar,
  type ZoneSpan,
} from "../domain/config-versions/index.js";
import type { MeterScope } from "../domain/meter-scope.js";

/**
 * The one zone of these meters' days: their sites' zone when they share one (a single meter, one site, or
 * sites in the same zone), else `defaultZone`.
 */
export async function zoneOfMeters(
  db: Queryable,
  meters: readonly { site_id: number | null }[],
  defaultZone: string,
): Promise<string> {
  const siteIds = [...new Set(meters.map((m) => m.site_id).filter((id): id is number => id !== null))];
  if (siteIds.length === 0) return defaultZone;
  const zoneById = new Map((await sitesByIds(db, siteIds)).map((s) => [s.id, s.time_zone]));
  const zones = new Set(
    meters.map((m) => (m.site_id === null ? defaultZone : (zoneById.get(m.site_id) ?? defaultZone))),
  );
  return zones.size === 1 ? ([...zones][0] as string) : defaultZone;
}

/** Each meter's zone among those the scope sees (a meter it does not see, or on no site: `defaultZone`). */
export async function meterZones(
  db: Queryable,
  scope: MeterScope,
  defaultZone: string,
): Promise<(deviceId: string) => string> {
  return zonesOfDevices(db, await devicesForDashboard(db, scope), defaultZone);
}

/** Each of these meters' zone (a meter not among them, or on no site: `defaultZone`). */
export async function zonesOfDevices(
  db: Queryable,
  devices: readonly { device_id: string; site_id: number | null }[],
  defaultZone: string,
): Promise<(deviceId: string) => string> {
  const siteIds = [...new Set(devices.map((d) => d.site_id).filter((id): id is number => id !== null))];
  const zoneById =
    siteIds.length === 0
      ? new Map()
      : new Map((await sitesByIds(db, siteIds)).map((s) => [s.id, s.time_zone]));
  const zone = new Map(
    devices.map((d) => [d.device_id, d.site_id === null ? undefined : zoneById.get(d.site_id)]),
  );
  return (deviceId) => zone.get(deviceId) ?? defaultZone;
}

/** One meter's zone now: its site's, or `defaultZone` on no site. "Today" of a version written now is in it. */
export async function zoneOfDevice(db: Queryable, deviceId: string, defaultZone: string): Promise<string> {
  return (await siteZoneOfDevice(db, deviceId)) ?? defaultZone;
}

/**
 * The days of a meter that moved between sites of different zones: each part of its past in the zone of the
 * site it was on then (`device_site_placements`); null when it never changed zone (its zone says it all).
 */
export async function movedMeterDays(
  db: Queryable,
  deviceId: string,
  defaultZone: string,
): Promise<{ calendar: LocalCalendar; zoneAt: (unixS: number) => string } | null> {
  const spans = (await placementsOf(db, [deviceId])).map((p) => ({
    fromS: p.placed_at.getTime() / 1000,
    timeZone: p.time_zone ?? defaultZone,
  }));
  if (new Set(spans.map((s) => s.timeZone)).size < 2) return null;
  return {
    calendar: placedCalendar(spans),
    // the zone a time of that past is shown in (the first site's before any placement)
    zoneAt: (unixS) =>
      spans.reduce((zone, s) => (s.fromS <= unixS ? s.timeZone : zone), spans[0]?.timeZone ?? defaultZone),
  };
}

/**
 * Each meter's days when the meters do not all read theirs in one zone (a fleet across sites of different
 * zones, or a meter among them that moved between zones): its site's zone, or its placements' calendar;
 * null when one zone serves them all (then nothing changes from a single zone's query).
 */
export async function fleetCalendars(
  db: Queryable,
  meters: readonly { device_id: string; site_id: number | null }[],
  defaultZone: string,
): Promise<{
  calendarOf: (deviceId: string) => LocalCalendar;
  zoneAt: (deviceId: string, unixS: number) => string;
} | null> {
  // an installation without sites has no placements either: it reads as before them
  if (meters.every((m) => m.site_id === null)) return null;
  const siteIds = [...new Set(meters.map((m) => m.site_id).filter((id): id is number => id !== null))];
  const zoneById = new Map((await sitesByIds(db, siteIds)).map((s) => [s.id, s.time_zone]));
  const zoneOf = new Map(
    meters.map((m) => [m.device_id, (m.site_id === null ? null : zoneById.get(m.site_id)) ?? defaultZone]),
  );
  const spans = new Map<string, ZoneSpan[]>();
  for (const p of await placementsOf(
    db,
    meters.map((m) => m.device_id),
  )) {
    const list = spans.get(p.device_id) ?? [];
    list.push({ fromS: p.placed_at.getTime() / 1000, timeZone: p.time_zone ?? defaultZone });
    spans.set(p.device_id, list);
  }
  const moved = new Map([...spans].filter(([, list]) => new Set(list.map((s) => s.timeZone)).size > 1));
  if (new Set(zoneOf.values()).size < 2 && moved.size === 0) return null;
  const placed = new Map([...moved].map(([d, list]) => [d, placedCalendar(list)]));
  return {
    calendarOf: (d) => placed.get(d) ?? localCalendar(zoneOf.get(d) ?? defaultZone),
    zoneAt: (d, unixS) => {
      const list = moved.get(d);
      if (list === undefined) return zoneOf.get(d) ?? defaultZone;
      return list.reduce(
        (zone, s) => (s.fromS <= unixS ? s.timeZone : zone),
        list[0]?.timeZone ?? defaultZone,
      );
    },
  };
}

/**
 * The zone of an account's day (its digest, issue 18): the zone its meters share — those of its sites for a
 * restricted account (its sites' zone, even with no meter on them yet), every meter for the others, a meter on
 * no site counting as `defaultZone` — else `defaultZone`. An installation without sites: always `defaultZone`.
 */
export async function accountZones(
  db: Queryable,
  meters: readonly { site_id: number | null }[],
  defaultZone: string,
): Promise<(siteIds: readonly number[] | null) => string> {
  const sites = await sitesByIds(db, null);
  if (sites.length === 0) return () => defaultZone;
  const zoneById = new Map(sites.map((s) => [s.id, s.time_zone]));
  const one = (zones: Iterable<string>) => {
    const set = new Set(zones);
    return set.size === 1 ? ([...set][0] as string) : defaultZone;
  };
  const everyMeter = one(
    meters.map((m) => (m.site_id === null ? defaultZone : (zoneById.get(m.site_id) ?? defaultZone))),
  );
  return (siteIds) =>
    siteIds === null ? everyMeter : one(siteIds.map((id) => zoneById.get(id) ?? defaultZone));
}
