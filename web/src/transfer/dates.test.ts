import { describe, expect, it } from 'vitest';
import { guessDateOrder } from './dates';

describe('guessDateOrder', () => {
  it('reads the order from what the values say, and the browser only when they say nothing', () => {
    expect(guessDateOrder(['1990-04-03', '', '1985-12-31'], 'de-DE')).toBe('ymd');
    expect(guessDateOrder(['03.04.1990'], 'en-US')).toBe('dmy');
    expect(guessDateOrder(['03/04/1990', '25/12/1980'], 'en-US')).toBe('dmy');
    expect(guessDateOrder(['03/04/1990', '12/25/1980'], 'en-GB')).toBe('mdy');
    expect(guessDateOrder(['03/04/1990'], 'en-US')).toBe('mdy');
    expect(guessDateOrder(['03/04/1990'], 'en-GB')).toBe('dmy');
  });
});
