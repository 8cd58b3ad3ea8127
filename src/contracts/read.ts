import { type Static, Type } from "typebox";
import { CYCLE_SORT_KEYS } from "../domain/cycle-order.js";

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const ChannelParam = Type.String({
  pattern: "^([0-3]|switch:[0-3])$",
  description: "canal 0–3, ou « switch:N »",
});

export const PumpTypeSchema = Type.Union([
  Type.Literal("relevage"),
  Type.Literal("sortie"),
  Type.Literal("autre"),
]);

export const DevicesResponse = Type.Object({
  devices: Type.Array(
    Type.Object({
      device_id: Type.String(),
      name: Type.String({ description: "nom choisi, ou l'identifiant technique à défaut" }),
      model: Nullable(Type.String()),
      last_seen: Type.String({ format: "date-time" }),
      channels: Type.Array(
        Type.Object({
          channel: Type.Integer(),
          name: Type.String({ description: "nom choisi (« PR1 »), ou « switch:N » à défaut" }),
          pump_type: Nullable(PumpTypeSchema),
        }),
      ),
    }),
  ),
});

export const CyclesQuery = Type.Object({
  device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  channel: Type.Optional(ChannelParam),
  from: Type.Optional(
    Type.String({ description: "instant ISO avec fuseau, ou date AAAA-MM-JJ (fuseau du site)" }),
  ),
  to: Type.Optional(Type.String({ description: "instant ISO, ou date AAAA-MM-JJ incluse entière" })),
  include_noise: Type.Optional(Type.Boolean({ default: false })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1_000 })),
  factor_set: Type.Optional(Type.Union([Type.Literal("fp-2026"), Type.Literal("ipcc-2019-vf")])),
  reference: Type.Optional(
    Type.Union([Type.Literal("untreated"), Type.Literal("septic"), Type.Literal("aerobic")], {
      description: "scénario de référence de ipcc-2019-vf",
    }),
  ),
  volume_method: Type.Optional(
    Type.Union([Type.Literal("flow_rate"), Type.Literal("volumetric")], {
      default: "flow_rate",
      description:
        "flow_rate : durée de marche × débit effectif (comme avant) ; volumetric : le volume mesuré de chaque " +
        "cycle (Q·t1, volume utile de la bâche connu), à défaut le débit effectif",
    }),
  ),
});
export type CyclesQuery = Static<typeof CyclesQuery>;

/** The CSV takes the table's query plus its sort, so the file lists the rows in the table's order. */
export const CyclesCsvQuery = Type.Object({
  ...CyclesQuery.properties,
  sort: Type.Optional(
    Type.Union(
      CYCLE_SORT_KEYS.map((k) => Type.Literal(k)),
      {
        description: "colonne du tri du tableau ; absent : ordre d'origine (les plus récents d'abord)",
      },
    ),
  ),
  order: Type.Optional(Type.Union([Type.Literal("desc"), Type.Literal("asc")], { default: "desc" })),
});
export type CyclesCsvQuery = Static<typeof CyclesCsvQuery>;

export const CycleItem = Type.Object({
  device_id: Type.String(),
  channel: Type.Integer(),
  date: Type.String({
    format: "date",
    description:
      "jour local du démarrage, dans le fuseau du site où était le compteur à ce moment-là (celui des volumes journaliers)",
  }),
  start: Type.String({ format: "date-time" }),
  end: Nullable(Type.String({ format: "date-time" })),
  ongoing: Type.Boolean(),
  samples: Type.Integer(),
  duration_min: Type.Number({ description: "dernier − premier relevé actif (comme avant)" }),
  runtime_min: Type.Number({
    description: "durée de marche estimée (énergie par minute) : base des volumes",
  }),
  avg_power_w: Type.Number(),
  avg_current_a: Nullable(Type.Number()),
  median_voltage_v: Nullable(Type.Number()),
  energy_kwh: Type.Number(),
  pump_type: Nullable(PumpTypeSchema),
  flow_rate_m3h: Nullable(Type.Number()),
  volume_m3: Nullable(Type.Number()),
  co2e_avoided_kg: Nullable(Type.Number()),
  noise: Type.Boolean(),
});

export const CyclesSummary = Type.Object({
  cycles: Type.Integer(),
  ongoing: Type.Integer(),
  avg_duration_min: Nullable(Type.Number()),
  median_power_w: Nullable(Type.Number()),
  power_range_w: Nullable(Type.Tuple([Type.Number(), Type.Number()])),
  median_current_a: Nullable(Type.Number()),
  current_range_a: Nullable(Type.Tuple([Type.Number(), Type.Number()])),
  treated_volume_m3: Type.Number(),
  treated_volume_per_day_m3: Type.Number(),
  whole_days: Type.Integer(),
  monitored_days: Type.Integer({
    description:
      "jours entiers de la période où le compteur était suivi (un relevé ce jour-là, ou un historique importé) : le diviseur de treated_volume_per_day_m3",
  }),
  energy_kwh: Type.Number({
    description:
      "toute l'énergie mesurée par le compteur sur la période : celle des cycles (bruit et cycle en cours compris) et celle mesurée hors cycle",
  }),
  idle_energy_kwh: Type.Number({
    description: "dont l'énergie mesurée hors de tout cycle (consommation à vide, bruit), 3 décimales",
  }),
  co2e_avoided_kg: Type.Number(),
  ch4_avoided_kg: Type.Number(),
  mes_retained_kg: Type.Number({
    description: "MES retenues : volume traité × MES / 1000 (indicateur physique)",
  }),
  electricity_co2e_kg: Nullable(
    Type.Number({ description: "CO₂e émis par l'électricité des pompes (jamais déduit)" }),
  ),
  grid_factor_source: Nullable(Type.String()),
  noise_cycles: Type.Integer(),
  cycles_without_flow_rate: Type.Integer(),
  reduction_percent: Type.Number(),
  factor_set: Type.String(),
  volume_method: Type.Union([Type.Literal("flow_rate"), Type.Literal("volumetric")], {
    description: "méthode des volumes du résumé et des cycles",
  }),
});

