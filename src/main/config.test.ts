import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { isAppError } from '../platform/errors/app-error.ts';
import { loadConfig } from './config.ts';

function configError(env: NodeJS.ProcessEnv): Error {
  try {
    loadConfig(env);
  } catch (error) {
    expect(isAppError(error, 'CONFIG_INVALID')).toBe(true);
    return error as Error;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('has safe defaults: ./data, 127.0.0.1:8080, SQLite, no TLS', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ dataDir: path.resolve('data'), port: 8080, host: '127.0.0.1', databaseUrl: undefined, tls: undefined });
    expect(config.publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('lets flags win over the environment', () => {
    const config = loadConfig({ PORT: '9000', HOST: '0.0.0.0', CONFIDANT_DATA: '/tmp/a' }, { port: '9100', dataDir: '/tmp/b' });
    expect(config).toMatchObject({ port: 9100, host: '0.0.0.0', dataDir: '/tmp/b', publicUrl: 'http://127.0.0.1:9100' });
  });

  it('names the setting in one line and never echoes a connection string', () => {
    expect(configError({ PORT: 'eighty' }).message).toBe('PORT must be a whole number between 1 and 65535');
    expect(configError({ PORT: '70000' }).message).toMatch(/^PORT /);
    const db = configError({ DATABASE_URL: 'mysql://user:hunter2@db/x' });
    expect(db.message).toMatch(/^DATABASE_URL must be a postgres/);
    expect(db.message).not.toContain('hunter2');
    expect(configError({ CONFIDANT_LOG_LEVEL: 'loud' }).message).toMatch(/^CONFIDANT_LOG_LEVEL must be one of/);
    expect(configError({ CONFIDANT_PUBLIC_URL: 'ftp://x' }).message).toMatch(/^CONFIDANT_PUBLIC_URL /);
    expect(configError({ CONFIDANT_TLS_CERT: '/nonexistent/cert.pem' }).message).toMatch(/^CONFIDANT_TLS_KEY must be set/);
    expect(configError({ CONFIDANT_TLS_CERT: '/nonexistent/c.pem', CONFIDANT_TLS_KEY: '/nonexistent/k.pem' }).message).toMatch(
      /^CONFIDANT_TLS_CERT names a file that does not exist/,
    );
  });

  it('refuses a database on another machine without TLS, naming the setting and not the URL', () => {
    const remote = configError({ DATABASE_URL: 'postgres://crm:hunter2@db.example.org/confidant' });
    expect(remote.message).toMatch(/^DATABASE_URL reaches a database on another machine without TLS: add sslmode=verify-full/);
    expect(remote.message).not.toContain('hunter2');
    expect(configError({ CONFIDANT_KEYSTORE_URL: 'postgres://keys.example.org/k' }).message).toMatch(/^CONFIDANT_KEYSTORE_URL reaches/);
    expect(loadConfig({ DATABASE_URL: 'postgres://crm@db.example.org/confidant?sslmode=verify-full' }).keystoreUrl).toContain('sslmode=verify-full');
    expect(loadConfig({ DATABASE_URL: 'postgres://crm@localhost/confidant' }).databaseUrl).toBeDefined();
    expect(loadConfig({ DATABASE_URL: 'postgres:///confidant?host=/var/run/postgresql' }).databaseUrl).toBeDefined();
  });

  it('reads the trusted reverse proxies as addresses or CIDR ranges', () => {
    expect(loadConfig({ CONFIDANT_TRUSTED_PROXY: '127.0.0.1, 10.0.0.0/8' }).trustedProxy).toEqual(['127.0.0.1', '10.0.0.0/8']);
    expect(loadConfig({}).trustedProxy).toBeUndefined();
    expect(configError({ CONFIDANT_TRUSTED_PROXY: 'proxy.example.org' }).message).toMatch(/^CONFIDANT_TRUSTED_PROXY must be the addresses or CIDR ranges/);
  });

  it('accepts PostgreSQL connection strings and an explicit public URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://u@127.0.0.1:5432/db', CONFIDANT_PUBLIC_URL: 'https://crm.example.org/' });
    expect(config.databaseUrl).toBe('postgresql://u@127.0.0.1:5432/db');
    expect(config.publicUrl).toBe('https://crm.example.org');
  });

  it('takes a heads directory outside the data directory, and refuses one inside it, symbolic links included', () => {
    expect(loadConfig({}).headsDir).toBeUndefined();
    expect(loadConfig({ CONFIDANT_HEADS_DIR: ' ' }).headsDir).toBeUndefined();
    expect(loadConfig({ CONFIDANT_DATA: '/srv/confidant/data', CONFIDANT_HEADS_DIR: '/srv/confidant/heads' }).headsDir).toBe('/srv/confidant/heads');
    expect(loadConfig({ CONFIDANT_DATA: '/srv/data', CONFIDANT_HEADS_DIR: '/srv/data-heads' }).headsDir).toBe('/srv/data-heads');
    const inside = /^CONFIDANT_HEADS_DIR must be a directory outside the data directory \(CONFIDANT_DATA\)/;
    expect(configError({ CONFIDANT_DATA: '/srv/data', CONFIDANT_HEADS_DIR: '/srv/data' }).message).toMatch(inside);
    expect(configError({ CONFIDANT_DATA: '/srv/data', CONFIDANT_HEADS_DIR: '/srv/data/keys/../heads' }).message).toMatch(inside);
    const root = mkdtempSync(path.join(tmpdir(), 'confidant-config-'));
    try {
      mkdirSync(path.join(root, 'data'));
      symlinkSync(path.join(root, 'data'), path.join(root, 'link'));
      expect(configError({ CONFIDANT_DATA: path.join(root, 'data'), CONFIDANT_HEADS_DIR: path.join(root, 'link', 'heads') }).message).toMatch(inside);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
