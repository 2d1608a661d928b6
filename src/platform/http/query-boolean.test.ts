import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { queryBoolean } from './query-boolean.ts';

describe('queryBoolean', () => {
  const query = z.object({ flag: queryBoolean(false), on: queryBoolean(true) });

  it.for([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ] as const)('reads %s as %s', ([text, value]) => {
    expect(query.parse({ flag: text, on: text })).toEqual({ flag: value, on: value });
  });

  it('gives the default when the parameter is absent', () => {
    expect(query.parse({})).toEqual({ flag: false, on: true });
  });

  it.for(['yes', 'no', 'TRUE', 'False', '', ' true', '2', 'on'])('refuses %j, naming the parameter', (text) => {
    const result = query.safeParse({ flag: text });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['flag']);
  });

  it('refuses the parameter given twice', () => {
    expect(query.safeParse({ flag: ['true', 'false'] }).success).toBe(false);
  });
});
