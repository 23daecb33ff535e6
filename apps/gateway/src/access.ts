import { timingSafeEqual } from 'node:crypto';
import { ProblemError, type Principal } from '@mso/contracts';
import { entitlementsBucket, getEntitlement, resolveApiKey, type Entitlement, type ResolvedKey } from '@mso/contracts/tenancy';
import type { Bus } from '@mso/bus';
import { loggableError, callOperation, decodeJson, hashApiKey } from '@mso/kit';
import type { Logger } from '@mso/telemetry';

const gatewayPrincipal: Principal = { id: 'system:gateway', role: 'system' };

/**
 * Who is calling and what their practice may use, answered from memory. Tenancy writes keys and
 * entitlements to a KV bucket; this cache watches it, so a change reaches the gateway within
 * milliseconds and no request waits on tenancy. A key not seen yet (just created) is asked for once.
 */
export class AccessCache {
  private readonly keys = new Map<string, ResolvedKey>();
  private readonly entitlements = new Map<string, Entitlement>();
  private readonly adminKeyHash: Buffer | undefined;
  private watcher: { stop(): Promise<void> } | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly log: Logger,
    adminKey?: string,
  ) {
    this.adminKeyHash = adminKey ? Buffer.from(hashApiKey(adminKey), 'hex') : undefined;
  }

  async start(): Promise<void> {
    const kv = await this.bus.kv(entitlementsBucket);
    await new Promise<void>((resolve, reject) => {
      kv.watch(
        (entry) => this.apply(entry.key, entry.value),
        () => resolve(),
      )
        .then((w) => (this.watcher = w))
        .catch(reject);
    });
  }

  async stop(): Promise<void> {
    await this.watcher?.stop();
  }

  private apply(key: string, value: Uint8Array | null): void {
    try {
      if (key.startsWith('key.')) {
        const hash = key.slice(4);
        if (value) this.keys.set(hash, decodeJson<ResolvedKey>(value));
        else this.keys.delete(hash);
      } else if (key.startsWith('practice.')) {
        const id = key.slice(9);
        if (value) this.entitlements.set(id, decodeJson<Entitlement>(value));
        else this.entitlements.delete(id);
      }
    } catch (error) {
      this.log.warn({ err: loggableError(error), key }, 'ignored an unreadable entitlement entry');
    }
  }

  /**
   * The principal of a key this gateway already knows (the admin key, or one in the cache and not
   * revoked), without asking anyone; undefined otherwise. The rate limit counts by it.
   */
  known(authorization: string | undefined): Principal | undefined {
    const hash = keyHash(authorization);
    if (!hash) return undefined;
    if (this.isAdminKey(hash)) return bootstrapAdmin;
    const key = this.keys.get(hash);
    return key && !key.revoked ? principalOf(key) : undefined;
  }

  private isAdminKey(hash: string): boolean {
    return this.adminKeyHash !== undefined && timingSafeEqual(Buffer.from(hash, 'hex'), this.adminKeyHash);
  }

  /** Resolves `Authorization: Bearer <key>` to a principal, or throws `unauthorized`. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization || !authorization.startsWith('Bearer ')) {
      throw new ProblemError('unauthorized', 'send Authorization: Bearer <api key>');
    }
    const hash = keyHash(authorization);
    if (!hash) throw new ProblemError('unauthorized', 'invalid API key');
    if (this.isAdminKey(hash)) return bootstrapAdmin;
    let key = this.keys.get(hash);
    if (!key) {
      try {
        const resolved = await callOperation(this.bus, resolveApiKey, { keyHash: hash }, { principal: gatewayPrincipal });
        key = resolved.key;
        this.keys.set(hash, key);
        if (resolved.entitlement) this.entitlements.set(resolved.entitlement.practiceId, resolved.entitlement);
      } catch (error) {
        if (error instanceof ProblemError && error.code === 'not-found') throw new ProblemError('unauthorized', 'invalid API key');
        throw error;
      }
    }
    if (key.revoked) throw new ProblemError('unauthorized', 'this API key was revoked');
    return principalOf(key);
  }

  /** The practice's entitlement, or null when there is no such practice. */
  async entitlement(practiceId: string): Promise<Entitlement | null> {
    const cached = this.entitlements.get(practiceId);
    if (cached) return cached;
    try {
      const found = await callOperation(this.bus, getEntitlement, { practiceId }, { principal: gatewayPrincipal });
      this.entitlements.set(practiceId, found);
      return found;
    } catch (error) {
      if (error instanceof ProblemError && error.code === 'not-found') return null;
      throw error;
    }
  }
}

const bootstrapAdmin: Principal = { id: 'bootstrap-admin', role: 'mso-admin' };

/** The stored hash of a `Bearer` key, or undefined when the header holds none. */
function keyHash(authorization: string | undefined): string | undefined {
  if (!authorization?.startsWith('Bearer ')) return undefined;
  const secret = authorization.slice(7).trim();
  return secret && secret.length <= 200 ? hashApiKey(secret) : undefined;
}

function principalOf(key: ResolvedKey): Principal {
  return { id: key.keyId, role: key.role as Principal['role'], ...(key.practiceId ? { practiceId: key.practiceId } : {}) };
}

export function isInForce(entitlement: Entitlement, today: string): boolean {
  return entitlement.effectiveFrom <= today && (entitlement.effectiveTo === null || today <= entitlement.effectiveTo);
}

