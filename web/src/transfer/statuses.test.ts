import { describe, expect, it } from 'vitest';
import { distinctWords, guessStatus } from './statuses';

describe("another system's status words", () => {
  it('guesses the usual ones, in English and German, and says nothing of others', () => {
    expect(['Lead', 'Customer', 'Churned', 'on hold', 'Kunde', 'Partner'].map(guessStatus)).toEqual(['lead', 'active', 'former', 'inactive', 'active', null]);
  });
  it('lists each word once, case-folded, first spelling kept', () => {
    expect(distinctWords(['Lead', ' lead ', '', 'Customer', 'LEAD'])).toEqual(['Lead', 'Customer']);
  });
});
