import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeDir, exampleEnv, interpolate, interpolatedNames, loadCompose, readEnvFile, serviceEnv } from './compose.js';
import { dockerfileRuntime, loadYaml, platformEnvVars, plannedServices, repoRoot, shippedServices } from './files.js';
import type { Obj } from './manifests.js';
import { embedded, embeddedUnset, everyProcess, gatewayOnly, missing, serviceOnly } from './roles.js';

const compose = loadCompose('docker-compose.yml');
const embeddedCompose = loadCompose('docker-compose.embedded.yml');
const env = exampleEnv();
const services = compose.services as Record<string, Obj>;
const runtime = dockerfileRuntime();

/** Containers running the platform image (the root Dockerfile), by Compose service name. */
const platformServices = (file: Obj) =>
  Object.entries(file.services as Record<string, Obj>).filter(([, s]) => s.build && resolve(composeDir, s.build.context) === resolve(repoRoot));

const platform = new Map(platformServices(compose));
const serviceIds = [...platform.keys()].filter((name) => name !== 'gateway');

/** What a container's process sees: the image's ENV, then the Compose environment. */
const effectiveEnv = (service: Obj) => new Map([...Object.entries(runtime.env), ...serviceEnv(service, env)]);

describe('docker-compose.yml', () => {
  it('has only known top-level keys', () => {
    for (const key of Object.keys(compose)) expect(['name', 'services', 'volumes', 'networks', 'configs', 'secrets'].includes(key) || key.startsWith('x-'), key).toBe(true);
  });

  it('runs a gateway and one service container for every service the CLI ships', () => {
    expect(platform.has('gateway')).toBe(true);
    expect(missing(serviceIds, shippedServices())).toEqual([]);
    // Containers for the planned services are ready for when they ship; nothing else.
    expect(missing(serviceIds, plannedServices)).toEqual([]);
    expect(missing(plannedServices, serviceIds)).toEqual([]);
  });

  it('builds every platform container from the root Dockerfile into one image', () => {
    const images = new Set([...platform.values()].map((s) => s.image));
    expect(images.size).toBe(1);
    for (const [name, s] of platform) {
      expect(existsSync(join(resolve(composeDir, s.build.context), s.build.dockerfile ?? 'Dockerfile')), name).toBe(true);
    }
    expect(runtime.from.at(-1)).toMatch(/^node:24-bookworm-slim\b/);
    expect(runtime.entrypoint).toEqual(['node', 'apps/cli/dist/main.js']);
    expect(runtime.cmd).toEqual(['start']);
    expect(runtime.user && runtime.user !== 'root' && runtime.user !== '0').toBeTruthy();
  });

  it('gives each container the command of its role', () => {
    expect(platform.get('gateway')!.command).toEqual(['gateway']);
    for (const id of serviceIds) {
      expect(platform.get(id)!.command, id).toEqual(['service', id]);
      expect(serviceEnv(platform.get(id)!, env).get('MSO_SERVICES'), id).toBe(id);
    }
  });

  it('always runs tenancy and the gateway; every other service is a profile of its own name', () => {
    expect(platform.get('gateway')!.profiles).toBeUndefined();
    expect(platform.get('tenancy')!.profiles).toBeUndefined();
    for (const id of serviceIds.filter((s) => s !== 'tenancy')) expect(platform.get(id)!.profiles, id).toEqual([id]);
    // The example .env turns on only services the image ships.
    const profiles = (env.get('COMPOSE_PROFILES') ?? '').split(',').filter(Boolean);
    expect(missing(shippedServices(), profiles)).toEqual([]);
  });

  it('sets every variable the platform reads, for each role', () => {
    const read = [...platformEnvVars().keys()];
    const union = new Set<string>();
    for (const [name, s] of platform) {
      const vars = effectiveEnv(s);
      vars.forEach((_v, k) => union.add(k));
      const wanted = name === 'gateway' ? [...everyProcess, ...gatewayOnly] : [...everyProcess, ...serviceOnly];
      expect(missing(vars.keys(), wanted), name).toEqual([]);
      expect(vars.get('NODE_ENV'), name).toBe('production');
    }
    expect(missing(union, read)).toEqual([]);
  });

  it('points the platform at the NATS, PostgreSQL and collector containers of this file', () => {
    const nats = services.nats!;
    expect(nats.command).toEqual(expect.arrayContaining(['-js', '-sd']));
    const storeDir = nats.command[nats.command.indexOf('-sd') + 1];
    expect(nats.volumes.some((v: string) => v.endsWith(`:${storeDir}`))).toBe(true);

    const pg = serviceEnv(services.postgres!, env);
    for (const [name, s] of platform) {
      const vars = serviceEnv(s, env);
      expect(new URL(vars.get('NATS_URL')!).host, name).toBe('nats:4222');
      const otlp = new URL(vars.get('OTEL_EXPORTER_OTLP_ENDPOINT')!);
      expect(otlp.hostname in services, name).toBe(true);
      if (name === 'gateway') continue;
      const db = new URL(vars.get('DATABASE_URL')!);
      expect([db.hostname, db.port || '5432'], name).toEqual(['postgres', '5432']);
      expect(decodeURIComponent(db.username)).toBe(pg.get('POSTGRES_USER'));
      expect(decodeURIComponent(db.password)).toBe(pg.get('POSTGRES_PASSWORD'));
      expect(db.pathname.slice(1)).toBe(pg.get('POSTGRES_DB'));
    }
    // The collector listens for OTLP/HTTP where the platform sends it.
    const collector = loadYaml<Obj>(join(composeDir, 'otel-collector.yaml'));
    const otlp = new URL(serviceEnv(platform.get('gateway')!, env).get('OTEL_EXPORTER_OTLP_ENDPOINT')!);
    expect(collector.receivers.otlp.protocols.http.endpoint).toMatch(new RegExp(`:${otlp.port}$`));
  });

  it('serves the gateway on PORT, published, with a readiness health check', () => {
    const gw = platform.get('gateway')!;
    const port = effectiveEnv(gw).get('PORT');
    expect(gw.ports.map((p: string) => interpolate(p, env).split(':').at(-1))).toContain(port);
    expect(gw.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${port}/readyz`);
  });

  it('orders start-up with depends_on on containers that exist, waiting on health checks', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, how] of Object.entries((s.depends_on ?? {}) as Record<string, Obj>)) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        if (how.condition === 'service_healthy') expect(services[dep]!.healthcheck, `${dep} has a health check`).toBeDefined();
        // A container that always runs cannot wait for an optional one.
        if (!s.profiles) expect(services[dep]!.profiles, `${name} -> ${dep}`).toBeUndefined();
      }
    }
    for (const id of serviceIds) {
      expect(platform.get(id)!.depends_on.postgres.condition).toBe('service_healthy');
      expect(platform.get(id)!.depends_on.nats.condition).toBe('service_healthy');
    }
    expect(platform.get('gateway')!.depends_on.tenancy).toBeDefined();
  });

  it('scales by deploy.replicas; the gateway that owns a published port runs once', () => {
    for (const [name, s] of platform) {
      expect(Number.isInteger(s.deploy?.replicas) && s.deploy.replicas >= 1, name).toBe(true);
    }
    expect(platform.get('gateway')!.deploy.replicas).toBe(1);
    expect(platform.get('tenancy')!.deploy.replicas).toBeGreaterThanOrEqual(2);
  });

  it('declares the named volumes it mounts, and bind-mounts files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const volume of (s.volumes ?? []) as string[]) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.') || source.startsWith('/')) expect(existsSync(resolve(composeDir, source)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), `${name}: ${source}`).toContain(source);
      }
    }
  });

  it('keeps data in volumes and checks the health of NATS and PostgreSQL', () => {
    expect(services.postgres!.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(services.nats!.healthcheck.test.join(' ')).toContain('/healthz');
    expect(services.postgres!.image).toMatch(/^postgres:16\b/);
    expect(services.nats!.image).toMatch(/^nats:2\.10\b/);
  });
});

describe('docker-compose.embedded.yml', () => {
  const entries = platformServices(embeddedCompose);

  it('runs the whole platform in one container and one copy', () => {
    expect(entries).toHaveLength(1);
    const [, s] = entries[0]!;
    expect(s.command).toEqual(['start']);
    expect(s.deploy.replicas).toBe(1);
    expect(Object.keys(embeddedCompose.services)).toHaveLength(1);
    expect(s.image).toBe(platform.get('gateway')!.image);
  });

  it('sets what `mso start` reads, and leaves the bus and database unset (in-memory bus, PGlite)', () => {
    const [, s] = entries[0]!;
    const vars = new Map([...Object.entries(runtime.env), ...serviceEnv(s, env)]);
    expect(missing(vars.keys(), embedded)).toEqual([]);
    for (const name of embeddedUnset) expect(vars.get(name) ?? '', name).toBe('');
    const read = [...platformEnvVars().keys()].filter((v) => !embeddedUnset.includes(v));
    expect(missing(vars.keys(), read)).toEqual([]);
    // The data folder (and the admin key file beside it) is on a volume.
    const dataDir = vars.get('MSO_DATA_DIR')!;
    const mounts = (s.volumes as string[]).map((v) => v.split(':')[1]!);
    expect(mounts.some((m) => dataDir === m || dataDir.startsWith(`${m}/`))).toBe(true);
    expect(Object.keys(embeddedCompose.volumes ?? {})).toContain((s.volumes as string[])[0]!.split(':')[0]);
  });
});

describe('.env.example', () => {
  it('lists every variable the Compose files interpolate', () => {
    const example = readEnvFile(join(composeDir, '.env.example'));
    for (const file of ['docker-compose.yml', 'docker-compose.embedded.yml']) {
      const names = interpolatedNames(readFileSync(join(composeDir, file), 'utf8'));
      expect(missing(example.keys(), names), file).toEqual([]);
    }
  });

  it('leaves secrets blank, so nobody runs with a published default', () => {
    const example = readEnvFile(join(composeDir, '.env.example'));
    for (const [k, v] of example) if (/KEY|PASSWORD|SECRET/.test(k)) expect(v, k).toBe('');
  });

  it('is complete enough for both files to interpolate', () => {
    for (const file of [compose, embeddedCompose]) {
      for (const s of Object.values(file.services as Record<string, Obj>)) expect(() => serviceEnv(s, env)).not.toThrow();
    }
    expect(() => serviceEnv(platform.get('gateway')!, new Map())).toThrow(/MSO_ADMIN_KEY/);
  });
});
