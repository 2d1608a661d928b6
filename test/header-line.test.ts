import { describe, expect, it } from 'vitest';
import { headerLineOf } from '../src/clients/import/import.csv.ts';
import { firstRecord } from '../web/src/transfer/csv-head.ts';

/**
 * The header line is cut the same way on both sides of the wire: the wizard (which may not import
 * server code) sends what its `firstRecord` cuts, and the server sniffs the separator from what its
 * `headerLineOf` cuts. Two copies of one small rule, held together here.
 */
describe('the header line, in the browser and on the server', () => {
  const cases = [
    'name,email\nAda,a@x.org',
    'name,email\r\nAda,a@x.org',
    'name,email\rAda,a@x.org',
    '"Hinweise\n(a, b)";Name;E-Mail\nA;b;c',
    '"a ""quoted"" header",b\nx,y',
    'no line break at all',
    '',
  ];
  it('cuts every case alike', () => {
    for (const text of cases) expect(firstRecord(text), JSON.stringify(text)).toBe(headerLineOf(text));
  });
});
