import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL for tests of what a client sends when: it records the bytes the
 * client sends and can hold back the server's replies, so a test can see which statements leave
 * before any reply is back (the round trips a transaction makes).
 */
export interface PostgresProxy {
  /** A URL like `url` that goes through the proxy. */
  readonly url: string;
  /** The client's bytes since the last {@link PostgresProxy.mark}, as text: the statements' SQL shows in it. */
  sent(): string;
  mark(): void;
  /** Holds back every reply from now on, until {@link PostgresProxy.release}. */
  hold(): void;
  release(): void;
  /** Resolves once the client has sent `text` since the mark; rejects after `timeoutMs` naming what it has sent. */
  untilSent(text: string, timeoutMs?: number): Promise<void>;
  /**
   * How many statements of the extended protocol (each ends with a Sync message; a chain of them, one)
   * the client has sent since the mark. A prepared statement's later uses carry only its name, not its text, so counting
   * them is how a test sees a COMMIT or another repeated statement go out.
   */
  statementsSent(): number;
  /** How many Execute messages (of the unnamed portal, as postgres.js sends them) the client has sent since the mark. */
  executesSent(): number;
  /** Resolves once {@link PostgresProxy.statementsSent} reaches `count`; rejects after `timeoutMs`. */
  untilStatementsSent(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startPostgresProxy(url: string): Promise<PostgresProxy> {
  const target = new URL(url);
  let sent = '';
  let holding = false;
  const held: { socket: Socket; chunk: Buffer }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      sent += chunk.toString('latin1');
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => (holding ? held.push({ socket: client, chunk }) : client.write(chunk)));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  // A Sync message: 'S' and its length, 4 (it has no body).
  const syncs = () => sent.split('S\u0000\u0000\u0000\u0004').length - 1;
  const until = async (done: () => boolean, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`the client did not ${what} within ${timeoutMs} ms; it sent: ${JSON.stringify(sent)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const proxied = new URL(url);
  proxied.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: proxied.toString(),
    sent: () => sent,
    mark: () => void (sent = ''),
    hold: () => void (holding = true),
    release: () => {
      holding = false;
      for (const { socket, chunk } of held.splice(0)) socket.write(chunk);
    },
    untilSent: (text, timeoutMs = 5_000) => until(() => sent.includes(text), `send "${text}"`, timeoutMs),
    statementsSent: () => syncs(),
    // 'E', its length (9), the unnamed portal's empty name, no row limit.
    executesSent: () => sent.split('E\u0000\u0000\u0000\u0009\u0000\u0000\u0000\u0000\u0000').length - 1,
    untilStatementsSent: (count, timeoutMs = 5_000) => until(() => syncs() >= count, `send ${count} statements`, timeoutMs),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
