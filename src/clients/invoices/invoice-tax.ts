/**
 * The one place invoice amounts are computed: each line's net, tax and gross, and an invoice's
 * totals, in integer minor units (pence, cents) — never in floating point.
 *
 * A tax rate is a percentage with at most two decimals (0–100), held as basis points (hundredths of
 * a percent: 7.5 % → 750) so the arithmetic stays in integers. Rounding is per line, half-up: a
 * line's tax is `net × bp / 10 000` rounded to the nearest minor unit, halves up (away from zero,
 * since a line's net is never negative). Totals add the rounded lines, so an invoice's tax by rate is
 * the sum of its lines' taxes at that rate, and gross = net + tax on every line and in total.
 * A credit note mirrors its invoice: every amount negated (`sign` −1), the same rounding.
 */

/** A line as stored (quantity, unit price in minor units, tax rate as a percentage). */
export interface TaxedLine {
  quantity: number;
  unit_minor: number;
  tax_rate?: number | undefined;
}

export interface LineAmounts {
  net_minor: number;
  tax_minor: number;
  gross_minor: number;
}

export interface InvoiceTotals {
  net_minor: number;
  /** One entry per rate used, lowest rate first. */
  tax: { rate: number; net_minor: number; tax_minor: number }[];
  tax_minor: number;
  gross_minor: number;
}

/** A percentage as basis points, or undefined when it is not 0–100 with at most two decimals. */
export function rateBasisPoints(rate: number): number | undefined {
  if (!Number.isFinite(rate) || rate < 0 || rate > 100) return undefined;
  const bp = Math.round(rate * 100);
  // 19.99 × 100 is 1998.9999999999998 in binary floating point: near enough to an integer; 0.125 is not.
  return Math.abs(rate * 100 - bp) < 1e-6 ? bp : undefined;
}

/** Whether a number is a tax rate (for the schema). */
export const isTaxRate = (rate: number) => rateBasisPoints(rate) !== undefined;

/** `numerator / denominator` rounded half-up, for a non-negative numerator and positive denominator. */
function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

const safe = (value: bigint): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError('invoice amount out of range');
  return n;
};

function lineBig(line: TaxedLine): { bp: number; net: bigint; tax: bigint } {
  const bp = rateBasisPoints(line.tax_rate ?? 0);
  if (bp === undefined || !Number.isSafeInteger(line.quantity) || !Number.isSafeInteger(line.unit_minor) || line.quantity < 0 || line.unit_minor < 0) throw new RangeError('invalid invoice line');
  const net = BigInt(line.quantity) * BigInt(line.unit_minor);
  return { bp, net, tax: divideHalfUp(net * BigInt(bp), 10_000n) };
}

/** One line's net, tax and gross (negated for a credit note, `sign` −1). */
export function lineAmounts(line: TaxedLine, sign: 1 | -1 = 1): LineAmounts {
  const { net, tax } = lineBig(line);
  const s = BigInt(sign);
  return { net_minor: safe(s * net), tax_minor: safe(s * tax), gross_minor: safe(s * (net + tax)) };
}

/** An invoice's totals: net, tax by rate and gross, from its rounded lines. */
export function invoiceTotals(lines: readonly TaxedLine[], sign: 1 | -1 = 1): InvoiceTotals {
  const byRate = new Map<number, { net: bigint; tax: bigint }>();
  let net = 0n;
  let tax = 0n;
  for (const line of lines) {
    const l = lineBig(line);
    const at = byRate.get(l.bp) ?? { net: 0n, tax: 0n };
    byRate.set(l.bp, { net: at.net + l.net, tax: at.tax + l.tax });
    net += l.net;
    tax += l.tax;
  }
  const s = BigInt(sign);
  return {
    net_minor: safe(s * net),
    tax: [...byRate.entries()].sort(([a], [b]) => a - b).map(([bp, t]) => ({ rate: bp / 100, net_minor: safe(s * t.net), tax_minor: safe(s * t.tax) })),
    tax_minor: safe(s * tax),
    gross_minor: safe(s * (net + tax)),
  };
}
