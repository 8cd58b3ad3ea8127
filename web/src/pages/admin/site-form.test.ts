import { describe, expect, it } from "vitest";
import { EMPTY_SITE, siteBody } from "./site-form";

describe("site form", () => {
  it("turns French input into the service's body", () => {
    const { body, errors } = siteBody({
      ...EMPTY_SITE,
      name: "  Station de Nianing ",
      timeZone: "Africa/Dakar",
      populationEquivalent: "1 200",
      latitude: "14,43",
      longitude: "-16,95",
      surfaces: "120 ; 80,5",
    });
    expect(errors).toEqual({});
    expect(body).toEqual({
      name: "Station de Nianing",
      time_zone: "Africa/Dakar",
      population_equivalent: 1200,
      sandre_code: null,
      location: null,
      latitude: 14.43,
      longitude: -16.95,
      filter_stage_surfaces_m2: [120, 80.5],
    });
  });

  it("names every wrong field and sends nothing", () => {
    const { body, errors } = siteBody({
      ...EMPTY_SITE,
      timeZone: "Europe/Nulle-Part",
      populationEquivalent: "12,5",
      latitude: "91",
      longitude: "abc",
      surfaces: "120 ; 0 ; 3 ; 4 ; 5",
    });
    expect(body).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(
      ["latitude", "longitude", "name", "populationEquivalent", "surfaces", "timeZone"].sort(),
    );
    expect(errors.timeZone).toContain("Fuseau horaire inconnu");
  });
});
