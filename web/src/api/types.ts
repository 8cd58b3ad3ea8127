/** Response types come from the service's own contracts (type-only imports: nothing of them is shipped). */
import type { Static } from "typebox";
import type {
  AdminDevicesResponse,
  ApiKeysResponse,
  AuditResponse,
  ConfigVersionItem,
  CreatedApiKeyResponse,
  DeviceConfigurationResponse,
  FactorSetsResponse,
  PumpModelItem,
  PumpModelsResponse,
  SettingsResponse,
  UserItem,
  UsersResponse,
  UserWithPasswordResponse,
  VersionChangeResponse,
  VersionPreviewResponse,
  VersionsResponse,
} from "../../../src/contracts/admin.js";
import type {
  JournalLineSchema,
  JournalResponse,
  ReportPreferences,
} from "../../../src/contracts/journal.js";
import type {
  CycleItem,
  CyclesResponse,
  DevicesResponse,
  PumpHealthResponse,
  SeriesResponse,
} from "../../../src/contracts/read.js";
import type {
  NewShareLinkResponse,
  ShareLinksResponse,
  ShareOpened as ShareOpenedSchema,
} from "../../../src/contracts/share-links.js";
import type { SitesResponse } from "../../../src/contracts/sites.js";

export type Devices = Static<typeof DevicesResponse>;
export type Device = Devices["devices"][number];
export type Cycles = Static<typeof CyclesResponse>;
export type Cycle = Static<typeof CycleItem>;
export type Series = Static<typeof SeriesResponse>;
export type PumpHealth = Static<typeof PumpHealthResponse>;
export type Versions = Static<typeof VersionsResponse>;
export type Version = Static<typeof ConfigVersionItem>;
export type VersionChange = Static<typeof VersionChangeResponse>;
export type PumpModels = Static<typeof PumpModelsResponse>;
export type PumpModel = Static<typeof PumpModelItem>;
export type ApiKeys = Static<typeof ApiKeysResponse>;
export type CreatedApiKey = Static<typeof CreatedApiKeyResponse>;
export type FactorSets = Static<typeof FactorSetsResponse>;
export type AdminDevices = Static<typeof AdminDevicesResponse>;
export type AdminDevice = AdminDevices["devices"][number];
export type DeviceConfiguration = Static<typeof DeviceConfigurationResponse>;
export type VersionPreview = Static<typeof VersionPreviewResponse>;
export type Settings = Static<typeof SettingsResponse>;
export type Users = Static<typeof UsersResponse>;
export type UserRow = Static<typeof UserItem>;
export type UserWithPassword = Static<typeof UserWithPasswordResponse>;
export type Audit = Static<typeof AuditResponse>;

export type {
  Alert,
  AlertList,
  Backtest,
  BacktestAlert,
  Deliveries,
  Delivery,
  MaintenanceList,
  MaintenanceWindow,
  NotificationSettings,
  RuleList,
  RuleSetting,
  Webhook,
} from "./alerts";

export type Journal = Static<typeof JournalResponse>;
export type JournalLine = Static<typeof JournalLineSchema>;
export type ReportPreference = Static<typeof ReportPreferences>;
export type Sites = Static<typeof SitesResponse>;
export type SiteItem = Sites["sites"][number];
export type SiteRow = SiteItem;

export type ShareLinks = Static<typeof ShareLinksResponse>;
export type ShareLink = ShareLinks["links"][number];
export type CreatedShareLink = Static<typeof NewShareLinkResponse>;
export type ShareOpened = Static<typeof ShareOpenedSchema>;
