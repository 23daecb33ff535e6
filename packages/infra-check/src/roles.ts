/** What each kind of platform process needs in its environment. */

/** Read by every platform process. */
export const everyProcess = ['NODE_ENV', 'NATS_URL', 'NATS_NAMESPACE', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'LOG_LEVEL'];
/** `mso gateway`: listens on HOST:PORT, authenticates the bootstrap admin key. */
export const gatewayOnly = ['PORT', 'HOST', 'MSO_ADMIN_KEY'];
/** `mso service <name>`: owns a schema in the database. */
export const serviceOnly = ['MSO_SERVICES', 'DATABASE_URL'];
/** `mso start` without NATS_URL or DATABASE_URL: everything in one process on PGlite. */
export const embedded = ['NODE_ENV', 'PORT', 'HOST', 'MSO_SERVICES', 'MSO_DATA_DIR', 'MSO_ADMIN_KEY', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'LOG_LEVEL'];
/** Unset on purpose in embedded mode: that is what makes it embedded. */
export const embeddedUnset = ['NATS_URL', 'NATS_NAMESPACE', 'DATABASE_URL'];

/** The variables the README and docs/deploy.md list; the source scan must find each of them. */
export const documented = ['PORT', 'MSO_SERVICES', 'NATS_URL', 'NATS_NAMESPACE', 'DATABASE_URL', 'MSO_DATA_DIR', 'MSO_ADMIN_KEY', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'LOG_LEVEL'];

export const missing = (have: Iterable<string>, want: Iterable<string>) => {
  const set = new Set(have);
  return [...want].filter((w) => !set.has(w));
};
