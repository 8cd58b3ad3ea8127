/**
 * Named, immutable lists of coefficients (co2e-methodology.md). A figure always names the set it used,
 * so changing the active set never silently rewrites a figure.
 */
export interface FactorSet {
  readonly id: string;
  readonly label: string;
  /** the situation the filter is compared against */
  readonly referenceScenario: "fosse-standard" | "untreated" | "septic" | "aerobic";
  readonly referenceLabel: string;
  /** maximum CH₄ producing capacity, kg CH₄ per kg DBO5 */
  readonly boKgCh4PerKgDbo5: number;
  /** kg CH₄ per kg DCO; null: this set never falls back to DCO */
  readonly boKgCh4PerKgDco: number | null;
  readonly mcfReference: number;
  readonly mcfFilter: number;
  /** CH₄ of the filter's outlet water, discharged to the environment; null: not counted */
  readonly effluent: {
    readonly mcf: number;
    readonly outletDbo5MgL: number;
    readonly outletDcoMgL: number;
  } | null;
  readonly gwpCh4: number;
  /** shown next to the figure, e.g. "PRG CH₄ = 28, GIEC AR5" */
  readonly gwpLabel: string;
  /** kg CO₂e per kg MES retained; 0 unless a documented coefficient is chosen */
  readonly mesCo2eKgPerKg: number;
  /** what the figure leaves out, said next to it */
  readonly excluded: readonly string[];
  readonly sources: readonly string[];
}

export const FP_2026: FactorSet = deepFreeze({
  id: "fp-2026",
  label: "Méthode FiltrePlante 2026 (continuité du tableau de bord précédent)",
  referenceScenario: "fosse-standard",
  referenceLabel: "fosse standard",
  boKgCh4PerKgDbo5: 0.6,
  boKgCh4PerKgDco: null,
  mcfReference: 0.5,
  mcfFilter: 0.03,
  effluent: null,
  gwpCh4: 28,
  gwpLabel: "PRG CH₄ = 28, GIEC AR5",
  mesCo2eKgPerKg: 0,
  excluded: ["CO₂ biogénique (GIEC)", "N₂O (azote non configuré)", "rejet de l'effluent du filtre"],
  sources: [
    "GIEC 2006/2019, vol. 5 ch. 6 : Bo = 0,6 kg CH₄/kg DBO5, MCF fosse = 0,5",
    "MCF filtre planté vertical = 0,03 (services/co2e_calculator.py du produit précédent)",
    "GIEC AR5 (2014) : PRG100 CH₄ = 28",
    "predecessor-spec.md §2.5",
  ],
});

export type IpccReference = "untreated" | "septic" | "aerobic";
export type GwpChoice = "ar5" | "ar6";

export interface Ipcc2019VfOptions {
  reference?: IpccReference;
  gwp?: GwpChoice;
  /** DBO5 of the filter's outlet, mg/L */
  outletDbo5MgL?: number;
  /** DCO of the filter's outlet, mg/L, used only on the DCO basis */
  outletDcoMgL?: number;
}

// IPCC 2019 Table 6.3 gives the discharge EF as 0.068 kg CH₄/kg BOD (MCF ≈ 0.11 with Bo 0.6); the EF is
// the published figure, so the MCF is derived from it rather than rounded.
const UNTREATED_MCF = 0.068 / 0.6;

const IPCC_REFERENCES: Readonly<Record<IpccReference, { mcf: number; label: string }>> = Object.freeze({
  untreated: { mcf: UNTREATED_MCF, label: "rejet sans traitement (GIEC niveau 1)" },
  septic: { mcf: 0.5, label: "fosse septique" },
  aerobic: { mcf: 0.03, label: "station aérobie centralisée" },
});

const GWP: Readonly<Record<GwpChoice, { value: number; label: string }>> = Object.freeze({
  ar5: { value: 28, label: "PRG CH₄ = 28, GIEC AR5" },
  ar6: { value: 27.0, label: "PRG CH₄ = 27,0, GIEC AR6 (non fossile)" },
});

/**
 * IPCC 2019 Refinement with the 2013 Wetlands Supplement. Defaults: untreated discharge as reference
 * (the conservative choice: the smallest avoided figure), AR5, outlet 25 mg/L DBO5 and 125 mg/L DCO
 * (the EU urban waste water directive 91/271/EEC outlet limits).
 */
export function ipcc2019Vf(options: Ipcc2019VfOptions = {}): FactorSet {
  const reference = options.reference ?? "untreated";
  const gwp = GWP[options.gwp ?? "ar5"];
  const ref = IPCC_REFERENCES[reference];
  return deepFreeze({
    id: "ipcc-2019-vf",
    label: "GIEC 2019 (vol. 5 ch. 6) et supplément zones humides 2013, filtre vertical",
    referenceScenario: reference,
    referenceLabel: ref.label,
    boKgCh4PerKgDbo5: 0.6,
    boKgCh4PerKgDco: 0.25,
    mcfReference: ref.mcf,
    mcfFilter: 0.01,
    effluent: {
      mcf: UNTREATED_MCF,
      outletDbo5MgL: options.outletDbo5MgL ?? 25,
      outletDcoMgL: options.outletDcoMgL ?? 125,
    },
    gwpCh4: gwp.value,
    gwpLabel: gwp.label,
    mesCo2eKgPerKg: 0,
    excluded: ["CO₂ biogénique (GIEC)", "N₂O (azote non configuré)"],
    sources: [
      "GIEC 2019, Refinement to the 2006 Guidelines, vol. 5 ch. 6, tableaux 6.2 (Bo) et 6.3 (MCF)",
      "GIEC 2013, Wetlands Supplement, ch. 6, tableau 6.4 (filtre à écoulement vertical : MCF 0,01)",
      gwp === GWP.ar5
        ? "GIEC AR5 (2014) : PRG100 CH₄ = 28"
        : "GIEC AR6 (2021) : PRG100 CH₄ non fossile = 27,0",
      "Directive 91/271/CEE, annexe I : DBO5 25 mg/L et DCO 125 mg/L en sortie",
    ],
  });
}

export const FACTOR_SET_IDS = ["fp-2026", "ipcc-2019-vf"] as const;
export type FactorSetId = (typeof FACTOR_SET_IDS)[number];
export const DEFAULT_FACTOR_SET_ID: FactorSetId = "fp-2026";

export function factorSetById(id: FactorSetId, options: Ipcc2019VfOptions = {}): FactorSet {
  return id === "fp-2026" ? FP_2026 : ipcc2019Vf(options);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === "object" && child !== null) deepFreeze(child);
  }
  return Object.freeze(value);
}
