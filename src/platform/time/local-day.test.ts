import { describe, expect, it } from 'vitest';
import { instantAt, wallTimeOf } from './local-day.ts';

const iso = (t: number) => new Date(t).toISOString();

describe('instantAt', () => {
  it('reads a local wall-clock time in its zone on either side of a daylight-saving change', () => {
    expect(iso(instantAt({ y: 2027, m: 3, d: 22, h: 9, min: 0, s: 0 }, 'Europe/London'))).toBe('2027-03-22T09:00:00.000Z');
    expect(iso(instantAt({ y: 2027, m: 3, d: 29, h: 9, min: 0, s: 0 }, 'Europe/London'))).toBe('2027-03-29T08:00:00.000Z');
    expect(iso(instantAt({ y: 2027, m: 3, d: 8, h: 9, min: 0, s: 0 }, 'America/New_York'))).toBe('2027-03-08T14:00:00.000Z');
    expect(iso(instantAt({ y: 2027, m: 3, d: 15, h: 9, min: 0, s: 0 }, 'America/New_York'))).toBe('2027-03-15T13:00:00.000Z');
    expect(iso(instantAt({ y: 2027, m: 6, d: 1, h: 9, min: 30, s: 0 }, 'Asia/Kolkata'))).toBe('2027-06-01T04:00:00.000Z');
  });

  it('moves a skipped time forward by the gap and takes the earlier of a time read twice', () => {
    expect(iso(instantAt({ y: 2027, m: 3, d: 28, h: 1, min: 30, s: 0 }, 'Europe/London'))).toBe('2027-03-28T01:30:00.000Z');
    expect(iso(instantAt({ y: 2027, m: 10, d: 31, h: 1, min: 30, s: 0 }, 'Europe/London'))).toBe('2027-10-31T00:30:00.000Z');
    expect(iso(instantAt({ y: 2027, m: 3, d: 14, h: 2, min: 30, s: 0 }, 'America/New_York'))).toBe('2027-03-14T07:30:00.000Z');
    expect(iso(instantAt({ y: 2027, m: 11, d: 7, h: 1, min: 30, s: 0 }, 'America/New_York'))).toBe('2027-11-07T05:30:00.000Z');
  });

  it('is the inverse of wallTimeOf', () => {
    for (const t of [Date.UTC(2027, 0, 1, 12), Date.UTC(2027, 6, 15, 23, 59, 59)]) {
      for (const zone of ['UTC', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe']) expect(instantAt(wallTimeOf(t, zone), zone)).toBe(t);
    }
  });
});
