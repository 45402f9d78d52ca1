// The memory figures of a soak run and the trend it is judged by (test/soak-harness.ts explains the limits).

/** The trend thresholds documented in test/soak-harness.ts. */
export const MAX_SLOPE_MB_PER_MIN = 20;
export const MAX_LATE_GROWTH = 0.15;

/** Least-squares slope of y over x. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);
export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** RSS is sampled this often; the floor is the minimum of each window of FLOOR_WINDOW_SECONDS. */
export const SAMPLE_EVERY_MS = 250;
const FLOOR_WINDOW_SECONDS = 2;

/**
 * The memory figures of the summary, from samples taken `t` seconds into a run of `duration` seconds.
 * `slopeMbPerMin` fits every sample of the second half; the judgement uses `floorSlopeMbPerMin`, the fit of the
 * floor (the least RSS of each 2 s window): responses of a few hundred KB (the whole-plan report) make RSS jump
 * by 20-50 MB and fall back within a second or two, which moves a fit of raw samples over 30 s by tens of MB/min
 * either way, while a leak raises the floor.
 */
export function memoryTrend(samples: { t: number; mb: number }[], duration: number) {
  const ys = samples.map((s) => s.mb);
  const within = (from: number, to: number) => samples.filter((s) => s.t >= from * duration && s.t < to * duration).map((s) => s.mb);
  const secondHalf = samples.filter((s) => s.t >= duration / 2).map((s) => ({ x: s.t / 60, y: s.mb }));
  const floors: { t: number; mb: number }[] = [];
  for (let from = 0; from < duration; from += FLOOR_WINDOW_SECONDS) {
    const inWindow = samples.filter((s) => s.t >= from && s.t < from + FLOOR_WINDOW_SECONDS).map((s) => s.mb);
    if (inWindow.length > 0) floors.push({ t: from + FLOOR_WINDOW_SECONDS / 2, mb: Math.min(...inWindow) });
  }
  const floorSecondHalf = floors.filter((f) => f.t >= duration / 2).map((f) => ({ x: f.t / 60, y: f.mb }));
  const slopeMbPerMin = slope(secondHalf);
  const floorSlopeMbPerMin = slope(floorSecondHalf);
  const secondQuarterMeanMb = mean(within(0.25, 0.5));
  const lastQuarterMeanMb = mean(within(0.75, 1.01));
  const trendOk =
    floorSecondHalf.length >= 3 &&
    floorSlopeMbPerMin < MAX_SLOPE_MB_PER_MIN &&
    lastQuarterMeanMb <= secondQuarterMeanMb * (1 + MAX_LATE_GROWTH);
  return {
    rss: {
      samples: samples.length,
      minMb: round(Math.min(...ys)),
      maxMb: round(Math.max(...ys)),
      firstMb: round(ys[0] ?? 0),
      lastMb: round(ys[ys.length - 1] ?? 0),
      secondQuarterMeanMb: round(secondQuarterMeanMb),
      lastQuarterMeanMb: round(lastQuarterMeanMb),
      /** The floor of each 2 s window, whole run. */
      floorSeriesMb: floors.map((f) => Math.round(f.mb)),
    },
    slopeMbPerMin: round(slopeMbPerMin, 2),
    floorSlopeMbPerMin: round(floorSlopeMbPerMin, 2),
    trendOk,
  };
}
