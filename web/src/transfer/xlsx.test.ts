import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/browser/esm/sync';
import { formatCell, rowsToCsv } from './xlsx';

describe('rowsToCsv: a sheet as the CSV the import reads', () => {
  it('writes dates of birth as ISO days from their UTC parts, whatever the time zone', () => {
    // read-excel-file gives a date cell as that day's midnight UTC.
    expect(formatCell(new Date(Date.UTC(1990, 1, 3)))).toBe('1990-02-03');
    expect(formatCell(new Date(Date.UTC(2001, 11, 31)))).toBe('2001-12-31');
    expect(formatCell(new Date(Date.UTC(1905, 0, 1)))).toBe('1905-01-01');
    expect(formatCell(new Date(Date.UTC(2024, 4, 1, 10, 30)))).toBe('2024-05-01 10:30');
    expect(formatCell(new Date(Date.UTC(2024, 4, 1, 10, 30, 5)))).toBe('2024-05-01 10:30:05');
    expect(formatCell(new Date(Number.NaN))).toBe('');
  });

  it('writes numbers in full, never in exponent form (a phone typed as a number stays its digits)', () => {
    expect(formatCell(447700900123)).toBe('447700900123');
    expect(formatCell(4915112345678)).toBe('4915112345678');
    expect(formatCell(12.5)).toBe('12.5');
    expect(formatCell(0)).toBe('0');
    expect(formatCell(-3)).toBe('-3');
    expect(formatCell(1e21)).toBe('1000000000000000000000');
    expect(formatCell(1.5e-7)).toBe('0.00000015');
    expect(formatCell(Number.NaN)).toBe('');
  });

  it('writes booleans as true/false and empty cells as nothing', () => {
    expect([true, false, null, undefined, ''].map(formatCell)).toEqual(['true', 'false', '', '', '']);
  });

  it('quotes cells with a comma, a quote or a line break (RFC 4180), so the parser reads the same cells back', () => {
    const rows = [
      ['Name', 'Notes', 'DOB', 'Mobile'],
      ['Lee, Ann', 'said "hello"', new Date(Date.UTC(1990, 1, 3)), 447700900123],
      ['Bo', 'two\nlines\r\nhere', null, true],
    ];
    const csv = rowsToCsv(rows);
    expect(csv).toBe('Name,Notes,DOB,Mobile\r\n"Lee, Ann","said ""hello""",1990-02-03,447700900123\r\nBo,"two\nlines\r\nhere",,true\r\n');
    expect(parse(csv)).toEqual([
      ['Name', 'Notes', 'DOB', 'Mobile'],
      ['Lee, Ann', 'said "hello"', '1990-02-03', '447700900123'],
      ['Bo', 'two\nlines\r\nhere', '', 'true'],
    ]);
  });

  it('gives every row the width of the widest and drops rows with no value (the import refuses ragged rows)', () => {
    const csv = rowsToCsv([['First Name', 'Last Name', 'E-mail'], ['Ann'], [null, null], [], ['Bo', 'Lee', 'bo@example.org', 'stray']]);
    expect(csv).toBe('First Name,Last Name,E-mail,\r\nAnn,,,\r\nBo,Lee,bo@example.org,stray\r\n');
    expect(rowsToCsv([])).toBe('');
  });
});

describe('a workbook through read-excel-file and rowsToCsv', () => {
  it('reads a date cell as a Date and a numeric phone as a number, and writes both as the import expects', async () => {
    const { default: writeXlsxFile } = await import('write-excel-file/node');
    const { readSheet } = await import('read-excel-file/universal');
    const buffer = await writeXlsxFile([
      ['First Name', 'DOB', 'Mobile', 'Member'],
      ['Ann', { value: new Date(Date.UTC(1990, 1, 3)), type: Date, format: 'dd/mm/yyyy' }, 447700900123, true],
    ]).toBuffer();
    const rows = await readSheet(new Blob([new Uint8Array(buffer)]));
    expect(rows[1]?.[1]).toBeInstanceOf(Date);
    expect(rowsToCsv(rows as never)).toBe('First Name,DOB,Mobile,Member\r\nAnn,1990-02-03,447700900123,true\r\n');
  });
});