/**
 * The two fields of every answer computed from the stored cycles (cycles, backtest, pump health) while received
 * readings are still being turned into cycles (a backfill, an import; issue 20).
 */
export const RefreshingFields = {
  refreshing: Type.Optional(
    Type.Boolean({
      description:
        "présent et vrai quand des relevés reçus (rattrapage, import) ne sont pas encore tous pris en compte : " +
        "la réponse repose sur les cycles déjà calculés, en cours de mise à jour (résultat provisoire)",
    }),
  ),
  pending_since: Type.Optional(
    Type.String({
      format: "date-time",
      description: "avec refreshing : réception du plus ancien relevé pas encore pris en compte",
    }),
  ),
};

export const CyclesResponse = Type.Object({
  cycles: Type.Array(CycleItem),
  total: Type.Integer({
    description: "cycles de la période (le résumé les couvre tous, quelle que soit la limite)",
  }),
  summary: CyclesSummary,
  ...RefreshingFields,
});

export const SeriesQuery = Type.Object({
  device_id: Type.String({ minLength: 1, maxLength: 128 }),
  channel: Type.Optional(ChannelParam),
  period: Type.Optional(
    Type.Union([Type.Literal("24h"), Type.Literal("7d"), Type.Literal("30d")], { default: "24h" }),
  ),
  end: Type.Optional(Type.String({ description: "date AAAA-MM-JJ : fin de ce jour ; absent : maintenant" })),
});

export const SeriesResponse = Type.Object({
  start: Type.String({ format: "date-time" }),
  end: Type.String({ format: "date-time" }),
  bucket_seconds: Type.Integer(),
  series: Type.Array(
    Type.Object({
      channel: Type.Integer(),
      name: Type.String(),
      t: Type.Array(Type.String({ format: "date-time" })),
      power_w: Type.Array(Type.Number()),
      current_a: Type.Array(Type.Number()),
      active_min: Type.Optional(
        Type.Array(Type.Integer(), {
          description: "minutes de marche (relevés au-dessus du seuil d'activité) de chaque pas",
        }),
      ),
    }),
  ),
});

export const SiteResponse = Type.Object({
  time_zone: Type.String({
    description: "fuseau IANA du site (APP_TIMEZONE), dans lequel dates et heures sont lues",
  }),
  public_dashboard: Type.Boolean({ description: "le tableau de bord est ouvert sans connexion" }),
});
export type SiteResponse = Static<typeof SiteResponse>;

// ---- Pump health (issue 17) ------------------------------------------------------------------------------

export const PumpHealthQuery = Type.Object({
  device_id: Type.String({ minLength: 1, maxLength: 128 }),
  channel: ChannelParam,
  from: Type.Optional(
    Type.String({
      description: "date AAAA-MM-JJ (fuseau du site), ou instant ISO avec fuseau ; défaut : 30 jours",
    }),
  ),
  to: Type.Optional(Type.String({ description: "date AAAA-MM-JJ incluse entière, ou instant ISO" })),
});
export type PumpHealthQuery = Static<typeof PumpHealthQuery>;

export const PumpHealthDay = Type.Object({
  date: Type.String({ description: "jour local AAAA-MM-JJ" }),
  starts: Type.Integer({ description: "démarrages de cette pompe (cycles hors bruit)" }),
  runtime_min: Type.Number(),
  energy_kwh: Type.Number(),
  measured_flow_m3h: Nullable(
    Type.Number({
      description:
        "médiane des débits mesurés (méthode volumétrique) des cycles qualifiés du jour ; null : aucun",
    }),
  ),
  pumped_m3: Nullable(
    Type.Number({
      description: "eau relevée par cette pompe : Σ Q·t1 (un cycle non qualifié au débit du jour)",
    }),
  ),
  inflow_m3: Nullable(Type.Number({ description: "eau entrée dans la bâche ce jour (toutes ses pompes)" })),
  kwh_per_m3: Nullable(Type.Number({ description: "énergie / eau relevée" })),
});

export const PumpHealthResponse = Type.Object({
  device_id: Type.String(),
  channel: Type.Integer(),
  baseline_flow_m3h: Nullable(
    Type.Number({
      description:
        "médiane des débits mesurés des 14 premiers jours qui en ont un, depuis le dernier changement de modèle " +
        "ou de débit effectif de la pompe, ou sa dernière révision (journal) ; null : pas encore 14 jours",
    }),
  ),
  flow_change_percent: Nullable(
    Type.Number({ description: "médiane des 7 derniers jours de la période contre la référence, %" }),
  ),
  days: Type.Array(PumpHealthDay),
  sump: Type.String({ description: "bâche de la pompe (configuration du dernier jour de la période)" }),
  sump_channels: Type.Array(Type.Integer(), { description: "les pompes de cette bâche, elle comprise" }),
  ...RefreshingFields,
});
