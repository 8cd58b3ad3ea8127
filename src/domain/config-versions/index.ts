export { addDays, formatDayNumber, parseCalendarDate } from "./calendar-date.js";
export { ConfigVersionError, type ConfigVersionErrorCode } from "./errors.js";
export { sortedHistory, versionAt } from "./history.js";
export {
  type LocalCalendar,
  type LocalDays,
  localCalendar,
  localDayOf,
  localDays,
} from "./local-calendar.js";
export { isValidTimeZone, localDateOf, localDayStartUnix, utcOffsetSeconds } from "./local-date.js";
export { placedCalendar, type ZoneSpan } from "./placed-calendar.js";
export { planCurrentConfigUpdate, planVersionChange, type VersionPlan } from "./plan.js";
export {
  type ChannelConfig,
  type ConfigVersion,
  DEFAULT_CHANNEL_CONFIG,
  FIRST_ALLOWED_DATE,
  LAST_ALLOWED_DATE,
  MAX_CONCENTRATION_MG_L,
  MAX_NAME_LENGTH,
  PUMP_TYPES,
  type PumpType,
  type VersionChangeRequest,
} from "./types.js";
export { assertEffectiveDate, validateChannelConfig } from "./validate.js";
