/**
 * Point-in-polygon for GeoJSON Polygon and MultiPolygon shapes (WGS84, [lon, lat] order).
 * Pure functions; holes are honoured (even-odd rule per polygon).
 */
import { z } from "zod";

const PositionSchema = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]).rest(z.number());
const RingSchema = z.array(PositionSchema).min(4, "a ring needs at least four positions (closed)");

/** A GeoJSON geometry that can hold a wijk. */
export const ShapeSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("Polygon"), coordinates: z.array(RingSchema).min(1) }),
  z.object({ type: z.literal("MultiPolygon"), coordinates: z.array(z.array(RingSchema).min(1)).min(1) }),
]);
export type Shape = z.infer<typeof ShapeSchema>;
type Ring = z.infer<typeof RingSchema>;

/** True when the point lies inside the ring (ray casting). */
function ringContains(ring: Ring, lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] ?? [0, 0];
    const [xj, yj] = ring[j] ?? [0, 0];
    if (xi === undefined || yi === undefined || xj === undefined || yj === undefined) continue;
    const crosses = yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi;
    if (crosses) inside = !inside;
  }
  return inside;
}

/** True when the point (lat, lon) lies inside the shape and outside its holes. */
export function shapeContains(shape: Shape, lat: number, lon: number): boolean {
  const polygons = shape.type === "Polygon" ? [shape.coordinates] : shape.coordinates;
  return polygons.some(([outer, ...holes]) => outer !== undefined && ringContains(outer, lon, lat) && !holes.some((hole) => ringContains(hole, lon, lat)));
}

/** The approximate area of a shape in square degrees (to prefer the smaller of overlapping wijken). */
export function shapeArea(shape: Shape): number {
  const ringArea = (ring: Ring) => {
    let sum = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i];
      const b = ring[j];
      if (a && b) sum += (b[0] - a[0]) * (b[1] + a[1]);
    }
    return Math.abs(sum / 2);
  };
  const polygons = shape.type === "Polygon" ? [shape.coordinates] : shape.coordinates;
  return polygons.reduce((total, [outer, ...holes]) => total + (outer ? ringArea(outer) : 0) - holes.reduce((h, ring) => h + ringArea(ring), 0), 0);
}

/** A closed rectangle ring from latitude and longitude bounds. */
export function boxRing(lat: [number, number], lon: [number, number]): Array<[number, number]> {
  return [
    [lon[0], lat[0]],
    [lon[1], lat[0]],
    [lon[1], lat[1]],
    [lon[0], lat[1]],
    [lon[0], lat[0]],
  ];
}

/** Parses stored shape text; null when absent or not a valid shape. */
export function parseShape(text: string | null): Shape | null {
  if (!text) return null;
  try {
    const parsed = ShapeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
