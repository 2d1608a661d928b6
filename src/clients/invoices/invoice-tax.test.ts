import { describe, expect, it } from 'vitest';
import { invoiceTotals, lineAmounts, rateBasisPoints } from './invoice-tax.ts';

describe('invoice tax arithmetic (integer minor units, per line, half-up)', () => {
  it('accepts percentages 0–100 with at most two decimals, despite binary floating point', () => {
    expect([0, 5, 7.5, 19.99, 0.01, 100, 16.67, 0.07, 1.15].map(rateBasisPoints)).toEqual([0, 500, 750, 1999, 1, 10000, 1667, 7, 115]);
    for (const bad of [-0.01, 100.01, 0.125, 19.999, Number.NaN, Number.POSITIVE_INFINITY]) expect(rateBasisPoints(bad), String(bad)).toBeUndefined();
  });

  it('rounds each line’s tax half-up to the minor unit', () => {
    // 0.5 exactly rounds up; just under rounds down.
    expect(lineAmounts({ quantity: 1, unit_minor: 10, tax_rate: 5 })).toEqual({ net_minor: 10, tax_minor: 1, gross_minor: 11 }); // 0.5 → 1
    expect(lineAmounts({ quantity: 1, unit_minor: 9, tax_rate: 5 })).toEqual({ net_minor: 9, tax_minor: 0, gross_minor: 9 }); // 0.45 → 0
    expect(lineAmounts({ quantity: 1, unit_minor: 1, tax_rate: 50 })).toEqual({ net_minor: 1, tax_minor: 1, gross_minor: 2 }); // 0.5 → 1
    expect(lineAmounts({ quantity: 3, unit_minor: 333, tax_rate: 19.99 })).toEqual({ net_minor: 999, tax_minor: 200, gross_minor: 1199 }); // 199.7001
    expect(lineAmounts({ quantity: 1, unit_minor: 7500, tax_rate: 20 })).toEqual({ net_minor: 7500, tax_minor: 1500, gross_minor: 9000 });
    expect(lineAmounts({ quantity: 1, unit_minor: 1000 })).toEqual({ net_minor: 1000, tax_minor: 0, gross_minor: 1000 });
    expect(lineAmounts({ quantity: 1, unit_minor: 0, tax_rate: 100 })).toEqual({ net_minor: 0, tax_minor: 0, gross_minor: 0 });
  });

  it('stays exact at the largest line (beyond 2^53 in the intermediate product)', () => {
    // 10 000 × 100 000 000 = 1e12 net; × 9 999 bp = ~1e16 > Number.MAX_SAFE_INTEGER.
    expect(lineAmounts({ quantity: 10_000, unit_minor: 100_000_000, tax_rate: 99.99 })).toEqual({ net_minor: 1e12, tax_minor: 999_900_000_000, gross_minor: 1_999_900_000_000 });
    expect(lineAmounts({ quantity: 9_999, unit_minor: 99_999_999, tax_rate: 0.01 })).toEqual({ net_minor: 999_899_990_001, tax_minor: 99_989_999, gross_minor: 999_999_980_000 });
  });

  it('totals the rounded lines: per-line rounding, not rounding of the sum; tax grouped by rate', () => {
    // Three lines of 0.5p tax each: each rounds up (3p), where rounding the sum (1.5p) would give 2p.
    const lines = [{ quantity: 1, unit_minor: 10, tax_rate: 5 }, { quantity: 1, unit_minor: 10, tax_rate: 5 }, { quantity: 1, unit_minor: 10, tax_rate: 5 }, { quantity: 2, unit_minor: 1234, tax_rate: 7.5 }, { quantity: 1, unit_minor: 500 }];
    const totals = invoiceTotals(lines);
    expect(totals).toEqual({
      net_minor: 30 + 2468 + 500,
      tax: [{ rate: 0, net_minor: 500, tax_minor: 0 }, { rate: 5, net_minor: 30, tax_minor: 3 }, { rate: 7.5, net_minor: 2468, tax_minor: 185 }],
      tax_minor: 188,
      gross_minor: 2998 + 188,
    });
    expect(totals.gross_minor).toBe(lines.map((l) => lineAmounts(l).gross_minor).reduce((a, b) => a + b, 0));
  });

  it('mirrors a credit note: every amount negated, the same magnitudes', () => {
    const lines = [{ quantity: 1, unit_minor: 10, tax_rate: 5 }, { quantity: 1, unit_minor: 999, tax_rate: 16.67 }];
    const invoice = invoiceTotals(lines);
    const credit = invoiceTotals(lines, -1);
    expect(credit).toEqual({ net_minor: -invoice.net_minor, tax: invoice.tax.map((t) => ({ rate: t.rate, net_minor: -t.net_minor, tax_minor: -t.tax_minor })), tax_minor: -invoice.tax_minor, gross_minor: -invoice.gross_minor });
    expect(lineAmounts(lines[1]!, -1)).toEqual({ net_minor: -999, tax_minor: -167, gross_minor: -1166 });
  });

  it('refuses what no line may hold', () => {
    expect(() => lineAmounts({ quantity: 1, unit_minor: 1, tax_rate: 0.125 })).toThrow(RangeError);
    expect(() => lineAmounts({ quantity: -1, unit_minor: 1 })).toThrow(RangeError);
    expect(() => lineAmounts({ quantity: 1.5, unit_minor: 1 })).toThrow(RangeError);
  });
});
