import { z } from 'zod';
import { clientView } from '../src/clients/records/client.schema.ts';
import { serializerCompiler } from '../src/platform/http/serialization.ts';
import { type Result, measure, printTable, ratio } from './harness.ts';

// Response serialisation: a route's Zod response schema is its public serialiser (fields it does not
// declare are dropped). What does that cost on the hot reads — one client (GET /api/v1/clients/:id)
// and a page of 200 (GET /api/v1/clients?limit=200) — against bare JSON.stringify?
const N = Number(process.env.BENCH_SERIALIZE ?? 20_000);
const client = (i: number) => ({
  id: `0190a6b2-7c1e-7000-8000-${String(i).padStart(12, '0')}`,
  status: 'active',
  created_at: new Date(1_700_000_000_000 + i).toISOString(),
  updated_at: new Date(1_700_000_000_000 + i).toISOString(),
  fields: {
    name: 'Ada Lovelace',
    email: 'ada.lovelace@example.org',
    phone: '+447700900123',
    postal_address: { line1: '12 St James’s Square', city: 'London', postcode: 'SW1Y 4JH', country: 'GB' },
    date_of_birth: '1815-12-10',
    identifiers: [{ scheme: 'nhs', value: '9434765919' }],
  },
  custom: { referral_source: 'web' },
});
const compile = serializerCompiler();
const one = compile({ schema: clientView, method: 'GET', url: '/api/v1/clients/:id' } as never);
const page = compile({ schema: z.object({ clients: z.array(clientView), next: z.string().nullable().optional() }), method: 'GET', url: '/api/v1/clients' } as never);
const single = client(1);
const many = { clients: Array.from({ length: 200 }, (_, i) => client(i)), next: null };

const singles: Result[] = [await measure('JSON.stringify, one client', N, () => JSON.stringify(single)), await measure('response schema, one client', N, () => one(single))];
printTable('serialise GET /api/v1/clients/:id (ops = responses)', singles, `ratio schema ÷ JSON.stringify: ${ratio(singles[1], singles[0])}; schema cost per response ≈ ${(1e6 / singles[1]!.opsPerSecond - 1e6 / singles[0]!.opsPerSecond).toFixed(1)} µs`);
const pages: Result[] = [await measure('JSON.stringify, 200 clients', N / 100, () => JSON.stringify(many)), await measure('response schema, 200 clients', N / 100, () => page(many))];
printTable('serialise a page of 200 clients (ops = responses)', pages, `ratio schema ÷ JSON.stringify: ${ratio(pages[1], pages[0])}; schema cost per page ≈ ${(1000 / pages[1]!.opsPerSecond - 1000 / pages[0]!.opsPerSecond).toFixed(2)} ms`);
