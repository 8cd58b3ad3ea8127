import { describe, expect, it } from "vitest";
import { describeValidation } from "./errors.js";

// Issues as Ajv reports them (the shape Fastify passes on in `error.validation`).
describe("describeValidation", () => {
  it("names the field from the instance path, nested paths with dots and JSON-pointer escapes undone", () => {
    expect(
      describeValidation([{ instancePath: "/messages/3/src", keyword: "type", params: { type: "string" } }]),
    ).toEqual({ field: "messages.3.src", reason: "Valeur attendue : du texte." });
    expect(
      describeValidation([{ instancePath: "/a~1b/c~0d", keyword: "maxLength", params: { limit: 100 } }]),
    ).toEqual({ field: "a/b.c~d", reason: "Texte trop long : 100 caractères au plus." });
  });

  it("names a missing or unknown property, not the object holding it", () => {
    expect(
      describeValidation([{ instancePath: "", keyword: "required", params: { missingProperty: "email" } }]),
    ).toEqual({ field: "email", reason: "Champ obligatoire." });
    expect(
      describeValidation([
        { instancePath: "/params", keyword: "additionalProperties", params: { additionalProperty: "x" } },
      ]),
    ).toEqual({ field: "params.x", reason: "Champ inconnu." });
  });

  it("has no field when the whole body is wrong", () => {
    expect(describeValidation([{ instancePath: "", keyword: "type", params: { type: "object" } }])).toEqual({
      field: null,
      reason: "Valeur attendue : un objet JSON.",
    });
  });

  it("merges the branches of a union at one place into what is allowed", () => {
    const nullableNumber = [
      { instancePath: "/flow_rate_m3h", keyword: "type", params: { type: "number" } },
      { instancePath: "/flow_rate_m3h", keyword: "type", params: { type: "null" } },
      { instancePath: "/flow_rate_m3h", keyword: "anyOf", params: {} },
    ];
    expect(describeValidation(nullableNumber).reason).toBe("Valeur attendue : un nombre ou null.");
    expect(
      describeValidation([{ instancePath: "/x", keyword: "type", params: { type: "number,null" } }]).reason,
    ).toBe("Valeur attendue : un nombre ou null.");
    expect(
      describeValidation([
        { instancePath: "/role", keyword: "const", params: { allowedValue: "admin" } },
        { instancePath: "/role", keyword: "const", params: { allowedValue: "viewer" } },
        { instancePath: "/role", keyword: "anyOf", params: {} },
      ]),
    ).toEqual({ field: "role", reason: "Valeur inconnue ; valeurs possibles : admin, viewer." });
  });

  it("explains a pattern in the field's own words, and never shows the pattern itself", () => {
    const pattern = { keyword: "pattern", params: { pattern: "^([0-3]|switch:[0-3])$" } };
    expect(describeValidation([{ instancePath: "/channel", ...pattern }]).reason).toBe(
      "Canal inconnu : 0 à 3 ou switch:0 à switch:3.",
    );
    expect(describeValidation([{ instancePath: "/code", ...pattern }])).toEqual({
      field: "code",
      reason: "Format invalide.",
    });
  });

  it("writes limits with a decimal comma, and falls back to a plain French sentence", () => {
    expect(
      describeValidation([{ instancePath: "/w", keyword: "exclusiveMinimum", params: { limit: 0.5 } }])
        .reason,
    ).toBe("Valeur trop petite : plus de 0,5 attendu.");
    expect(describeValidation([{ instancePath: "/w", keyword: "if", params: {} }]).reason).toBe(
      "Valeur invalide.",
    );
    expect(describeValidation([]).reason).toBe("Valeur invalide.");
  });
});
