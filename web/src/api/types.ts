/** Response types come from the service's own contracts (type-only imports: nothing of them is shipped). */
import type { Static } from "typebox";
import type {
  ApiKeysResponse,
  ConfigVersionItem,
  CreatedApiKeyResponse,
  FactorSetsResponse,
  PumpModelItem,
  PumpModelsResponse,
  VersionChangeResponse,
  VersionsResponse,
} from "../../../src/contracts/admin.js";
import type {
  CycleItem,
  CyclesResponse,
  DevicesResponse,
  SeriesResponse,
} from "../../../src/contracts/read.js";

export type Devices = Static<typeof DevicesResponse>;
export type Device = Devices["devices"][number];
export type Cycles = Static<typeof CyclesResponse>;
export type Cycle = Static<typeof CycleItem>;
export type Series = Static<typeof SeriesResponse>;
export type Versions = Static<typeof VersionsResponse>;
export type Version = Static<typeof ConfigVersionItem>;
export type VersionChange = Static<typeof VersionChangeResponse>;
export type PumpModels = Static<typeof PumpModelsResponse>;
export type PumpModel = Static<typeof PumpModelItem>;
export type ApiKeys = Static<typeof ApiKeysResponse>;
export type CreatedApiKey = Static<typeof CreatedApiKeyResponse>;
export type FactorSets = Static<typeof FactorSetsResponse>;
