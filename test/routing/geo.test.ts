import { describe, expect, it } from "vitest";
import { boxRing, parseShape, shapeArea, shapeContains, type Shape } from "../../src/routing/geo.ts";

const square: Shape = { type: "Polygon", coordinates: [boxRing([51.4, 51.5], [5.5, 5.6])] };
const withHole: Shape = { type: "Polygon", coordinates: [boxRing([51.4, 51.5], [5.5, 5.6]), boxRing([51.44, 51.46], [5.54, 5.56])] };
const multi: Shape = { type: "MultiPolygon", coordinates: [[boxRing([51.0, 51.1], [5.0, 5.1])], [boxRing([52.0, 52.1], [6.0, 6.1])]] };

describe("point in polygon", () => {
  it("finds a point inside and outside a rectangle", () => {
    expect(shapeContains(square, 51.45, 5.55)).toBe(true);
    expect(shapeContains(square, 51.55, 5.55)).toBe(false);
    expect(shapeContains(square, 51.45, 5.65)).toBe(false);
  });
  it("honours holes", () => {
    expect(shapeContains(withHole, 51.45, 5.55)).toBe(false);
    expect(shapeContains(withHole, 51.42, 5.52)).toBe(true);
  });
  it("handles every part of a MultiPolygon", () => {
    expect(shapeContains(multi, 51.05, 5.05)).toBe(true);
    expect(shapeContains(multi, 52.05, 6.05)).toBe(true);
    expect(shapeContains(multi, 51.5, 5.5)).toBe(false);
  });
  it("handles a concave shape (an L)", () => {
    const l: Shape = {
      type: "Polygon",
      coordinates: [
        [
          [0, 0],
          [2, 0],
          [2, 1],
          [1, 1],
          [1, 2],
          [0, 2],
          [0, 0],
        ],
      ],
    };
    expect(shapeContains(l, 0.5, 0.5)).toBe(true);
    expect(shapeContains(l, 1.5, 0.5)).toBe(true);
    expect(shapeContains(l, 1.5, 1.5)).toBe(false);
  });
  it("computes areas net of holes", () => {
    expect(shapeArea(square)).toBeCloseTo(0.01, 6);
    expect(shapeArea(withHole)).toBeCloseTo(0.01 - 0.0004, 6);
  });
  it("parses stored shapes and rejects broken ones", () => {
    expect(parseShape(JSON.stringify(square))).toEqual(square);
    expect(parseShape("{")).toBeNull();
    expect(parseShape(JSON.stringify({ type: "Point", coordinates: [5, 51] }))).toBeNull();
    expect(parseShape(null)).toBeNull();
  });
});
