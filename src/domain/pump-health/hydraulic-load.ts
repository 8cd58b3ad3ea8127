/**
 * The hydraulic load a site's first filter stage receives (issue 17, item 4): the water that entered the lift
 * station's sump in a day spread over the stage's surface, in metres of water a day, beside the nominal load of
 * the site's design. French design of vertical-flow planted filters counts 150 L per population equivalent (EH)
 * and day at the nominal hydraulic load, and about 1.2 m² of first stage per EH (Epnac, « Les filtres plantés de
 * roseaux », table of the water depths applied at nominal load: 37.5 cm/d on the bed being fed, one bed in three).
 * Both loads here are over the whole first stage, so they compare with each other whatever the alternation.
 */

/** Litres of raw water a day per population equivalent at the nominal hydraulic load of French design. */
export const NOMINAL_LITRES_PER_EH_DAY = 150;

export interface HydraulicLoad {
  /** median over the days with a known inflow, m/d; null when no day has one */
  medianMPerDay: number | null;
  /** the highest day, m/d */
  maxMPerDay: number | null;
  /** days above the nominal load (0 without one) */
  daysAboveNominal: number;
  /** EH × 150 L/d over the first stage's surface, m/d; null without an EH */
  nominalMPerDay: number | null;
}

/**
 * `dailyInflowM3`: the sump's inflow per day (null: not known that day); `firstStageM2`: the surface of the first
 * stage; `populationEquivalent`: the site's design capacity, EH (null: not entered).
 */
export function firstStageHydraulicLoad(
  dailyInflowM3: readonly (number | null)[],
  firstStageM2: number,
  populationEquivalent: number | null,
): HydraulicLoad {
  const loads = dailyInflowM3
    .filter((v): v is number => v !== null && Number.isFinite(v))
    .map((v) => v / firstStageM2)
    .sort((a, b) => a - b);
  const nominal =
    populationEquivalent === null
      ? null
      : (populationEquivalent * NOMINAL_LITRES_PER_EH_DAY) / 1000 / firstStageM2;
  const mid = loads.length / 2;
  const median =
    loads.length === 0
      ? null
      : loads.length % 2 === 1
        ? (loads[Math.floor(mid)] as number)
        : ((loads[mid - 1] as number) + (loads[mid] as number)) / 2;
  return {
    medianMPerDay: median,
    maxMPerDay: loads.at(-1) ?? null,
    daysAboveNominal: nominal === null ? 0 : loads.filter((l) => l > nominal).length,
    nominalMPerDay: nominal,
  };
}
